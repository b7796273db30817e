/**
 * Whether these credentials may write a locked object under a prefix, told without storing one: a
 * PutObject with the lock headers a real write carries (so s3:PutObject and s3:PutObjectRetention
 * are both asked for) and a Content-MD5 that does not match its one-byte body. The store decides
 * the permission before it reads the body: a denied write answers 403, an allowed one fails the
 * digest check (400 BadDigest) and nothing is stored. Any other answer tells nothing either way;
 * a store that stores it anyway (it did not check the digest) is said, with the key, so a person
 * can look at it (a GOVERNANCE lock of one day, the shortest a probe can ask for).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { normalisePrefix } from '../../../../shared/archive-layout';
import { errorName, statusOf } from './s3-failure';

export type WriteProbe =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'denied'; readonly error: string }
  | { readonly outcome: 'unknown'; readonly error: string }
  | { readonly outcome: 'stored'; readonly key: string };

export async function probeLockedWrite(
  client: S3Client,
  bucket: string,
  prefix: string,
  now: () => number = Date.now,
): Promise<WriteProbe> {
  const p = normalisePrefix(prefix);
  const key = `${p ? `${p}/` : ''}write-check/${randomUUID()}`;
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: Buffer.from('x'),
        // The MD5 of another body: the store must refuse the bytes once it has allowed the write.
        ContentMD5: createHash('md5').update('not the body').digest('base64'),
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date(now() + 86_400_000),
      }),
    );
    return { outcome: 'stored', key };
  } catch (e) {
    const name = errorName(e);
    if (name === 'BadDigest') return { outcome: 'allowed' };
    const status = statusOf(e);
    const error = status ? `${name}, HTTP ${status}` : name;
    if (status === 403 || name === 'AccessDenied') return { outcome: 'denied', error };
    return { outcome: 'unknown', error };
  }
}
