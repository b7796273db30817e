/**
 * verifyArchive: proves the archive is complete and unaltered, the way CloudTrail's validate-logs
 * walks its digest chain, without its blind spot.
 *
 * - Every live manifest is read and schema-checked; each one's `previous` must name the manifest
 *   with the previous sequence number, by key and SHA-256 of its bytes; a sequence number with no
 *   live manifest is `manifest-missing`.
 * - Every object a manifest records is read back at its version: gone -> `object-missing`, a delete
 *   marker over its key -> `delete-marker`, lock weaker/shorter/expired -> `lock-not-in-force`, and in
 *   full mode its bytes are hashed (stored and uncompressed) and its events counted -> `hash-mismatch`.
 * - Expected days are counted independently of the chain (aws-cli #7054: two consecutive deleted
 *   digests went unnoticed): every settled, required day in range without a manifest is `day-missing`.
 * - Data objects no manifest references are `orphan`: informational (an interrupted run leaves them
 *   on WORM storage, they cannot be removed and are never counted), so they do not fail verification.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { eachDay, firstRecoverableDay, isSettled, lastSettledDay, type Day } from '../../../shared/day';
import { isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveManifest } from '../../../shared/manifest';
import { parseKey } from '../../../shared/archive-layout';
import { isFailingProblem, type VerifyProblem } from '../../../shared/verify';
import type { ArchiveIndex } from './archive-index';
import type { ArchiveStore } from './archive-store';
import { readManifest } from './manifest-chain';
import { readArchiveIndex } from './read-archive-index';

export interface VerifyOptions {
  readonly store: ArchiveStore;
  /** A listing already made (saves a LIST pass); read fresh when absent. */
  readonly index?: ArchiveIndex;
  /** First day to check (default: the policy start, else the first day found in the archive). */
  readonly from?: Day;
  /** Last day to check (default: the last settled day). */
  readonly to?: Day;
  /** Also download every object and compare SHA-256 and event counts. */
  readonly full: boolean;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly settlementMinutes: number;
  /** A missing day is reported whether or not Genesys still has it; this only changes the advice. */
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  /** Reads in flight at once. */
  readonly concurrency?: number;
  readonly onProgress?: (p: { manifestsChecked: number; manifestsTotal: number }) => void;
  readonly signal?: AbortSignal;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Sorted by day, then kind. */
  readonly problems: VerifyProblem[];
  readonly from: Day | null;
  readonly to: Day | null;
  readonly manifestsChecked: number;
  readonly objectsChecked: number;
  /** The day's event total from its newest readable manifest (feeds the calendar's counts). */
  readonly eventCounts: ReadonlyMap<Day, number>;
}

interface ManifestRef {
  readonly day: Day;
  readonly key: string;
  readonly versionId: string | null;
  readonly sequence: number;
}

type ReadOutcome = { ok: true; manifest: ArchiveManifest; sha256: string } | { ok: false; detail: string };

/** Tolerance for retain-until comparisons: stores round to the second. */
const RETAIN_SLACK_MS = 1000;

