/**
 * verifyArchive: proves the archive is complete and unaltered, the way CloudTrail's validate-logs
 * walks its digest chain, without its blind spots.
 *
 * - The archive is read whole and fresh (every key and version under the prefix, every manifest
 *   from the store) and judged by the same assessment the calendar and the writer use
 *   (assessment.ts): one version per referenced key, signatures against the root's key, one chain
 *   walked from its head, no fork, nothing unexpected.
 * - This installation's record catches what the archive alone cannot show: a head that went
 *   backwards, a root swapped, an archive that vanished; `expectKey` and `expectHead` check the
 *   fingerprint and head the officer recorded. Without either, the result says the key and head
 *   were trusted on first use (verify-trust.ts).
 * - Every object it relies on (root, manifests, data parts) is read back for its lock, which must
 *   be in force, as strong as the policy and as long as recorded; in full mode every data part is
 *   hashed (stored and uncompressed bytes) and its events counted.
 * - Expected days are counted independently of the chain (aws-cli #7054: two consecutive deleted
 *   digests went unnoticed), and an empty or unmounted target is never "OK".
 * Work is bounded by the listing (never by a number read from a key), streams object bytes, and
 * stops when the signal aborts.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import type { ArchiveOrganisation, ArchivePurpose } from '../../../shared/archive-root';
import { eachDay, firstRecoverableDay, isSettled, lastSettledDay, type Day } from '../../../shared/day';
import type { LockMode } from '../../../shared/manifest';
import { isFailingProblem, type VerifyProblem, type VerifyTrust } from '../../../shared/verify';
import type { Archive } from './archive';
import type { ObjectLock } from './archive-store';
import { compareProblems, type Assessment, type ChainHead } from './assessment';
import { expectedHeadProblems, judgeTrust, type ExpectedHead } from './verify-trust';
import { checkHolds, type HeldInRange } from './holds/hold-check';

const MS_PER_DAY = 86_400_000;
/** Stores round retain-until to the second. */
const RETAIN_SLACK_MS = 1000;

export interface VerifyOptions {
  readonly archive: Archive;
  /** First day to check (default: the policy start, else the first archived day). */
  readonly from?: Day;
  /** Last day to check (default: the last settled day). */
  readonly to?: Day;
  /** Also download every data part and compare SHA-256 and event counts. */
  readonly full: boolean;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly settlementMinutes: number;
  /** A missing day is reported whether or not Genesys still has it; this only changes the advice. */
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  /** The retention policy locks are judged against. */
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
  /** The signing key fingerprint the officer recorded (hex). */
  readonly expectKey?: string;
  /** The head the officer recorded: the chain must reach it. */
  readonly expectHead?: ExpectedHead;
  /** Reads in flight at once. */
  readonly concurrency?: number;
  readonly onProgress?: (p: VerifyProgress) => void;
  readonly signal?: AbortSignal;
}

export interface VerifyProgress {
  readonly phase: 'listing' | 'objects';
  readonly done: number;
  readonly total: number;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Sorted by day (archive-wide ones first), then kind and key. */
  readonly problems: VerifyProblem[];
  readonly from: Day | null;
  readonly to: Day | null;
  readonly manifestsChecked: number;
  readonly objectsChecked: number;
  /** The day's event total from its newest manifest on the chain (feeds the calendar's counts). */
  readonly eventCounts: ReadonlyMap<Day, number>;
  readonly archive: {
    readonly archiveId: string;
    readonly purpose: ArchivePurpose;
    readonly organisation: ArchiveOrganisation;
    /** The key the root names. */
    readonly keyFingerprint: string;
    /** The key in effect now (the root's, or the last valid key-succession record's). */
    readonly currentKeyFingerprint: string;
    readonly head: ChainHead | null;
  } | null;
  /** What the key and the head were checked against (null: no valid root to trust). */
  readonly trust: VerifyTrust | null;
  /** Store requests the verification made. */
  readonly requests: number;
  /** The archive as this verification read it (whole and fresh): what a report states is taken from it. */
  readonly assessment: Assessment;
  /** Legal holds whose period overlaps the range verified (holds/hold-check.ts). */
  readonly holds?: readonly HeldInRange[];
}

