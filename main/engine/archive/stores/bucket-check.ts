/**
 * What a bucket is, as "Check bucket" reports it before anything is written: whether it exists,
 * whether Object Lock is on, its versioning state and its default retention, read with the
 * exporter's own credentials. It changes nothing; the verdict (ready, create, refused and why) is
 * the caller's, against the retention policy.
 */
import {
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AuditArchiveError } from '../../../../shared/errors';
import { LockModeSchema, type LockMode } from '../../../../shared/manifest';
import { errorName, s3Failure } from './s3-failure';

export interface BucketInspection {
  readonly exists: boolean;
  /** Null when the bucket does not exist. */
  readonly objectLock: boolean | null;
  /** `Enabled`, `Suspended` or `Off`; null when the bucket does not exist. */
  readonly versioning: string | null;
  readonly defaultRetention: { readonly mode: LockMode; readonly days: number } | null;
}

/** Reads the bucket's lock configuration and versioning. Throws ARCHIVE_UNREACHABLE when it cannot. */
export async function inspectBucket(client: S3Client, bucket: string): Promise<BucketInspection> {
  const url = `s3://${bucket}`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || errorName(e) === 'NotFound' || errorName(e) === 'NoSuchBucket') {
      return { exists: false, objectLock: null, versioning: null, defaultRetention: null };
    }
    if (status === 403) {
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `${url} exists but these credentials may not use it (HTTP 403): it may belong to another account, or the role lacks the exporter policy. Fix the credentials (AWS profile) or choose another bucket.`,
        { cause: e },
      );
    }
    throw s3Failure(e, url, 'look up the bucket');
  }

  let objectLock = false;
  let defaultRetention: BucketInspection['defaultRetention'] = null;
  try {
    const config = (await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })))
      .ObjectLockConfiguration;
    objectLock = config?.ObjectLockEnabled === 'Enabled';
    const rule = config?.Rule?.DefaultRetention;
    const mode = LockModeSchema.safeParse(rule?.Mode);
    if (objectLock && rule && mode.success && (rule.Days !== undefined || rule.Years !== undefined)) {
      // A year counts as 365 days: the shorter reading, so a bucket is never judged longer than it is.
      defaultRetention = { mode: mode.data, days: rule.Days ?? (rule.Years ?? 0) * 365 };
    }
  } catch (e) {
    if (errorName(e) !== 'ObjectLockConfigurationNotFoundError')
      throw s3Failure(e, url, 'read its Object Lock configuration');
  }

  let versioning: string;
  try {
    versioning = (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status ?? 'Off';
  } catch (e) {
    throw s3Failure(e, url, 'read its versioning state');
  }
  return { exists: true, objectLock, versioning, defaultRetention };
}