export async function verifyArchive(options: VerifyOptions): Promise<VerifyResult> {
  const { store, full, now } = options;
  const index = options.index ?? (await readArchiveIndex(store));
  const problems: VerifyProblem[] = [];

  const firstDay = [...index.days.keys()].sort()[0];
  const from = options.from ?? options.policyStartDate ?? firstDay ?? null;
  const to = options.to ?? lastSettledDay(now, options.settlementMinutes);
  const inRange = (d: Day) => from !== null && d >= from && d <= to;

  // Every live manifest in the archive, by sequence: the chain is global (write order across days).
  const bySequence = new Map<number, ManifestRef>();
  for (const entry of index.days.values()) {
    for (const m of entry.manifests) bySequence.set(m.sequence, { day: entry.day, key: m.key, versionId: m.versionId, sequence: m.sequence });
  }
  // Delete-marked manifests tell us the day of a hidden sequence number.
  const hiddenManifestDay = new Map<number, { day: Day; key: string }>();
  for (const entry of index.days.values()) {
    for (const dm of entry.deleteMarkers) {
      const parsed = parseKey(store.prefix, dm.key);
      if (parsed.kind === 'manifest' && !bySequence.has(parsed.sequence)) hiddenManifestDay.set(parsed.sequence, { day: parsed.day, key: dm.key });
    }
  }

  // Which manifests to read: those of days in range, plus each one's predecessor (to check the link).
  const toCheck = [...bySequence.values()].filter((m) => inRange(m.day)).sort((a, b) => a.sequence - b.sequence);
  const toRead = new Map<number, ManifestRef>();
  for (const m of toCheck) {
    toRead.set(m.sequence, m);
    const prev = bySequence.get(m.sequence - 1);
    if (prev) toRead.set(prev.sequence, prev);
  }
  const reads = new Map<number, ReadOutcome>();
  let readCount = 0;
  await forEachLimited([...toRead.values()], options.concurrency ?? 8, options.signal, async (m) => {
    reads.set(m.sequence, await readOne(store, m));
    readCount += 1;
    options.onProgress?.({ manifestsChecked: readCount, manifestsTotal: toRead.size });
  });

  // Delete markers: over any manifest or data key of a day in range.
  for (const entry of index.days.values()) {
    if (!inRange(entry.day)) continue;
    for (const dm of entry.deleteMarkers) {
      problems.push({ day: entry.day, kind: 'delete-marker', key: dm.key, detail: `A delete marker (${dm.lastModified}) hides ${dm.key}; the locked version survives but a plain listing no longer shows it. Investigate who deleted it.` });
    }
  }

  // Chain links and sequence gaps.
  const missingReported = new Set<number>();
  for (const m of toCheck) {
    const read = reads.get(m.sequence);
    if (!read) continue;
    if (!read.ok) {
      problems.push({ day: m.day, kind: 'manifest-invalid', key: m.key, detail: read.detail });
      continue;
    }
    const manifest = read.manifest;
    if (manifest.day !== m.day || manifest.sequence !== m.sequence) {
      problems.push({ day: m.day, kind: 'manifest-invalid', key: m.key, detail: `The manifest says day ${manifest.day} sequence ${manifest.sequence}, but its key says day ${m.day} sequence ${m.sequence}.` });
    }
    if (m.sequence === 1) {
      if (manifest.previous !== null) problems.push({ day: m.day, kind: 'chain-broken', key: m.key, detail: `The first manifest names a previous manifest (${manifest.previous.key}) that the archive does not hold.` });
      continue;
    }
    const prevRef = bySequence.get(m.sequence - 1);
    if (!prevRef) {
      // The successor names the missing manifest's key, so its day is known even without a delete marker.
      const hidden = hiddenManifestDay.get(m.sequence - 1);
      const key = hidden?.key ?? manifest.previous?.key;
      const day = hidden?.day ?? dayOfKey(store.prefix, key) ?? m.day;
      missingReported.add(m.sequence - 1);
      problems.push({ day, kind: 'manifest-missing', ...(key ? { key } : {}), detail: `Manifest sequence ${m.sequence - 1} (the one before ${m.key}) is not in the archive.` });
      continue;
    }
    const prevRead = reads.get(prevRef.sequence);
    if (!manifest.previous) {
      problems.push({ day: m.day, kind: 'chain-broken', key: m.key, detail: `The manifest names no previous manifest, but ${prevRef.key} precedes it.` });
    } else if (manifest.previous.key !== prevRef.key) {
      problems.push({ day: m.day, kind: 'chain-broken', key: m.key, detail: `The manifest names ${manifest.previous.key} as previous, but the archive's previous manifest is ${prevRef.key}.` });
    } else if (prevRead?.ok && prevRead.sha256 !== manifest.previous.sha256) {
      problems.push({ day: prevRef.day, kind: 'chain-broken', key: prevRef.key, detail: `The SHA-256 of ${prevRef.key} is ${prevRead.sha256}, but the next manifest recorded ${manifest.previous.sha256}: it was changed after it was written.` });
    }
  }
  // Other gaps in the sequence (two or more in a row, or the newest): named by a delete marker when
  // there is one, else attributed to the next live manifest's day.
  const liveSequences = [...bySequence.keys()].sort((a, b) => a - b);
  for (let seq = 1; seq <= index.maxSequence; seq += 1) {
    if (bySequence.has(seq) || missingReported.has(seq)) continue;
    const hidden = hiddenManifestDay.get(seq);
    const nextLive = liveSequences.find((s) => s > seq);
    const day = hidden?.day ?? (nextLive === undefined ? undefined : bySequence.get(nextLive)?.day);
    if (day === undefined || !inRange(day)) continue;
    problems.push({
      day,
      kind: 'manifest-missing',
      ...(hidden ? { key: hidden.key } : {}),
      detail: hidden ? `Manifest sequence ${seq} is not in the archive.` : `Manifest sequence ${seq} (written before ${bySequence.get(nextLive as number)?.key}) is not in the archive.`,
    });
  }

  // Objects each manifest in range records.
  const referenced = new Set<string>();
  const markerKeys = new Set<string>();
  for (const entry of index.days.values()) for (const dm of entry.deleteMarkers) markerKeys.add(dm.key);
  const objects: Array<{ day: Day; manifestKey: string; object: ArchiveManifest['objects'][number] }> = [];
  const eventCounts = new Map<Day, number>();
  for (const m of toCheck) {
    const read = reads.get(m.sequence);
    if (!read?.ok) continue;
    eventCounts.set(m.day, read.manifest.dayEventsTotal);
    for (const object of read.manifest.objects) {
      referenced.add(versionKey(object.key, object.versionId));
      objects.push({ day: m.day, manifestKey: m.key, object });
    }
  }
  let objectsChecked = 0;
  await forEachLimited(objects, options.concurrency ?? 8, options.signal, async ({ day, manifestKey, object }) => {
    objectsChecked += 1;
    if (markerKeys.has(object.key)) return; // reported above as delete-marker
    const info = await store.headObject(object.key, object.versionId);
    if (!info) {
      problems.push({ day, kind: 'object-missing', key: object.key, detail: `${object.key}${object.versionId ? ` version ${object.versionId}` : ''}, recorded by ${manifestKey}, is not in the archive.` });
      return;
    }
    if (info.size !== object.size) {
      problems.push({ day, kind: 'hash-mismatch', key: object.key, detail: `${object.key} is ${info.size} bytes; ${manifestKey} recorded ${object.size}.` });
      return;
    }
    const lockProblem = checkLock(object, info.lock, now);
    if (lockProblem) problems.push({ day, kind: 'lock-not-in-force', key: object.key, detail: lockProblem });
    if (full) {
      const digest = await digestObject(store, object.key, object.versionId);
      if (digest.sha256 !== object.sha256 || digest.sha256Raw !== object.sha256Raw || digest.events !== object.events) {
        problems.push({
          day,
          kind: 'hash-mismatch',
          key: object.key,
          detail: `${object.key} does not match ${manifestKey}: SHA-256 ${digest.sha256} (recorded ${object.sha256}), ${digest.events} events (recorded ${object.events}).`,
        });
      }
    }
  });

  // Orphans: live data objects of days in range that no manifest references.
  for (const entry of index.days.values()) {
    if (!inRange(entry.day)) continue;
    for (const d of entry.dataObjects) {
      if (!referenced.has(versionKey(d.key, d.versionId)) && !markerKeys.has(d.key)) {
        problems.push({ day: entry.day, kind: 'orphan', key: d.key, detail: `${d.key} is referenced by no manifest (left by an interrupted run); it is not counted as archived. Discovery queries read it too: they deduplicate on id.` });
      }
    }
  }

  // Expected days, counted independently of the chain.
  const firstRecoverable = firstRecoverableDay(now, options.genesysRetentionDays);
  if (from !== null) {
    for (const day of eachDay(from, to)) {
      if (options.policyStartDate && day < options.policyStartDate) continue;
      if (!isSettled(day, now, options.settlementMinutes)) continue;
      const entry = index.days.get(day);
      if (entry && entry.manifests.length > 0) continue;
      if (entry?.deleteMarkers.some((dm) => parseKey(store.prefix, dm.key).kind === 'manifest')) continue; // already a delete-marker problem
      const advice =
        day < firstRecoverable
          ? 'It is older than the Genesys retention window: it cannot be recovered from Genesys any more.'
          : 'Run catch-up while Genesys still holds it.';
      problems.push({ day, kind: 'day-missing', detail: `No manifest for ${day}: the day was never archived or its manifests are gone. ${advice}` });
    }
  }

  problems.sort((a, b) => (a.day === b.day ? a.kind.localeCompare(b.kind) || (a.key ?? '').localeCompare(b.key ?? '') : a.day < b.day ? -1 : 1));
  return {
    ok: !problems.some((p) => isFailingProblem(p.kind)),
    problems,
    from,
    to: from === null ? null : to,
    manifestsChecked: toCheck.length,
    objectsChecked,
    eventCounts,
  };
}

