/**
 * readVouchedArchive: the ONE door from discovery into the archive. Everything discovery reads
 * (local queries, the S3 range cache, a result's population and gaps) comes from the data objects the
 * manifests of the days in range name, never from a listing of `audit-logs/`: parts left by an
 * interrupted run sit there too, and no manifest vouches for them.
 *
 * The archive vouches for an object when a manifest on its signed chain names it (every manifest of
 * a day: a `reconcile` manifest adds parts to its day's `export` one), judged by the same assessment
 * as the calendar and verify. A forged or junk manifest, a manifest off the chain, a stray part:
 * none of them reaches a query. `stateDir` keeps the manifests read (each once per installation),
 * in a cache checked at every use (manifest-catalog.ts).
 *
 * The same read gives the answer's gaps: the days of the range the calendar would not show as
 * archived (computeDayStatuses, with the run journal's failures), so a result names them; and,
 * judged by the same assessment, the matters whose legal hold covers days of the range, read
 * through the verified hold ledger as the calendar reads it (holds/hold-ledger.ts).
 */
import { archiveGaps, type ArchiveGap } from '../../../shared/archive-gaps';
import { daysBetween, type Day } from '../../../shared/day';
import type { AnswerHolds } from '../../../shared/discovery/answer-holds';
import type { ResultMetadata } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError } from '../../../shared/errors';
import { calendarRulesOf, defaultSettings } from '../../../shared/settings';
import { Archive } from '../archive/archive';
import type { ArchiveStore } from '../archive/archive-store';
import type { Assessment } from '../archive/assessment';
import type { CacheSealKey } from '../archive/cache-seal';
import { heldInRange, readHoldLedger } from '../archive/holds/hold-ledger';
import type { RunJournalSnapshot } from '../archive/run-journal';
import { computeDayStatuses, defaultStatusRange } from '../archive/status';

export interface VouchedObject {
  readonly day: Day;
  readonly key: string;
  readonly versionId: string | null;
  /** SHA-256 of the stored (gzip) bytes, as the manifest recorded it. */
  readonly sha256: string;
  /** Stored (compressed) size in bytes. */
  readonly size: number;
  readonly events: number;
}

/** What decides which days the archive must hold, and what this installation saw of them. */
export interface DiscoveryCalendar {
  readonly rules: ReturnType<typeof calendarRulesOf>;
  /** The run journal as it is now: a day's last failure (absent or null: none known here). */
  readonly journal?: () => Promise<RunJournalSnapshot | null>;
  readonly now?: () => number;
}

interface VouchedArchiveOptions {
  readonly signal?: AbortSignal;
  /** Where the manifest cache lives (null or absent: none). */
  readonly stateDir?: string | null;
  /** Where the secret that seals that cache is kept. */
  readonly cacheSealKey?: CacheSealKey | null;
  readonly onWarning?: (message: string) => void;
  /** Absent: the default settings' rules, no journal, the clock. */
  readonly calendar?: DiscoveryCalendar;
}

export interface VouchedArchive {
  /** The objects of the days of `objectRange`, by day and key. */
  readonly objects: VouchedObject[];
  /** The days of `gapRange` (the archive's days when null) that are not archived, and why. */
  readonly gaps: ArchiveGap[];
  /** The matters holding days of `gapRange` (every day when null); null: a local folder, which cannot hold. */
  readonly holds: AnswerHolds | null;
}

/** Every day, for a query without a range: the manifests say which days exist. */
export const EVERY_DAY = { from: '1970-01-01', to: '9999-12-31' } as const;

/** The longest range whose days an answer names one by one (a century: no archive is older). */
const MAX_ANSWER_DAYS = 36_525;

export async function readVouchedArchive(
  store: ArchiveStore,
  objectRange: { from: Day; to: Day },
  gapRange: { from: Day; to: Day } | null,
  options: VouchedArchiveOptions = {},
): Promise<VouchedArchive> {
  if (gapRange && daysBetween(gapRange.from, gapRange.to) >= MAX_ANSWER_DAYS) {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `The range ${gapRange.from} to ${gapRange.to} spans more than a century; an answer names every day of its range that is not archived, so give a range within 100 years (or none, for every day the archive holds).`,
    );
  }
  // Data parts are judged only where the answer looks: its objects' days and the days it names gaps in.
  const dataDays = gapRange
    ? {
        from: objectRange.from < gapRange.from ? objectRange.from : gapRange.from,
        to: objectRange.to > gapRange.to ? objectRange.to : gapRange.to,
      }
    : null;
  const assessment = await assess(store, options, dataDays);
  const journal = (await options.calendar?.journal?.()) ?? null;
  // Without the journal, a day whose export failed reads as missing: the answer says why.
  if (journal?.warning) options.onWarning?.(journal.warning);
  return {
    objects: objectsIn(assessment, objectRange),
    gaps: gapsIn(assessment, gapRange, options.calendar, journal),
    holds: await holdsIn(store, assessment, gapRange, options.signal),
  };
}

