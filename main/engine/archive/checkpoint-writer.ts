/**
 * Writing monthly checkpoints (checkpoints.ts) under the writer lease: for each month whose every
 * day is settled, one new signed checkpoint of the month's manifests on the chain, locked like a
 * manifest and read back. Never over a key: a month whose manifests changed since its checkpoint (a
 * day caught up or reconciled later) gets a new checkpoint named by the head it was written at,
 * which supersedes the older one; the older one stays, as everything does on WORM storage.
 *
 * Which months: `thorough` (the `checkpoint` command) reads the newest checkpoint of each month that
 * counts and writes where it does not carry the chain's manifests exactly; otherwise (after a
 * catch-up) only the names are listed, and a month is written when the chain holds a manifest of it
 * newer than its newest checkpoint's name (a name above the chain's head is no checkpoint of ours).
 */
import { checkpointFolder, checkpointKey, parseKey } from '../../../shared/archive-layout';
import { formatFingerprint } from '../../../shared/archive-root';
import { ArchiveCheckpointSchema, type ArchiveCheckpoint, type UnsignedCheckpoint } from '../../../shared/checkpoint';
import { AuditArchiveError } from '../../../shared/errors';
import type { Archive, ArchiveSnapshot } from './archive';
import { readNewestCheckpoints } from './checkpoint-reader';
import { buildCheckpoint, carriesSame, completeMonths, monthOf } from './checkpoints';
import { canonicalJsonBytes, sha256Hex, signDocument, type SigningKey } from './signing';
import { confirmLock } from './stores/confirm-lock';
import type { LeaseHolder, WriterLease } from './writer-lease';

export interface CheckpointRequest {
  readonly settlementMinutes: number;
  readonly toolVersion: string;
  /** Read each month's newest checkpoint and compare (the command), instead of comparing names (after a catch-up). */
  readonly thorough: boolean;
  readonly signal?: AbortSignal;
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
  /** Give up at once when another writer holds the archive (after a catch-up: that writer writes them). */
  readonly noWait?: boolean;
}

export interface CheckpointResult {
  /** Checkpoints written, oldest month first. */
  readonly written: ReadonlyArray<{ readonly month: string; readonly key: string; readonly manifests: number }>;
  /** Complete months whose newest checkpoint already carries the chain's manifests. */
  readonly current: number;
  /** Months not written, and why (a key taken by something the archive did not write). */
  readonly skipped: ReadonlyArray<{ readonly month: string; readonly reason: string }>;
}

export async function writeCheckpoints(archive: Archive, request: CheckpointRequest): Promise<CheckpointResult> {
  // Refused from a read before the lease is taken (no archive, its key not held here): nothing is written.
  await signerOf(
    archive,
    await archive.read({ scope: 'layout', ...(request.signal ? { signal: request.signal } : {}) }),
  );
  return archive.underLease(
    {
      scope: 'layout',
      refuseChanged: true,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onWait ? { onWait: request.onWait } : {}),
      ...(request.noWait ? { waitMs: 0 } : {}),
    },
    async (lease, snapshot) => {
      const { archiveId, key } = await signerOf(archive, snapshot);
      const months = await monthsToWrite(archive, snapshot, archiveId, request);
      const written: Array<CheckpointResult['written'][number]> = [];
      const skipped: Array<CheckpointResult['skipped'][number]> = [];
      for (const month of months.write) {
        request.signal?.throwIfAborted();
        const unsigned = buildOne(archive, snapshot, archiveId, month, request.toolVersion);
        if (!unsigned) continue;
        const cpKey = checkpointKey(archive.store.prefix, month, unsigned.asOf.sequence);
        const outcome = await putCheckpoint(archive, lease, cpKey, signDocument(unsigned, key));
        if (outcome) skipped.push({ month, reason: outcome });
        else written.push({ month, key: cpKey, manifests: unsigned.manifests.length });
      }
      return { written, current: months.current, skipped };
    },
  );
}