async function readOne(store: ArchiveStore, m: ManifestRef): Promise<ReadOutcome> {
  try {
    const read = await readManifest(store, m.key, m.versionId);
    return { ok: true, manifest: read.manifest, sha256: read.sha256 };
  } catch (e) {
    if (isAuditArchiveError(e) && (e.code === 'ARCHIVE_BAD_OBJECT' || e.code === 'NOT_FOUND')) return { ok: false, detail: e.message };
    throw e;
  }
}

function checkLock(object: ArchiveManifest['objects'][number], lock: { mode: string; retainUntil: string } | null, now: number): string | null {
  if (object.lockMode === null || object.retainUntil === null) return null; // recorded without a lock (local folder)
  if (!lock) return `${object.key} was written with a ${object.lockMode} lock until ${object.retainUntil}, but the store reports no lock now.`;
  if (object.lockMode === 'COMPLIANCE' && lock.mode !== 'COMPLIANCE') return `${object.key} was written in COMPLIANCE mode but is now ${lock.mode}.`;
  const recorded = Date.parse(object.retainUntil);
  const actual = Date.parse(lock.retainUntil);
  if (actual + RETAIN_SLACK_MS < recorded) return `${object.key} is retained until ${lock.retainUntil}, earlier than the ${object.retainUntil} recorded.`;
  if (actual <= now) return `${object.key}'s retention ended on ${lock.retainUntil}: it is no longer protected.`;
  return null;
}

