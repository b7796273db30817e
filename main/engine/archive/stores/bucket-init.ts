/**
 * `bucket init`: creates a correctly locked bucket for a new deployment (Object Lock on, which turns
 * versioning on, and a default retention), or accepts an existing locked one.
 *
 * It never weakens anything: a bucket that exists without Object Lock is refused (the lock must be
 * switched on deliberately by its owner), and an existing default retention that already meets the
 * request is left alone. COMPLIANCE retention cannot be undone, which is why the CLI confirms first.
 */
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { AuditArchiveError } from '../../../../shared/errors';
import { LockModeSchema, type LockMode } from '../../../../shared/manifest';
import { errorName, s3Failure } from './s3-failure';
import { createS3Client, GOVERNANCE_WARNING, type S3StoreOptions } from './s3-store';

export interface InitBucketOptions {
  /** An SDK client to use; otherwise one is made from `connection` (default credential chain). */
  readonly client?: S3Client;
  readonly connection?: Pick<S3StoreOptions, 'region' | 'endpoint' | 'forcePathStyle' | 'credentials' | 'profile'>;
  readonly bucket: string;
  readonly lockMode: LockMode;
  readonly retentionDays: number;
}

interface BucketInitSummary {
  readonly bucket: string;
  /** False when the bucket already existed with Object Lock. */
  readonly created: boolean;
  /** True when this run set the default retention (new bucket, or an existing one that fell short). */
  readonly retentionChanged: boolean;
  readonly objectLock: 'Enabled';
  readonly versioning: 'Enabled';
  readonly defaultRetention: { readonly mode: LockMode; readonly days: number };
  readonly warnings: readonly string[];
}

const InitSchema = z.object({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
    ),
  lockMode: LockModeSchema,
  // S3's maximum retention is 100 years.
  retentionDays: z.number().int().min(1).max(36_500),
});

/**
 * Creates (or accepts) a bucket with Object Lock, versioning and the requested default retention,
 * then reads the configuration back. Throws ARCHIVE_NOT_WORM for an existing unlocked bucket.
 */
export async function initBucket(options: InitBucketOptions): Promise<BucketInitSummary> {
  const { bucket, lockMode, retentionDays } = parseInit(options);
  const client = options.client ?? createS3Client(options.connection ?? {});
  const url = `s3://${bucket}`;
  const created = !(await bucketExists(client, bucket, url));
  if (created) await createLockedBucket(client, bucket, url);
  const existing = await readDefaultRetention(client, bucket, url);
  const satisfies = existing !== null && existing.mode === lockMode && existing.days >= retentionDays;
  if (!satisfies) await setDefaultRetention(client, bucket, url, lockMode, retentionDays);

  // Read everything back: the summary reports what the store holds, not what was asked.
  const retention = await readDefaultRetention(client, bucket, url);
  if (!retention || retention.mode !== lockMode || retention.days < retentionDays) {
    throw new AuditArchiveError(
      'ARCHIVE_NOT_WORM',
      `${url} did not keep the default retention ${lockMode} ${retentionDays} days (reads back ${retention ? `${retention.mode} ${retention.days} days` : 'none'}). Check that the store supports Object Lock.`,
    );
  }
  await checkVersioning(client, bucket, url);
  const warnings: string[] = [];
  if (lockMode === 'GOVERNANCE') warnings.push(GOVERNANCE_WARNING);
  if (!created && satisfies)
    warnings.push(
      `${url} already existed with Object Lock and a default retention of ${retention.mode} ${retention.days} days; it was left unchanged.`,
    );
  return {
    bucket,
    created,
    retentionChanged: !satisfies,
    objectLock: 'Enabled',
    versioning: 'Enabled',
    defaultRetention: retention,
    warnings,
  };
}

function parseInit(options: InitBucketOptions): z.infer<typeof InitSchema> {
  const parsed = InitSchema.safeParse(options);
  if (!parsed.success) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Cannot initialise the bucket: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}. Nothing was created.`,
    );
  }
  return parsed.data;
}

/** A new bucket with Object Lock (which turns versioning on), in the client's region. */
async function createLockedBucket(client: S3Client, bucket: string, url: string): Promise<void> {
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectLockEnabledForBucket: true,
        // us-east-1 is the one region that refuses an explicit location constraint.
        CreateBucketConfiguration:
          region && region !== 'us-east-1' ? { LocationConstraint: region as never } : undefined,
      }),
    );
  } catch (e) {
    if (errorName(e) === 'BucketAlreadyExists') {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `The bucket name ${bucket} is taken by another account. Choose another name; nothing was created.`,
      );
    }
    throw s3Failure(e, url, 'create the bucket');
  }
}

async function setDefaultRetention(
  client: S3Client,
  bucket: string,
  url: string,
  lockMode: LockMode,
  retentionDays: number,
): Promise<void> {
  try {
    await client.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: lockMode, Days: retentionDays } },
        },
      }),
    );
  } catch (e) {
    throw s3Failure(e, url, 'set the default retention');
  }
}

async function checkVersioning(client: S3Client, bucket: string, url: string): Promise<void> {
  let versioning: string | undefined;
  try {
    versioning = (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  } catch (e) {
    throw s3Failure(e, url, 'read its versioning state');
  }
  if (versioning !== 'Enabled') {
    throw new AuditArchiveError(
      'ARCHIVE_NOT_WORM',
      `${url} has Object Lock but versioning is not enabled. Check that the store supports Object Lock.`,
    );
  }
}

async function bucketExists(client: S3Client, bucket: string, url: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || errorName(e) === 'NotFound' || errorName(e) === 'NoSuchBucket') return false;
    if (status === 403) {
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `${url} exists but these credentials may not use it (HTTP 403): it may belong to another account. Choose another name or fix the credentials; nothing was created.`,
        { cause: e },
      );
    }
    throw s3Failure(e, url, 'look up the bucket');
  }
}

/** The bucket's default retention; null when it has none. Throws ARCHIVE_NOT_WORM without Object Lock. */
async function readDefaultRetention(
  client: S3Client,
  bucket: string,
  url: string,
): Promise<{ mode: LockMode; days: number } | null> {
  let config;
  try {
    config = (await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration;
  } catch (e) {
    if (errorName(e) !== 'ObjectLockConfigurationNotFoundError')
      throw s3Failure(e, url, 'read its Object Lock configuration');
  }
  if (config?.ObjectLockEnabled !== 'Enabled') {
    throw new AuditArchiveError(
      'ARCHIVE_NOT_WORM',
      `${url} already exists without Object Lock, so it cannot hold the archive. Choose a new bucket name, or have its owner enable Object Lock (with versioning) on it; nothing was changed.`,
    );
  }
  const rule = config.Rule?.DefaultRetention;
  const mode = LockModeSchema.safeParse(rule?.Mode);
  if (!rule || !mode.success || (rule.Days === undefined && rule.Years === undefined)) return null;
  return { mode: mode.data, days: rule.Days ?? (rule.Years ?? 0) * 365 };
}