export async function verifyArchive(options: VerifyOptions): Promise<VerifyResult> {
  const { archive, full, now } = options;
  const store = archive.store;
  const before = store.requestCount;
  options.onProgress?.({ phase: 'listing', done: 0, total: 1 });
  const snapshot = await archive.read({
    scope: 'whole',
    fresh: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { assessment } = snapshot;
  options.onProgress?.({ phase: 'listing', done: 1, total: 1 });

  const chainDays = assessment.chain.map((c) => c.manifest.day).sort();
  const from = options.from ?? options.policyStartDate ?? chainDays[0] ?? null;
  const to = options.to ?? lastSettledDay(now, options.settlementMinutes);
  // An explicit range limits what is checked; without one, every finding counts, wherever its day
  // lies (a junk manifest filed under 2099 included).
  const inRange = (d: Day | null) =>
    d === null || ((options.from === undefined || d >= options.from) && (options.to === undefined || d <= options.to));
  const problems: VerifyProblem[] = assessment.problems.filter((p) => inRange(p.day));
  problems.push(...archive.installationProblems(snapshot, options.expectKey));
  if (options.expectHead) problems.push(...expectedHeadProblems(assessment, options.expectHead));
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  if (
    assessment.root.status === 'absent' &&
    !assessment.hasContent &&
    !problems.some((p) => p.kind === 'archive-missing')
  ) {
    problems.push({
      day: null,
      kind: 'archive-missing',
      detail: `${store.url} holds no archive (no root object, no manifest, no data). If the archive should be here, check that the folder or bucket is mounted and the prefix is right; if nothing was archived yet, run catch-up first.`,
    });
  }

  // Locks of everything relied on, and (full) the bytes of every data part.
  const checks: Array<() => Promise<void>> = [];
  let objectsChecked = 0;
  const headOf = async (key: string, versionId: string | null) => store.headObject(key, versionId);
  if (root && store.kind !== 'local') {
    checks.push(async () => {
      const info = await headOf(root.key, root.versionId);
      const minimum = Date.parse(root.root.createdAt) + root.root.policy.retentionDays * MS_PER_DAY;
      const p = lockProblem(root.key, info?.lock ?? null, options.policy.lockMode, minimum, null, now);
      if (p) problems.push({ day: null, kind: 'lock-not-in-force', key: root.key, detail: p });
    });
  }
  // Key-succession records in effect are evidence like manifests: locked as long.
  for (const record of store.kind === 'local' ? [] : assessment.keys.epochs.flatMap((e) => e.record ?? [])) {
    checks.push(async () => {
      const info = await headOf(record.key, record.versionId);
      if (!info) return; // the listing already told
      const minimum = Date.parse(record.record.createdAt) + options.policy.retentionDays * MS_PER_DAY;
      const p = lockProblem(record.key, info.lock, options.policy.lockMode, minimum, null, now);
      if (p) problems.push({ day: null, kind: 'lock-not-in-force', key: record.key, detail: p });
    });
  }
  const chainInRange = assessment.chain.filter((c) => inRange(c.manifest.day));
  for (const c of chainInRange) {
    const day = c.manifest.day;
    if (store.kind !== 'local') {
      checks.push(async () => {
        const info = await headOf(c.key, c.versionId);
        if (!info) return; // the listing already told
        const minimum = Date.parse(c.manifest.createdAt) + c.manifest.policy.retentionDays * MS_PER_DAY;
        const p = lockProblem(c.key, info.lock, options.policy.lockMode, minimum, null, now);
        if (p) problems.push({ day, kind: 'lock-not-in-force', key: c.key, detail: p });
      });
    }
    for (const object of c.manifest.objects) {
      checks.push(async () => {
        objectsChecked += 1;
        if (store.kind !== 'local' || full) {
          const info = await headOf(object.key, object.versionId);
          if (!info) return; // object-missing / delete-marker: the listing already told
          if (info.size !== object.size) {
            problems.push({
              day,
              kind: 'hash-mismatch',
              key: object.key,
              detail: `${object.key} is ${info.size} bytes; ${c.key} recorded ${object.size}.`,
            });
            return;
          }
          if (object.lockMode !== null && object.retainUntil !== null) {
            const minimum = Date.parse(c.manifest.createdAt) + c.manifest.policy.retentionDays * MS_PER_DAY;
            const p = lockProblem(object.key, info.lock, options.policy.lockMode, minimum, object.retainUntil, now);
            if (p) problems.push({ day, kind: 'lock-not-in-force', key: object.key, detail: p });
          }
        }
        if (full) {
          const digest = await digestObject(archive, object.key, object.versionId);
          if (
            digest.sha256 !== object.sha256 ||
            digest.sha256Raw !== object.sha256Raw ||
            digest.events !== object.events
          ) {
            problems.push({
              day,
              kind: 'hash-mismatch',
              key: object.key,
              detail: `${object.key} does not match ${c.key}: SHA-256 ${digest.sha256} (recorded ${object.sha256}), ${digest.events} events (recorded ${object.events}).`,
            });
          }
        }
      });
    }
  }
  // Report copies: their locks, and (full) the bundle's bytes against its signed record.
  for (const copy of assessment.reports ?? []) {
    const { record } = copy;
    if (store.kind !== 'local') {
      for (const [key, versionId] of [
        [copy.recordKey, copy.recordVersionId],
        ...(copy.bundlePresent ? [[record.bundle.key, record.bundle.versionId] as const] : []),
      ] as const) {
        checks.push(async () => {
          objectsChecked += 1;
          const info = await headOf(key, versionId);
          if (!info) return; // the listing already told
          const p = lockProblem(key, info.lock, options.policy.lockMode, 0, record.bundle.retainUntil, now);
          if (p) problems.push({ day: null, kind: 'lock-not-in-force', key, detail: p });
        });
      }
    }
    if (full && copy.bundlePresent) {
      checks.push(async () => {
        const hash = createHash('sha256');
        for await (const chunk of store.getObject(record.bundle.key, record.bundle.versionId)) hash.update(chunk);
        const sha256 = hash.digest('hex');
        if (sha256 !== record.bundle.sha256)
          problems.push({
            day: null,
            kind: 'hash-mismatch',
            key: record.bundle.key,
            detail: `${record.bundle.key} does not match ${copy.recordKey}: SHA-256 ${sha256} (recorded ${record.bundle.sha256}).`,
          });
      });
    }
  }

  let done = 0;
  await forEachLimited(checks, options.concurrency ?? 16, options.signal, async (check) => {
    await check();
    done += 1;
    options.onProgress?.({ phase: 'objects', done, total: checks.length });
  });

  const holds = await checkHolds({
    store,
    assessment,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  problems.push(...holds.problems);

  // Expected days, counted independently of the chain.
  const firstRecoverable = firstRecoverableDay(now, options.genesysRetentionDays);
  if (from !== null) {
    for (const day of eachDay(from, to)) {
      if (options.policyStartDate && day < options.policyStartDate) continue;
      if (!isSettled(day, now, options.settlementMinutes)) continue;
      const evidence = assessment.days.get(day);
      if (evidence && evidence.manifests.length > 0) continue;
      const advice =
        day < firstRecoverable
          ? 'It is older than the Genesys retention window: it cannot be recovered from Genesys any more.'
          : 'Run catch-up while Genesys still holds it.';
      problems.push({
        day,
        kind: 'day-missing',
        detail: `No manifest on the chain for ${day}: the day was never archived or its manifests are gone. ${advice}`,
      });
    }
  }

  problems.sort(compareProblems);
  const ok = !problems.some((p) => isFailingProblem(p.kind));
  const eventCounts = new Map<Day, number>();
  for (const c of assessment.chain) eventCounts.set(c.manifest.day, c.manifest.dayEventsTotal);
  const headRecorded = ok && root !== null && assessment.keys.current !== null && archive.options.stateDir !== null;
  if (ok && root && assessment.keys.current)
    await archive.recordHead(root.root, assessment.head, assessment.keys.current.fingerprint);
  return {
    ok,
    problems,
    from,
    to: from === null ? null : to,
    manifestsChecked: chainInRange.length,
    objectsChecked,
    eventCounts,
    archive: root
      ? {
          archiveId: root.root.archiveId,
          purpose: root.root.purpose,
          organisation: root.root.organisation,
          keyFingerprint: root.root.signingKey.fingerprint,
          currentKeyFingerprint: assessment.keys.current?.fingerprint ?? root.root.signingKey.fingerprint,
          head: assessment.head,
        }
      : null,
    trust: judgeTrust(
      snapshot,
      {
        ...(options.expectKey ? { key: options.expectKey } : {}),
        ...(options.expectHead ? { head: options.expectHead } : {}),
      },
      headRecorded,
    ),
    requests: store.requestCount - before,
    assessment,
    holds: holds.matters,
  };
}

/**
 * The lock as read back now, against the policy (mode at least as strong), the policy's length from
 * when the object was written, what was recorded at write time, and the clock (still in force).
 */
function lockProblem(
  key: string,
  lock: ObjectLock | null,
  policyMode: LockMode,
  minimumMs: number,
  recorded: string | null,
  now: number,
): string | null {
  if (!lock)
    return `${key} has no lock now (the exporter's role needs s3:GetObjectRetention to see it; otherwise it was never locked or the lock is gone).`;
  if (policyMode === 'COMPLIANCE' && lock.mode !== 'COMPLIANCE')
    return `${key} is locked in ${lock.mode} mode, weaker than the COMPLIANCE policy: users with s3:BypassGovernanceRetention can delete it.`;
  const until = Date.parse(lock.retainUntil);
  if (until <= now) return `${key}'s retention ended on ${lock.retainUntil}: it is no longer protected.`;
  if (recorded !== null && until + RETAIN_SLACK_MS < Date.parse(recorded))
    return `${key} is retained until ${lock.retainUntil}, earlier than the ${recorded} recorded when it was written.`;
  if (until + MS_PER_DAY < minimumMs)
    return `${key} is retained until ${lock.retainUntil}, shorter than the policy asked when it was written (until ${new Date(minimumMs).toISOString()}).`;
  return null;
}

/**
 * SHA-256 of the stored bytes and of the uncompressed NDJSON, and its line count, streaming.
 * Bytes that are not valid gzip give an empty raw hash and -1 events: the comparison reports them.
 */
async function digestObject(
  archive: Archive,
  key: string,
  versionId: string | null,
): Promise<{ sha256: string; sha256Raw: string; events: number }> {
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
  for await (const chunk of archive.store.getObject(key, versionId)) {
    stored.update(chunk);
    if (!corrupt && !gunzip.write(chunk)) await Promise.race([new Promise((r) => gunzip.once('drain', r)), done]);
  }
  if (!corrupt) gunzip.end();
  await done;
  return { sha256: stored.digest('hex'), sha256Raw: corrupt ? '' : raw.digest('hex'), events: corrupt ? -1 : events };
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
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
