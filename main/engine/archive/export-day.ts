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
import type { AuditEventSource } from '../genesys/audit-source';
import type { ArchiveWriter } from './archive';
import type { ArchiveStore, PutObjectResult } from './archive-store';
import { digestProblems, readArchivedPart, type ObjectDigest } from './archived-object';
import { EventIdSet } from './event-id-set';
import { PartWriter } from './part-writer';
import { confirmLock } from './stores/confirm-lock';

const MS_PER_DAY = 86_400_000;

export interface ExportPolicy {
  readonly settlementMinutes: number;
  readonly maxPartBytes: number;
  /** Days Genesys keeps audit events: older days are refused (an empty answer would be archived as an empty day). */
  readonly genesysRetentionDays: number;
}

export interface ExportDeps {
  readonly writer: ArchiveWriter;
  readonly source: AuditEventSource;
  /** Where the events come from, as every manifest records it. */
  readonly sourceRecord: ManifestSource;
  readonly policy: ExportPolicy;
  readonly toolVersion: string;
  readonly now?: () => number;
}

export interface ExportProgress {
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
  const { writer, source } = deps;
  const store = writer.store;
  const now = deps.now ?? Date.now;
  const signal = options.signal;
  signal?.throwIfAborted();

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
    for (const object of manifest.objects) await readArchivedIds(store, object, archivedIds, signal);
  }
  const orphansIgnored = writer.dayOrphans(day);

  const lock = writer.lockFor(startedAt);
  const interval = dayInterval(day);
  const startMs = Date.parse(interval.start);
  const endMs = Date.parse(interval.end);

  const objects: ManifestObject[] = [];
  /** Events stored in confirmed parts, and events taken so far (stored or still in the open part). */
  let events = 0;
  let taken = 0;
  let bytes = 0;
  const progress = (): void => options.onProgress?.({ day, events: taken, bytes });

  const writerOfParts = new PartWriter({
    maxPartBytes: deps.policy.maxPartBytes,
    onPart: async (part) => {
      // A key planted since the archive was read is stepped over (never replaced), like a manifest's.
      let key: string;
      let put: PutObjectResult;
      await writer.ensureRoot(); // a new archive's root comes before its first part
      for (let relisted = 0; ;) {
        key = dataKey(store.prefix, day, writer.nextPart(day));
        try {
          put = await store.putObject({
            key,
            body: part.body,
            sha256: part.sha256,
            contentType: 'application/gzip',
            lock,
          });
          break;
        } catch (e) {
          if (!(e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS') || relisted++ >= 3) throw e;
          await writer.stepOverTakenParts(day);
        }
      }
      const info = await confirmLock(store, put, { size: part.size, lock });
      objects.push({
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
      });
      events += part.events;
      bytes += part.size;
      progress();
      // A stop between parts leaves only complete, confirmed parts behind (orphans until a manifest declares them).
      signal?.throwIfAborted();
    },
  });

  const seen = new EventIdSet();
  let duplicatesDropped = 0;
  let outsideIntervalDropped = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let firstEventDate: string | null = null;
  let lastEventDate: string | null = null;
  const run = source.queryInterval(interval, signal ? { signal } : {});
  try {
    for await (const record of run.events) {
      if (signal?.aborted) signal.throwIfAborted();
      if (record.eventTimeMs < startMs || record.eventTimeMs >= endMs) {
        outsideIntervalDropped++;
        continue;
      }
      if (!seen.add(record.id)) {
        duplicatesDropped++;
        continue;
      }
      // Already archived by an earlier run: not a duplicate in Genesys's answer, just not new.
      if (reconcile && archivedIds.has(record.id)) continue;
      if (record.eventTimeMs < firstMs) {
        firstMs = record.eventTimeMs;
        firstEventDate = record.eventDate;
      }
      if (record.eventTimeMs > lastMs) {
        lastMs = record.eventTimeMs;
        lastEventDate = record.eventDate;
      }
      await writerOfParts.write(record);
      if (++taken % PROGRESS_EVERY === 0) progress();
    }
    await writerOfParts.finish();
  } catch (e) {
    writerOfParts.discard();
    throw e;
  }
  signal?.throwIfAborted();

  const dayEventsTotal = archivedIds.size + events;
  const appended = await writer.append(
    {
      day,
      interval: { start: interval.start, end: interval.end },
      kind: reconcile ? 'reconcile' : 'export',
      supersedes: earlier.map((m) => ({ key: m.key, sha256: m.sha256 })),
      orphansIgnored,
      queries: run.queries.map((q) => ({
        transactionId: q.transactionId,
        interval: q.interval,
        serviceName: q.serviceName,
        state: q.state,
      })),
      events,
      dayEventsTotal,
      duplicatesDropped,
      outsideIntervalDropped,
      firstEventDate,
      lastEventDate,
      objects,
      createdAt: new Date(now()).toISOString(),
      tool: { name: 'audit-archive', version: deps.toolVersion },
      source: deps.sourceRecord,
    },
    lock,
  );
  progress();
  return {
    day,
    outcome: reconcile ? 'reconciled' : 'archived',
    manifestKey: appended.key,
    manifest: appended.manifest,
    events,
    bytes,
    duplicatesDropped,
  };
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
