/**
 * confirmLock: the read-back after every write. A day is archived only when each object is read
 * back from the store with the lock and size that were asked for.
 *
 * Some S3-compatible stores accept COMPLIANCE headers without enforcing them (docs/STORAGE.md), and
 * Ceph ignores them on multipart uploads, so what the PUT request said proves nothing by itself.
 */
import { AuditArchiveError } from '../../../../shared/errors';
import type { ArchiveStore, ObjectInfo, ObjectLock, PutObjectResult } from '../archive-store';

/** Stores round retain-until to the second (or keep milliseconds): anything closer than this matches. */
const RETAIN_UNTIL_TOLERANCE_MS = 1000;

/**
 * Reads the written version back and checks it is there, with the expected size and lock.
 *
 * A local folder has no lock (the contract reports null there), so only its size is checked.
 * Throws ARCHIVE_LOCK_NOT_CONFIRMED otherwise; returns what the store reported.
 */
export async function confirmLock(
  store: ArchiveStore,
  put: PutObjectResult,
  expected: { lock: ObjectLock; size: number },
): Promise<ObjectInfo> {
  const where = `${put.key}${put.versionId ? ` (version ${put.versionId})` : ''} in ${store.url}`;
  const info = await store.headObject(put.key, put.versionId);
  const fail = (what: string) =>
    new AuditArchiveError(
      'ARCHIVE_LOCK_NOT_CONFIRMED',
      `${where} ${what}, so the day is not marked archived. Check that the store enforces Object Lock, then run the export again.`,
    );
  if (!info) throw fail('cannot be read back after writing');
  if (info.size !== expected.size) throw fail(`reads back ${info.size} bytes instead of ${expected.size}`);
  if (store.kind === 'local') return info;
  if (!info.lock) {
    // S3 also omits the lock from HeadObject when the caller lacks s3:GetObjectRetention.
    throw fail(
      `reads back without a lock (expected ${expected.lock.mode} until ${expected.lock.retainUntil}; the credentials need s3:GetObjectRetention to see it)`,
    );
  }
  if (info.lock.mode !== expected.lock.mode)
    throw fail(`reads back locked in ${info.lock.mode} mode instead of ${expected.lock.mode}`);
  // Longer than asked is fine (Ceph starts a bucket's default retention when a multipart upload
  // completes, seconds after the requested date): the manifest records what was read back.
  const actual = Date.parse(info.lock.retainUntil);
  const wanted = Date.parse(expected.lock.retainUntil);
  if (!(actual + RETAIN_UNTIL_TOLERANCE_MS > wanted)) {
    throw fail(
      `reads back retained until ${info.lock.retainUntil}, earlier than the ${expected.lock.retainUntil} asked`,
    );
  }
  return info;
}
