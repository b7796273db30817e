/**
 * exportDay: one settled UTC day from Genesys into the WORM archive, every event exactly once.
 *
 * Genesys pages -> dedupe on id -> NDJSON -> gzip -> SHA-256 -> parts of bounded size -> store, each
 * part read back (size, lock) before the next, then one manifest linked into the chain. A day is only
 * archived once its manifest is written and confirmed: a run that fails or is killed before that
 * leaves at most data objects no manifest references (orphans), which the next run lists in
 * `orphansIgnored`, never counts, and supersedes with fresh parts under new part numbers.
 *
 * Reconcile re-queries an archived day and archives only the ids the archive lacks (late arrivals)
 * into new parts and a 'reconcile' manifest that references the earlier ones. Nothing is overwritten.
 */
import { dataKey } from '../../../shared/archive-layout';
import { type Day, dayInterval, dayStartMs, firstRecoverableDay, isSettled } from '../../../shared/day';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveManifest, ManifestObject, ManifestSource } from '../../../shared/manifest';
import type { AuditEventRecord } from '../../../shared/audit-event';
import type { AuditEventSource } from '../genesys/audit-source';
import type { ArchiveWriter } from './archive';
import type { ArchiveStore, ObjectLock, PutObjectResult } from './archive-store';
import { digestProblems, readArchivedPart, type ObjectDigest } from './archived-object';
import { EventIdSet } from './event-id-set';
import { PartWriter, type FinishedPart, type PartBuffers } from './part-writer';
import { confirmLock } from './stores/confirm-lock';

const MS_PER_DAY = 86_400_000;

export interface ExportPolicy {
  readonly settlementMinutes: number;
  readonly maxPartBytes: number;
  /** Days Genesys keeps audit events: older days are refused (an empty answer would be archived as an empty day). */
  readonly genesysRetentionDays: number;
}

interface ExportDeps {
  readonly writer: ArchiveWriter;
  readonly source: AuditEventSource;
  /** Where the events come from, as every manifest records it. */
  readonly sourceRecord: ManifestSource;
  readonly policy: ExportPolicy;
  readonly toolVersion: string;
  readonly now?: () => number;
  /** Output buffers shared by the days of one run (part-writer.ts). */
  readonly partBuffers?: PartBuffers;
}

interface ExportProgress {
  day: Day;
  /** Events this run has taken so far (after dedupe; stored once their part is). */
  events: number;
  /** Compressed bytes stored and confirmed so far (grows part by part). */
  bytes: number;
}

/** Events between progress reports inside a part (a 16 MB part holds about 130,000). */
const PROGRESS_EVERY = 10_000;

export interface ExportDayOptions {
  reconcile?: boolean;
  signal?: AbortSignal;
  /** Called every 10,000 events, after each stored part, and once at the end. */
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportDayResult {
  day: Day;
  outcome: 'archived' | 'reconciled';
  manifestKey: string;
  manifest: ArchiveManifest;
  events: number;
  bytes: number;
  duplicatesDropped: number;
}

/**
 * The one export path for a day, whoever calls it (the CLI's export and catch-up, the app, the
 * schedule): every guard is here. Refuses (writing nothing) a day that is not settled, that Genesys
 * no longer holds, that is already archived (unless reconciling), or that shows tampering.
 */
export async function exportDay(deps: ExportDeps, day: Day, options: ExportDayOptions = {}): Promise<ExportDayResult> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { policy, writer } = deps;
  checkExportableDay(day, startedAt, policy);
  const done = writer.beginDay(day);
  try {
    return await exportSettledDay(deps, day, options, startedAt);
  } finally {
    done();
  }
}

/**
 * Refuses (DAY_UNSETTLED, DAY_UNRECOVERABLE) a day that may not be exported at `nowMs`, whatever
 * the archive holds: callers check it before they touch the archive at all.
 */
export function checkExportableDay(day: Day, nowMs: number, policy: ExportPolicy): void {
  if (!isSettled(day, nowMs, policy.settlementMinutes)) {
    const settlesAt = new Date(dayStartMs(day) + MS_PER_DAY + policy.settlementMinutes * 60_000).toISOString();
    throw new AuditArchiveError(
      'DAY_UNSETTLED',
      `${day} is not settled yet: Genesys may still be indexing its events. It can be exported from ${settlesAt} (its end plus ${policy.settlementMinutes} minutes). Nothing was written.`,
    );
  }
  const firstRecoverable = firstRecoverableDay(nowMs, policy.genesysRetentionDays);
  if (day < firstRecoverable) {
    // Genesys answers an old interval with no events rather than an error: exporting it would
    // archive a false "empty day" and claim completeness.
    throw new AuditArchiveError(
      'DAY_UNRECOVERABLE',
      `${day} is older than the Genesys retention window (${policy.genesysRetentionDays} days; the first recoverable day is ${firstRecoverable}): Genesys may no longer hold its events, and an empty answer would be archived as an empty day. Nothing was written. If your organisation keeps audit events longer, raise genesys.retentionDays.`,
    );
  }
}

