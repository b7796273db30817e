/**
 * "Check the copy bucket" for setup and Settings: can the second locked copy (`archive.copy`) hold
 * a copy of this archive under this retention policy, checked as the primary is (storage-check.ts):
 * the bucket exists, Object Lock and versioning are on, its default retention is no shorter than
 * the primary's policy; and refused as the engine refuses it (copy/copy-target.ts): not the primary
 * itself nor inside or around it, the primary on S3 too. In write mode, whether the credentials may
 * write locked objects there is asked without storing anything (stores/write-probe.ts).
 */
import { isAuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { StorageCheck } from '../../../shared/setup-checks';
import { checkCopyReady, openCopyTarget, type CopyTarget } from '../archive/copy/copy-target';
import { inspectBucket, type BucketInspection } from '../archive/stores/bucket-check';
import { openArchiveStore } from '../archive/stores/open-store';
import { S3ObjectLockStore } from '../archive/stores/s3-store';
import { probeLockedWrite, type WriteProbe } from '../archive/stores/write-probe';
import { connectedTarget } from './storage-check';

type Archive = Settings['archive'];
type Verdict = Pick<StorageCheck, 'verdict' | 'ok' | 'worm' | 'reason'>;

export async function checkCopyStorage(
  archive: Archive,
  options: { readonly userDataDir: string; readonly env: NodeJS.ProcessEnv },
): Promise<StorageCheck> {
  const base = { target: archive.copy.target, kind: 's3' as const, bucket: null, canInit: false, archive: null };
  const none = { ...base, worm: false, ok: false, warnings: [] };
  if (!archive.copy.target)
    return {
      ...none,
      verdict: 'invalid',
      reason:
        'No second locked copy is entered: enter s3://bucket/prefix of another bucket with Object Lock, ideally in another region or account.',
    };
  let copy: CopyTarget | null;
  try {
    const primary = openArchiveStore(connectedTarget(archive, options.userDataDir), archive.s3, options.env);
    copy = await openCopyTarget({ archive }, primary, options.env);
  } catch (e) {
    return { ...none, verdict: 'invalid', reason: messageOf(e) };
  }
  if (!copy || !(copy.store instanceof S3ObjectLockStore))
    return { ...none, verdict: 'invalid', reason: 'The copy must be an s3://bucket/prefix target.' };
  const store = copy.store;
  let bucket: BucketInspection;
  try {
    bucket = await inspectBucket(store.client, store.bucket);
  } catch (e) {
    return { ...none, target: store.url, verdict: 'unreachable', reason: messageOf(e) };
  }
  const report = {
    exists: bucket.exists,
    objectLock: bucket.objectLock,
    versioning: bucket.versioning,
    defaultRetention: bucket.defaultRetention,
  };
  const verdict = copyBucketRefusal(bucket, `s3://${store.bucket}`, archive) ?? (await copyReady(copy, store, archive));
  return { ...base, ...verdict, target: store.url, bucket: report, warnings: verdict.warnings };
}

/** Why the copy's bucket, as inspected, cannot hold the copy under this policy (null: it can, so far). */
function copyBucketRefusal(
  bucket: BucketInspection,
  url: string,
  archive: Archive,
): (Verdict & { warnings: string[] }) | null {
  const refused = (verdict: StorageCheck['verdict'], worm: boolean, reason: string) => ({
    verdict,
    ok: false,
    worm,
    reason: `Refused: ${reason}`,
    warnings: [],
  });
  if (!bucket.exists)
    return refused(
      'create',
      false,
      `${url} does not exist. Its owner creates it with Object Lock and a default retention of at least ${archive.retentionDays} days (audit-archive bucket init --target ${url}, with that account's administrator credentials).`,
    );
  if (!bucket.objectLock)
    return refused(
      'not-worm',
      false,
      `${url} has no Object Lock, so its objects could be deleted or overwritten: it cannot be a locked copy. Use a bucket made with Object Lock.`,
    );
  if (bucket.versioning !== 'Enabled')
    return refused(
      'not-worm',
      false,
      `${url} has Object Lock but versioning is ${(bucket.versioning ?? 'off').toLowerCase()}: it cannot be a locked copy.`,
    );
  if (bucket.defaultRetention && bucket.defaultRetention.days < archive.retentionDays)
    return refused(
      'retention-too-short',
      true,
      `${url} keeps objects ${bucket.defaultRetention.days} days by default, shorter than the primary's ${archive.retentionDays} days. Its owner must raise the default retention to at least ${archive.retentionDays} days.`,
    );
  return null;
}

/** The engine's own readiness check of the copy (as catch-up runs it before writing), then, in write mode, whether the credentials may write there. */
async function copyReady(
  copy: CopyTarget,
  store: S3ObjectLockStore,
  archive: Archive,
): Promise<Verdict & { warnings: string[] }> {
  let warnings: readonly string[];
  try {
    warnings = await checkCopyReady(copy, { lockMode: archive.lockMode, retentionDays: archive.retentionDays });
  } catch (e) {
    return { verdict: 'unreachable', ok: false, worm: false, reason: messageOf(e), warnings: [] };
  }
  const ready = `${copy.store.url} can hold the second locked copy: Object Lock is on, versioning is enabled, and it has no default retention shorter than the primary's ${archive.retentionDays} days.`;
  if (copy.mode === 'check')
    return {
      verdict: 'ready',
      ok: true,
      worm: true,
      reason: `${ready} Check mode: an S3 Replication rule fills it and the product only reads it.`,
      warnings: [...warnings].slice(0, 10),
    };
  const probe = await probeLockedWrite(store.client, store.bucket, store.prefix);
  if (probe.outcome === 'denied')
    return {
      verdict: 'unreachable',
      ok: false,
      worm: true,
      reason: `Refused: these credentials may not write locked objects to ${copy.store.url} (${probe.error}), and write mode writes every object there. Grant the exporter's role the exporter's policy for the copy's prefix (in the copy bucket's policy, for another account), or use check mode with S3 Replication.`,
      warnings: [...warnings].slice(0, 10),
    };
  return {
    verdict: 'ready',
    ok: true,
    worm: true,
    reason: `${ready} Write mode: the product writes every object and manifest there after the primary. ${probeWords(probe)}`,
    warnings: [...warnings].slice(0, 10),
  };
}

function probeWords(probe: WriteProbe): string {
  switch (probe.outcome) {
    case 'allowed':
      return 'These credentials may write there: a write with a deliberately wrong checksum was refused for its checksum, not for permission, so nothing was stored.';
    case 'stored':
      return `These credentials may write there, but the store kept the check's one-byte write despite its wrong checksum: ${probe.key} (locked GOVERNANCE for one day).`;
    case 'unknown':
    case 'denied':
      return `Whether these credentials may write there could not be told without writing (${probe.error}): the first write says so if it is refused.`;
  }
}

function messageOf(e: unknown): string {
  return isAuditArchiveError(e) ? e.message : 'The check failed unexpectedly; try again.';
}