/** The archive's id and the key in effect, which this installation must hold. */
async function signerOf(archive: Archive, snapshot: ArchiveSnapshot): Promise<{ archiveId: string; key: SigningKey }> {
  const { root, keys } = snapshot.assessment;
  if (root.status !== 'ok')
    throw new AuditArchiveError(
      root.status === 'absent' ? 'INVALID_ARGUMENT' : 'ARCHIVE_INTEGRITY',
      root.status === 'absent'
        ? `${archive.store.url} holds no archive yet: there is nothing to checkpoint. Nothing was written.`
        : `${root.detail} Nothing was written: run verify.`,
    );
  const current = keys.current?.fingerprint ?? root.root.signingKey.fingerprint;
  const key = await archive.options.keys.get(current, root.root.purpose);
  if (!key)
    throw new AuditArchiveError(
      'ARCHIVE_KEY_MISSING',
      `${archive.store.url} is signed with key ${formatFingerprint(current)}, which this installation does not hold (looked in ${archive.options.keys.description}): checkpoints are written where the archive's key is kept. Nothing was written.`,
    );
  return { archiveId: root.root.archiveId, key };
}

function buildOne(
  archive: Archive,
  snapshot: ArchiveSnapshot,
  archiveId: string,
  month: string,
  toolVersion: string,
): UnsignedCheckpoint | null {
  const { head, chain } = snapshot.assessment;
  if (!head) return null;
  return buildCheckpoint({
    archiveId,
    month,
    head,
    chain,
    listing: snapshot.listing,
    createdAt: new Date((archive.options.now ?? Date.now)()).toISOString(),
    toolVersion,
  });
}

/** The complete months to write, and how many are already current. */
async function monthsToWrite(
  archive: Archive,
  snapshot: ArchiveSnapshot,
  archiveId: string,
  request: CheckpointRequest,
): Promise<{ write: string[]; current: number }> {
  const { assessment } = snapshot;
  const now = (archive.options.now ?? Date.now)();
  const complete = completeMonths(assessment.chain, now, request.settlementMinutes);
  if (!assessment.head || complete.length === 0) return { write: [], current: 0 };
  const write: string[] = [];
  if (request.thorough) {
    const { checkpoints } = await readNewestCheckpoints(archive.store, archiveId, assessment.keys, request.signal);
    const newest = new Map<string, ArchiveCheckpoint>(checkpoints.map((c) => [c.month, c]));
    for (const month of complete) {
      const known = newest.get(month);
      const fresh = known && buildOne(archive, snapshot, archiveId, month, request.toolVersion);
      if (!known || !fresh || !carriesSame(known, fresh)) write.push(month);
    }
  } else {
    const named = await newestNames(archive, assessment.head.sequence);
    const newestManifest = new Map<string, number>();
    for (const c of assessment.chain) newestManifest.set(monthOf(c.manifest.day), c.manifest.sequence);
    for (const month of complete) if ((named.get(month) ?? 0) < (newestManifest.get(month) ?? 0)) write.push(month);
  }
  return { write, current: complete.length - write.length };
}

/** The highest checkpoint name of each month, from one listing (names above the head are no checkpoints of ours). */
async function newestNames(archive: Archive, headSequence: number): Promise<Map<string, number>> {
  const named = new Map<string, number>();
  for await (const v of archive.store.listVersions(checkpointFolder(archive.store.prefix))) {
    const parsed = v.isDeleteMarker || v.unreadable ? null : parseKey(archive.store.prefix, v.key);
    if (parsed?.kind !== 'checkpoint' || parsed.sequence > headSequence) continue;
    named.set(parsed.month, Math.max(named.get(parsed.month) ?? 0, parsed.sequence));
  }
  return named;
}

/**
 * Writes one checkpoint with the policy's lock once the lease is confirmed, and reads it back. A key
 * that something else took meanwhile is never written over: the reason is returned instead.
 */
async function putCheckpoint(
  archive: Archive,
  lease: WriterLease,
  key: string,
  checkpoint: ArchiveCheckpoint,
): Promise<string | null> {
  if (!ArchiveCheckpointSchema.safeParse(checkpoint).success)
    throw new AuditArchiveError('INTERNAL', `The checkpoint built for ${key} is invalid. Nothing was written.`);
  const body = canonicalJsonBytes(checkpoint);
  const lock = archive.lockFor(Date.parse(checkpoint.createdAt));
  await lease.confirm();
  try {
    const put = await archive.store.putObject({
      key,
      body,
      sha256: sha256Hex(body),
      contentType: 'application/json',
      lock,
    });
    await confirmLock(archive.store, put, { size: body.length, lock });
    return null;
  } catch (e) {
    if (e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS')
      return `${key} is taken by something the archive did not write: nothing was written over it (verify names it).`;
    throw e;
  }
}