/** Refuses (DAY_ALREADY_ARCHIVED) a day whose chain holds `earlier` manifests, unless reconciling. */
export function refuseArchivedDay(day: Day, earlier: readonly { readonly key: string }[], reconcile: boolean): void {
  if (earlier.length > 0 && !reconcile) {
    throw new AuditArchiveError(
      'DAY_ALREADY_ARCHIVED',
      `${day} is already archived (manifest ${earlier[earlier.length - 1]!.key}). Nothing was written. To look for events Genesys added later, run it again with --reconcile.`,
    );
  }
}

async function exportSettledDay(
  deps: ExportDeps,
  day: Day,
  options: ExportDayOptions,
  startedAt: number,
): Promise<ExportDayResult> {
  const { writer } = deps;
  const now = deps.now ?? Date.now;
  const signal = options.signal;
  signal?.throwIfAborted();
  const prior = await priorArchive(writer, day, options);
  const lock = writer.lockFor(startedAt);
  const interval = dayInterval(day);
  const tally = new DayTally(day, options.onProgress);
  const parts = new PartWriter({
    maxPartBytes: deps.policy.maxPartBytes,
    ...(deps.partBuffers ? { buffers: deps.partBuffers } : {}),
    onPart: async (part) => {
      tally.stored(await storePart(writer, day, part, lock));
      // A stop between parts leaves only complete, confirmed parts behind (orphans until a manifest declares them).
      signal?.throwIfAborted();
    },
  });
  const run = deps.source.queryInterval(interval, signal ? { signal } : {});
  try {
    await takeEvents(run.events, interval, prior, parts, tally, signal);
    await parts.finish();
  } catch (e) {
    parts.discard();
    throw e;
  }
  signal?.throwIfAborted();
  const appended = await writer.append(
    {
      day,
      interval: { start: interval.start, end: interval.end },
      kind: prior.reconcile ? 'reconcile' : 'export',
      supersedes: prior.earlier.map((m) => ({ key: m.key, sha256: m.sha256 })),
      orphansIgnored: prior.orphansIgnored,
      queries: run.queries.map((q) => ({
        transactionId: q.transactionId,
        interval: q.interval,
        serviceName: q.serviceName,
        state: q.state,
      })),
      ...tally.manifestCounts(prior.archivedIds.size),
      createdAt: new Date(now()).toISOString(),
      tool: { name: 'audit-archive', version: deps.toolVersion },
      source: deps.sourceRecord,
    },
    lock,
  );
  tally.progress();
  return {
    day,
    outcome: prior.reconcile ? 'reconciled' : 'archived',
    manifestKey: appended.key,
    manifest: appended.manifest,
    events: tally.events,
    bytes: tally.bytes,
    duplicatesDropped: tally.duplicatesDropped,
  };
}

/** What earlier runs left of the day: its manifests, every id they hold (hashes checked), the orphans to declare. */
interface PriorArchive {
  readonly earlier: ReturnType<ArchiveWriter['dayManifests']>;
  readonly reconcile: boolean;
  readonly archivedIds: EventIdSet;
  readonly orphansIgnored: ReturnType<ArchiveWriter['dayOrphans']>;
}

/** Refuses an archived day (unless reconciling) or one that cannot be proved; reads what a reconcile builds on. */
async function priorArchive(writer: ArchiveWriter, day: Day, options: ExportDayOptions): Promise<PriorArchive> {
  const earlier = writer.dayManifests(day);
  const reconcile = earlier.length > 0;
  refuseArchivedDay(day, earlier, options.reconcile === true);
  // A reconcile builds on what the day's manifests reference: it must be intact.
  const problem = reconcile ? writer.dayProblems(day)[0] : undefined;
  if (problem) {
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `${day} cannot be proved as it stands (${problem.kind}${problem.key ? ` ${problem.key}` : ''}: ${problem.detail}). Nothing was written: run verify and resolve it before reconciling this day.`,
    );
  }
  // What earlier runs archived: every id they hold, hashes checked (reconcile builds only on what it can prove).
  const archivedIds = new EventIdSet();
  for (const { manifest } of earlier) {
    for (const object of manifest.objects) await readArchivedIds(writer.store, object, archivedIds, options.signal);
  }
  return { earlier, reconcile, archivedIds, orphansIgnored: writer.dayOrphans(day) };
}

/** Genesys's answer for the day into parts: events outside the day and duplicates dropped and counted. */
async function takeEvents(
  events: AsyncIterable<AuditEventRecord>,
  interval: { readonly start: string; readonly end: string },
  prior: PriorArchive,
  parts: PartWriter,
  tally: DayTally,
  signal: AbortSignal | undefined,
): Promise<void> {
  const startMs = Date.parse(interval.start);
  const endMs = Date.parse(interval.end);
  const seen = new EventIdSet();
  for await (const record of events) {
    if (signal?.aborted) signal.throwIfAborted();
    if (record.eventTimeMs < startMs || record.eventTimeMs >= endMs) {
      tally.outsideIntervalDropped++;
      continue;
    }
    if (!seen.add(record.id)) {
      tally.duplicatesDropped++;
      continue;
    }
    // Already archived by an earlier run: not a duplicate in Genesys's answer, just not new.
    if (prior.reconcile && prior.archivedIds.has(record.id)) continue;
    tally.saw(record);
    await parts.write(record);
    tally.took();
  }
}