/** The matters holding days of the range, from the records that count; the others named. */
async function holdsIn(
  store: ArchiveStore,
  assessment: Assessment,
  range: { from: Day; to: Day } | null,
  signal: AbortSignal | undefined,
): Promise<AnswerHolds | null> {
  if (store.kind === 'local') return null;
  const ledger = await readHoldLedger(store, assessment, signal);
  return {
    matters: heldInRange(ledger, range ?? {}).slice(0, 10_000),
    invalidRecords: ledger.problems.slice(0, 10_000).map((p) => ({ key: p.key ?? null, detail: p.detail })),
  };
}

/** How an engine reads the vouched archive for a query: `readVouchedArchive` over its store, or a reader built on it. */
export type VouchedArchiveReader = (
  objectRange: { from: Day; to: Day },
  gapRange: { from: Day; to: Day } | null,
  options: VouchedArchiveOptions,
) => Promise<VouchedArchive>;

/**
 * `read`, but once per pair of ranges for the reader's life: the queries of one report (the cited
 * query, where its events are, its events per day) then answer from one state of the archive, read
 * and checked once, instead of each reading it again a moment later. The warnings of that read reach
 * every caller. A read that fails is not kept.
 */
export function readOncePerRange(read: VouchedArchiveReader): VouchedArchiveReader {
  const reads = new Map<string, Promise<{ archive: VouchedArchive; warnings: string[] }>>();
  return async (objectRange, gapRange, options) => {
    const key = JSON.stringify([objectRange, gapRange]);
    let once = reads.get(key);
    if (!once) {
      const warnings: string[] = [];
      once = read(objectRange, gapRange, { ...options, onWarning: (m) => void warnings.push(m) }).then((archive) => ({
        archive,
        warnings,
      }));
      reads.set(key, once);
      once.catch(() => reads.delete(key));
    }
    const { archive, warnings } = await once;
    for (const m of warnings) options.onWarning?.(m);
    return archive;
  };
}

/** The vouched objects of a range (any length: no gaps are named). */
export async function listVouchedObjects(
  store: ArchiveStore,
  range: { from: Day; to: Day },
  options: VouchedArchiveOptions = {},
): Promise<VouchedObject[]> {
  const assessment = await assess(store, options, range);
  return objectsIn(assessment, range);
}

/**
 * The archive as the calendar judges it now (layout listing, manifests from the checked cache),
 * with data parts listed and judged only for the months of `dataDays` (null: every day): the
 * whole chain of manifests is always read, so which manifests are vouched for does not change.
 */
async function assess(
  store: ArchiveStore,
  options: VouchedArchiveOptions,
  dataDays: { from: Day; to: Day } | null,
): Promise<Assessment> {
  const snapshot = await Archive.forReading(store, options.stateDir ?? null, {
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    cacheSealKey: options.cacheSealKey ?? null,
  }).read({ scope: 'layout', dataDays, ...(options.signal ? { signal: options.signal } : {}) });
  options.signal?.throwIfAborted();
  return snapshot.assessment;
}

function objectsIn(assessment: Assessment, range: { from: Day; to: Day }): VouchedObject[] {
  // A key named by two manifests (it should not happen) is one object: read it once.
  const seen = new Set<string>();
  const out: VouchedObject[] = [];
  for (const [day, evidence] of assessment.days) {
    if (day < range.from || day > range.to) continue;
    for (const c of evidence.manifests) {
      for (const o of c.manifest.objects) {
        const id = `${o.key}\n${o.versionId ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ day, key: o.key, versionId: o.versionId, sha256: o.sha256, size: o.size, events: o.events });
      }
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The calendar's judgement of each day of the range, kept only where it is not `archived`. */
function gapsIn(
  assessment: Assessment,
  range: { from: Day; to: Day } | null,
  calendar: DiscoveryCalendar | undefined,
  journal: RunJournalSnapshot | null,
): ArchiveGap[] {
  const rules = calendar?.rules ?? calendarRulesOf(defaultSettings());
  const now = (calendar?.now ?? Date.now)();
  const days = range ?? defaultStatusRange(assessment, now, rules.genesysRetentionDays, rules.policyStartDate);
  if (days.to < days.from) return [];
  const statuses = computeDayStatuses({
    assessment,
    from: days.from,
    to: days.to,
    now,
    ...rules,
    ...(journal ? { journal } : {}),
  });
  return archiveGaps(statuses);
}

/** What a result's population states: the days, objects and events the manifests vouch for. */
export function populationOf(objects: readonly VouchedObject[]): NonNullable<ResultMetadata['population']> {
  const days = new Set(objects.map((o) => o.day));
  const sorted = [...days].sort();
  return {
    firstDay: sorted[0] ?? null,
    lastDay: sorted[sorted.length - 1] ?? null,
    days: days.size,
    objects: objects.length,
    events: objects.reduce((n, o) => n + o.events, 0),
  };
}