/**
 * SHA-256 of the stored bytes and of the uncompressed NDJSON, and its line count, streaming.
 * Bytes that are not valid gzip give an empty raw hash and -1 events: the comparison reports them.
 */
async function digestObject(store: ArchiveStore, key: string, versionId: string | null): Promise<{ sha256: string; sha256Raw: string; events: number }> {
  const stored = createHash('sha256');
  const raw = createHash('sha256');
  let events = 0;
  let corrupt = false;
  const gunzip = createGunzip();
  gunzip.on('data', (chunk: Buffer) => {
    raw.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) events += 1;
  });
  const done = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('error', () => {
      corrupt = true;
      resolve();
    });
  });
  for await (const chunk of store.getObject(key, versionId)) {
    stored.update(chunk);
    if (!corrupt && !gunzip.write(chunk)) await Promise.race([new Promise((r) => gunzip.once('drain', r)), done]);
  }
  if (!corrupt) gunzip.end();
  await done;
  return { sha256: stored.digest('hex'), sha256Raw: corrupt ? '' : raw.digest('hex'), events: corrupt ? -1 : events };
}

function versionKey(key: string, versionId: string | null): string {
  return `${key}\u0000${versionId ?? ''}`;
}

function dayOfKey(prefix: string, key: string | undefined): Day | null {
  if (!key) return null;
  const parsed = parseKey(prefix, key);
  return parsed.kind === 'other' ? null : parsed.day;
}

async function forEachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