/** One finished part stored once with the lock and read back; a key planted since the archive was read is stepped over (never replaced), like a manifest's. */
async function storePart(
  writer: ArchiveWriter,
  day: Day,
  part: FinishedPart,
  lock: ObjectLock,
): Promise<ManifestObject> {
  const store = writer.store;
  let key: string;
  let put: PutObjectResult;
  await writer.ensureRoot(); // a new archive's root comes before its first part
  for (let relisted = 0; ;) {
    key = dataKey(store.prefix, day, writer.nextPart(day));
    try {
      put = await store.putObject({ key, body: part.body, sha256: part.sha256, contentType: 'application/gzip', lock });
      break;
    } catch (e) {
      if (!(e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS') || relisted++ >= 3) throw e;
      await writer.stepOverTakenParts(day);
    }
  }
  const info = await confirmLock(store, put, { size: part.size, lock });
  return {
    key,
    versionId: put.versionId,
    sha256Raw: part.sha256Raw,
    sha256: part.sha256,
    size: part.size,
    rawSize: part.rawSize,
    events: part.events,
    firstEventDate: part.firstEventDate,
    lastEventDate: part.lastEventDate,
    lockMode: info.lock?.mode ?? null,
    retainUntil: info.lock ? new Date(Date.parse(info.lock.retainUntil)).toISOString() : null,
  };
}

/** What a day's export counts as it goes, and tells as progress. */
class DayTally {
  readonly objects: ManifestObject[] = [];
  /** Events stored in confirmed parts, and events taken so far (stored or still in the open part). */
  events = 0;
  taken = 0;
  bytes = 0;
  duplicatesDropped = 0;
  outsideIntervalDropped = 0;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private firstEventDate: string | null = null;
  private lastEventDate: string | null = null;

  constructor(
    private readonly day: Day,
    private readonly onProgress: ExportDayOptions['onProgress'],
  ) {}

  progress(): void {
    this.onProgress?.({ day: this.day, events: this.taken, bytes: this.bytes });
  }

  /** An event that will be archived: the day's first and last event times. */
  saw(record: AuditEventRecord): void {
    if (record.eventTimeMs < this.firstMs) {
      this.firstMs = record.eventTimeMs;
      this.firstEventDate = record.eventDate;
    }
    if (record.eventTimeMs > this.lastMs) {
      this.lastMs = record.eventTimeMs;
      this.lastEventDate = record.eventDate;
    }
  }

  took(): void {
    if (++this.taken % PROGRESS_EVERY === 0) this.progress();
  }

  stored(object: ManifestObject): void {
    this.objects.push(object);
    this.events += object.events;
    this.bytes += object.size;
    this.progress();
  }

  /** The manifest's counts; `archivedBefore`: events earlier manifests of the day hold. */
  manifestCounts(archivedBefore: number) {
    return {
      events: this.events,
      dayEventsTotal: archivedBefore + this.events,
      duplicatesDropped: this.duplicatesDropped,
      outsideIntervalDropped: this.outsideIntervalDropped,
      firstEventDate: this.firstEventDate,
      lastEventDate: this.lastEventDate,
      objects: this.objects,
    };
  }
}

/**
 * Reads one archived part (archived-object.ts), checks it against its manifest, and adds its ids
 * to `ids`. Any difference is ARCHIVE_INTEGRITY: reconcile must not build on an archive it cannot
 * prove.
 */
async function readArchivedIds(
  store: ArchiveStore,
  object: ManifestObject,
  ids: EventIdSet,
  signal: AbortSignal | undefined,
): Promise<void> {
  let badLine: string | null = null;
  const onLine = (line: Buffer, n: number) => {
    try {
      const id = (JSON.parse(line.toString('utf8')) as { id?: unknown }).id;
      if (typeof id !== 'string') throw new Error('no id');
      ids.add(id);
    } catch {
      badLine ??= `line ${n}`;
    }
  };
  let digest: ObjectDigest;
  try {
    digest = await readArchivedPart(store, object, { onLine, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (isAuditArchiveError(e) && e.code !== 'ARCHIVE_UNREACHABLE') {
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `${object.key}, named by a manifest, cannot be read: ${e.message}`,
        { cause: e },
      );
    }
    throw e;
  }
  const problems = digestProblems(digest, object);
  if (digest.gzip && badLine) problems.push(`${badLine} is not an event with an id`);
  if (problems.length > 0) {
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `${object.key} does not match its manifest: ${problems.join(', ')}. Nothing was written; run verify to see what changed.`,
    );
  }
}
