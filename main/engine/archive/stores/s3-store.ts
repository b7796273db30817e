/**
 * S3ObjectLockStore: the archive in an S3 bucket with Object Lock (AWS, or an S3-compatible store
 * such as Ceph RADOS Gateway).
 *
 * Every object is written once, with the policy's lock (mode + retain-until), Content-MD5 (which the
 * server verifies) and a SHA-256 checksum, and never over an existing key: a second PUT to a key
 * would add a second version, not replace the first (docs/STORAGE.md), so the store looks first.
 * Credentials come from the AWS SDK default chain (environment, profiles, SSO, instance roles).
 *
 * Measured on Ceph 16 (pacific), the test server here:
 * - `If-None-Match: *` is accepted but not enforced (a second PUT adds a version), so the version
 *   listing checked before each write is the guard there; AWS enforces it (412), closing the race.
 * - Object Lock headers on CreateMultipartUpload are ignored: the completed object gets the bucket's
 *   default retention or none. The store reads the lock back and sets the requested retention with
 *   PutObjectRetention (extending is always allowed).
 * - A wrong `x-amz-checksum-sha256` is accepted silently; a wrong Content-MD5 is refused (BadDigest).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { normalisePrefix } from '../../../../shared/archive-layout';
import { AuditArchiveError } from '../../../../shared/errors';
import { LockModeSchema } from '../../../../shared/manifest';
import type { LeaseMechanism } from '../writer-lease';
import { errorName, s3Failure, statusOf } from './s3-failure';
import { S3ClaimLease } from './s3-lease';
import type {
  ArchiveStore,
  ObjectInfo,
  ObjectLock,
  ObjectVersionEntry,
  PutObjectInput,
  PutObjectResult,
  RetentionPolicy,
  StoreReadiness,
} from '../archive-store';

export const GOVERNANCE_WARNING =
  'GOVERNANCE mode: users with s3:BypassGovernanceRetention can delete; use COMPLIANCE for production';

const MIB = 1024 * 1024;
/** S3's smallest part (all but the last) and largest part count. */
const MIN_PART_BYTES = 5 * MIB;
const MAX_PARTS = 10_000;
const LIST_PAGE = 1000;

export interface S3StoreOptions {
  readonly bucket: string;
  /** Where the layout lives inside the bucket ('' for the bucket root). */
  readonly prefix: string;
  /** Default: the SDK chain (AWS_REGION, profile); 'us-east-1' with a custom endpoint. */
  readonly region?: string;
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:7480`. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** Tests only: production uses the SDK default credential chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A named profile of ~/.aws/config for the default credential chain (settings `archive.s3.profile`). */
  readonly profile?: string;
  /** Bodies larger than this go multipart (default 64 MiB). */
  readonly multipartThresholdBytes?: number;
  /** Part size of multipart uploads (default 16 MiB, at least 5 MiB). */
  readonly multipartPartBytes?: number;
}

const StoreOptionsSchema = z.object({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
    ),
  prefix: z.string(),
  multipartThresholdBytes: z
    .number()
    .int()
    .min(MIN_PART_BYTES)
    .max(5 * 1024 * MIB)
    .default(64 * MIB),
  multipartPartBytes: z
    .number()
    .int()
    .min(MIN_PART_BYTES)
    .max(5 * 1024 * MIB)
    .default(16 * MIB),
});

/** What we read from GetObjectLockConfiguration. */
const LockConfigurationSchema = z.object({
  ObjectLockConfiguration: z
    .object({
      ObjectLockEnabled: z.string().optional(),
      Rule: z
        .object({
          DefaultRetention: z
            .object({
              Mode: z.string().optional(),
              Days: z.number().int().optional(),
              Years: z.number().int().optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

const HeadSchema = z.object({
  ContentLength: z.number().int().nonnegative(),
  VersionId: z.string().optional(),
  ObjectLockMode: z.string().optional(),
  ObjectLockRetainUntilDate: z.date().optional(),
  ObjectLockLegalHoldStatus: z.string().optional(),
  DeleteMarker: z.boolean().optional(),
});

const VersionEntrySchema = z.object({
  Key: z.string().min(1),
  VersionId: z.string().optional(),
  IsLatest: z.boolean().optional(),
  Size: z.number().int().nonnegative().optional(),
  LastModified: z.date().optional(),
});

const ListPageSchema = z.object({
  Versions: z.array(VersionEntrySchema).optional(),
  DeleteMarkers: z.array(VersionEntrySchema).optional(),
  IsTruncated: z.boolean().optional(),
  NextKeyMarker: z.string().optional(),
  NextVersionIdMarker: z.string().optional(),
});

export class S3ObjectLockStore implements ArchiveStore {
  readonly kind = 's3' as const;
  readonly url: string;
  readonly prefix: string;
  readonly bucket: string;
  /** The SDK client (exposed so tests can inject faults on the wire and count requests). */
  readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partBytes: number;
  private requests = 0;

  constructor(options: S3StoreOptions) {
    const parsed = StoreOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new AuditArchiveError(
        'INVALID_SETTINGS',
        `The S3 archive settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`,
      );
    }
    this.bucket = parsed.data.bucket;
    this.prefix = normalisePrefix(parsed.data.prefix);
    this.url = this.prefix ? `s3://${this.bucket}/${this.prefix}` : `s3://${this.bucket}`;
    this.multipartThreshold = parsed.data.multipartThresholdBytes;
    this.partBytes = parsed.data.multipartPartBytes;
    this.client = createS3Client(options);
    // Counted below the retry layer, so every HTTP attempt counts (what a bill or a rate limit sees).
    this.client.middlewareStack.add(
      (next) => (args) => {
        this.requests++;
        return next(args);
      },
      { step: 'deserialize', name: 'auditArchiveRequestCounter' },
    );
  }

  get requestCount(): number {
    return this.requests;
  }

  /**
   * Refuses a bucket that is not WORM (no Object Lock or versioning off) or whose default retention
   * is shorter than policy; warns about GOVERNANCE mode and about a missing default retention.
   */
  async checkReady(policy: RetentionPolicy): Promise<StoreReadiness> {
    let config: z.infer<typeof LockConfigurationSchema>;
    try {
      config = parseReply(
        LockConfigurationSchema,
        await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket })),
        this.url,
      );
    } catch (e) {
      if (errorName(e) === 'ObjectLockConfigurationNotFoundError')
        throw this.notWorm('Object Lock is not enabled on it');
      throw s3Failure(e, this.url, 'read its Object Lock configuration');
    }
    const lock = config.ObjectLockConfiguration;
    if (lock?.ObjectLockEnabled !== 'Enabled') throw this.notWorm('Object Lock is not enabled on it');

    let versioning: string | undefined;
    try {
      versioning = (await this.client.send(new GetBucketVersioningCommand({ Bucket: this.bucket }))).Status;
    } catch (e) {
      throw s3Failure(e, this.url, 'read its versioning state');
    }
    if (versioning !== 'Enabled') throw this.notWorm(`versioning is ${versioning ? versioning.toLowerCase() : 'off'}`);

    const warnings: string[] = [];
    if (policy.lockMode === 'GOVERNANCE') warnings.push(GOVERNANCE_WARNING);
    const rule = lock.Rule?.DefaultRetention;
    let defaultRetention: StoreReadiness['defaultRetention'] = null;
    if (rule && (rule.Days !== undefined || rule.Years !== undefined)) {
      const mode = LockModeSchema.safeParse(rule.Mode);
      if (!mode.success) throw badReply(this.url, `an unknown default retention mode "${String(rule.Mode)}"`);
      // A year counts as 365 days: the shorter reading, so a bucket is never judged longer than it is.
      const days = rule.Days ?? (rule.Years ?? 0) * 365;
      defaultRetention = { mode: mode.data, days };
      if (days < policy.retentionDays) {
        throw new AuditArchiveError(
          'ARCHIVE_RETENTION_TOO_SHORT',
          `${this.url} keeps objects ${days} days by default, shorter than the policy's ${policy.retentionDays} days. ` +
            `Raise the bucket's default retention to at least ${policy.retentionDays} days (PutObjectLockConfiguration), or use a bucket made by \`audit-archive bucket init\`.`,
        );
      }
      if (mode.data === 'GOVERNANCE' && policy.lockMode !== 'GOVERNANCE') {
        warnings.push(
          `The bucket's default retention is GOVERNANCE: objects written by other tools can be deleted by users with s3:BypassGovernanceRetention; this tool writes ${policy.lockMode}.`,
        );
      }
    } else {
      warnings.push(
        'The bucket has no default retention: this tool locks every object it writes, but objects written by other tools are not locked.',
      );
    }
    return { worm: true, defaultRetention, warnings };
  }

  /**
   * Writes a new object version with the lock, Content-MD5 and SHA-256; refuses a key that has any
   * version or delete marker already. Bodies above the multipart threshold go multipart.
   */
  async putObject(input: PutObjectInput): Promise<PutObjectResult> {
    this.assertOwnKey(input.key);
    const retainUntil = new Date(input.lock.retainUntil);
    if (!LockModeSchema.safeParse(input.lock.mode).success || Number.isNaN(retainUntil.getTime())) {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `The lock for ${input.key} is invalid (${input.lock.mode}, ${input.lock.retainUntil}); nothing was written.`,
      );
    }
    if (createHash('sha256').update(input.body).digest('hex') !== input.sha256) {
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `The bytes for ${input.key} do not match their SHA-256 (${input.sha256}); nothing was written. Run the export again.`,
      );
    }
    if (await this.anyVersionExists(input.key)) throw objectExists(input.key, this.url);

    const versionId =
      input.body.byteLength > this.multipartThreshold
        ? await this.putMultipart(input, retainUntil)
        : await this.putSingle(input, retainUntil);
    return { key: input.key, versionId, size: input.body.byteLength };
  }

  async extendRetention(key: string, versionId: string | null, lock: ObjectLock): Promise<void> {
    this.assertOwnKey(key);
    try {
      await this.client.send(
        new PutObjectRetentionCommand({
          Bucket: this.bucket,
          Key: key,
          VersionId: versionId ?? undefined,
          Retention: { Mode: lock.mode, RetainUntilDate: new Date(lock.retainUntil) },
        }),
      );
    } catch (e) {
      throw s3Failure(e, this.url, `extend the retention of ${key}`);
    }
  }

  async setLegalHold(key: string, versionId: string | null, on: boolean): Promise<void> {
    this.assertOwnKey(key);
    try {
      await this.client.send(
        new PutObjectLegalHoldCommand({
          Bucket: this.bucket,
          Key: key,
          VersionId: versionId ?? undefined,
          LegalHold: { Status: on ? 'ON' : 'OFF' },
        }),
      );
    } catch (e) {
      if (statusOf(e) === 403 || errorName(e) === 'AccessDenied')
        throw new AuditArchiveError(
          'ARCHIVE_HOLD_DENIED',
          `${this.url} refused to turn the legal hold of ${key} ${on ? 'ON' : 'OFF'}: these credentials may not change legal holds (s3:PutObjectLegalHold). The exporter's policy leaves it out on purpose; holds are placed and released with the officer's credentials (the README's legal-hold IAM statement).`,
          { cause: e },
        );
      throw s3Failure(e, this.url, `set the legal hold of ${key}`);
    }
  }

  writerLease(): LeaseMechanism {
    return new S3ClaimLease(this.client, this.bucket, this.prefix, this.url);
  }

  async headObject(key: string, versionId: string | null): Promise<ObjectInfo | null> {
    let reply;
    try {
      reply = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId ?? undefined }),
      );
    } catch (e) {
      // 404 for a missing key or version; 405 when the version is a delete marker (AWS).
      if (isMissing(e)) return null;
      throw s3Failure(e, this.url, `read ${key}`);
    }
    const head = parseReply(HeadSchema, reply, this.url);
    if (head.DeleteMarker) return null;
    return {
      key,
      versionId: head.VersionId ?? versionId,
      size: head.ContentLength,
      lock: lockOf(head.ObjectLockMode, head.ObjectLockRetainUntilDate, this.url),
      legalHold: head.ObjectLockLegalHoldStatus === 'ON',
    };
  }

  async *getObject(key: string, versionId: string | null): AsyncIterable<Uint8Array> {
    let body: unknown;
    try {
      const reply = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId ?? undefined }),
      );
      body = reply.Body;
    } catch (e) {
      if (isMissing(e)) {
        throw new AuditArchiveError(
          'NOT_FOUND',
          `${key}${versionId ? ` (version ${versionId})` : ''} is missing from ${this.url}. Run verify to see what else is missing.`,
        );
      }
      throw s3Failure(e, this.url, `read ${key}`);
    }
    if (!isAsyncIterable(body)) throw badReply(this.url, `no readable body for ${key}`);
    try {
      for await (const chunk of body) {
        if (!(chunk instanceof Uint8Array)) throw badReply(this.url, `a body chunk of ${key} that is not bytes`);
        yield chunk;
      }
    } catch (e) {
      throw s3Failure(e, this.url, `read ${key}`);
    } finally {
      // A reader that stops early (a hash mismatch, a cancelled report) must not leave the socket open.
      (body as { destroy?: () => void }).destroy?.();
    }
  }

  /** Every version and delete marker under `prefix`, 1000 entries per request, in key order. */
  async *listVersions(prefix: string): AsyncIterable<ObjectVersionEntry> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      let page: z.infer<typeof ListPageSchema>;
      try {
        const reply = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: LIST_PAGE,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        );
        page = parseReply(ListPageSchema, reply, this.url);
      } catch (e) {
        throw s3Failure(e, this.url, `list ${prefix || 'the bucket'}`);
      }
      const entries = [
        ...(page.Versions ?? []).map((v, order) => ({ v, order, isDeleteMarker: false })),
        ...(page.DeleteMarkers ?? []).map((v, order) => ({ v, order, isDeleteMarker: true })),
      ];
      // The SDK splits the server's one ordered list in two; merge back into key order, newest first.
      entries.sort(
        (a, b) => compare(a.v.Key, b.v.Key) || (b.v.LastModified?.getTime() ?? 0) - (a.v.LastModified?.getTime() ?? 0),
      );
      for (const { v, isDeleteMarker } of entries) {
        yield {
          key: v.Key,
          versionId: v.VersionId && v.VersionId !== 'null' ? v.VersionId : null,
          isDeleteMarker,
          isLatest: v.IsLatest ?? false,
          size: isDeleteMarker ? 0 : (v.Size ?? 0),
          lastModified: (v.LastModified ?? new Date(0)).toISOString(),
        };
      }
      if (!page.IsTruncated) return;
      if (!page.NextKeyMarker) throw badReply(this.url, 'a truncated version listing without a next marker');
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }

  private async putSingle(input: PutObjectInput, retainUntil: Date): Promise<string> {
    try {
      const reply = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: input.key,
          Body: input.body,
          ContentType: input.contentType,
          ContentMD5: md5Base64(input.body),
          ChecksumSHA256: Buffer.from(input.sha256, 'hex').toString('base64'),
          ObjectLockMode: input.lock.mode,
          ObjectLockRetainUntilDate: retainUntil,
          // AWS refuses with 412 if the key exists (closing the race after our listing); Ceph ignores it.
          IfNoneMatch: '*',
        }),
      );
      return this.requireVersion(reply.VersionId, input.key);
    } catch (e) {
      throw this.putFailure(e, input.key);
    }
  }

  /**
   * Multipart with per-part Content-MD5 and SHA-256; aborted on any failure so no invisible parts
   * are left (and billed) in the bucket.
   */
  private async putMultipart(input: PutObjectInput, retainUntil: Date): Promise<string> {
    const partBytes = Math.max(this.partBytes, Math.ceil(input.body.byteLength / MAX_PARTS));
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: input.key,
          ContentType: input.contentType,
          ObjectLockMode: input.lock.mode,
          ObjectLockRetainUntilDate: retainUntil,
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      uploadId = created.UploadId;
      if (!uploadId) throw badReply(this.url, `no upload id for ${input.key}`);
      const parts: CompletedPart[] = [];
      for (let offset = 0, partNumber = 1; offset < input.body.byteLength; offset += partBytes, partNumber++) {
        const part = input.body.subarray(offset, Math.min(offset + partBytes, input.body.byteLength));
        const checksum = createHash('sha256').update(part).digest('base64');
        const uploaded = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: input.key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: part,
            ContentMD5: md5Base64(part),
            ChecksumSHA256: checksum,
          }),
        );
        if (!uploaded.ETag) throw badReply(this.url, `no ETag for part ${partNumber} of ${input.key}`);
        parts.push({ PartNumber: partNumber, ETag: uploaded.ETag, ChecksumSHA256: checksum });
      }
      const done = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: input.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: '*',
        }),
      );
      uploadId = undefined;
      const versionId = this.requireVersion(done.VersionId, input.key);
      await this.ensureRetention(input.key, versionId, input.lock, retainUntil);
      return versionId;
    } catch (e) {
      if (uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: input.key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw this.putFailure(e, input.key);
    }
  }

  /**
   * Sets the requested retention on a completed multipart version if the store did not apply it
   * (Ceph ignores lock headers on CreateMultipartUpload). Only ever extends: S3 refuses to shorten.
   */
  private async ensureRetention(key: string, versionId: string, lock: ObjectLock, retainUntil: Date): Promise<void> {
    const info = await this.headObject(key, versionId);
    if (!info)
      throw new AuditArchiveError(
        'ARCHIVE_LOCK_NOT_CONFIRMED',
        `${key} (version ${versionId}) is not readable right after it was written to ${this.url}. Run the export again.`,
      );
    const current = info.lock ? new Date(info.lock.retainUntil).getTime() : 0;
    if (info.lock?.mode === lock.mode && current >= retainUntil.getTime() - 1000) return;
    if (current > retainUntil.getTime()) return; // longer than asked: cannot shorten; confirmLock reports it
    await this.client.send(
      new PutObjectRetentionCommand({
        Bucket: this.bucket,
        Key: key,
        VersionId: versionId,
        Retention: { Mode: lock.mode, RetainUntilDate: retainUntil },
      }),
    );
  }

  /**
   * One request: the exact key sorts first among keys it prefixes, so if it has any version or
   * delete marker, that is the first entry. HeadObject would miss a key whose latest is a delete marker.
   */
  private async anyVersionExists(key: string): Promise<boolean> {
    try {
      const reply = await this.client.send(
        new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }),
      );
      const page = parseReply(ListPageSchema, reply, this.url);
      return [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].some((v) => v.Key === key);
    } catch (e) {
      throw s3Failure(e, this.url, `check whether ${key} exists`);
    }
  }

  private requireVersion(versionId: string | undefined, key: string): string {
    if (!versionId || versionId === 'null') {
      throw this.notWorm(`it returned no version id for ${key} (versioning is off)`);
    }
    return versionId;
  }

  private putFailure(e: unknown, key: string): AuditArchiveError {
    if (e instanceof AuditArchiveError) return e;
    const name = errorName(e);
    if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || statusOf(e) === 412)
      return objectExists(key, this.url);
    if (name === 'BadDigest' || name === 'InvalidDigest' || name === 'XAmzContentSHA256Mismatch') {
      return new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `${this.url} received bytes for ${key} that do not match their Content-MD5 (${name}), so it stored nothing. Run the export again; if it repeats, check proxies between this machine and the store.`,
        { cause: e },
      );
    }
    if (name === 'InvalidRequest') {
      return this.notWorm(`it refused the Object Lock headers for ${key} (InvalidRequest)`);
    }
    return s3Failure(e, this.url, `write ${key}`);
  }

  private notWorm(reason: string): AuditArchiveError {
    return new AuditArchiveError(
      'ARCHIVE_NOT_WORM',
      `${this.url} is not WORM storage: ${reason}. Create a locked bucket with \`audit-archive bucket init\`, or enable Object Lock (with versioning) on this bucket.`,
    );
  }

  private assertOwnKey(key: string): void {
    if (!key || key.endsWith('/') || (this.prefix && !key.startsWith(this.prefix + '/'))) {
      throw new AuditArchiveError('INVALID_ARGUMENT', `"${key}" is not a key under ${this.url}; nothing was written.`);
    }
  }
}

/** The SDK client for a store or for `bucket init`: default credential chain unless given. */
export function createS3Client(
  options: Pick<S3StoreOptions, 'region' | 'endpoint' | 'forcePathStyle' | 'credentials' | 'profile'>,
): S3Client {
  const config: S3ClientConfig = {
    forcePathStyle: options.forcePathStyle ?? false,
    // A bucket in another region answers 301; let the SDK follow instead of failing.
    followRegionRedirects: true,
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  const region = options.region ?? (options.endpoint ? 'us-east-1' : undefined);
  if (region) config.region = region;
  if (options.credentials) config.credentials = options.credentials;
  else if (options.profile) config.profile = options.profile;
  return new S3Client(config);
}

function objectExists(key: string, url: string): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_OBJECT_EXISTS',
    `${key} already exists in ${url} and is never replaced. Nothing was written; rerun the export, which continues with the next part number.`,
  );
}

function badReply(url: string, what: string): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_BAD_OBJECT',
    `${url} sent ${what}. Check that the endpoint is an S3-compatible store.`,
  );
}

function parseReply<T>(schema: z.ZodType<T>, reply: unknown, url: string): T {
  const parsed = schema.safeParse(reply);
  if (!parsed.success)
    throw badReply(
      url,
      `an unexpected reply (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  return parsed.data;
}

function lockOf(mode: string | undefined, until: Date | undefined, url: string): ObjectLock | null {
  if (mode === undefined && until === undefined) return null;
  const parsed = LockModeSchema.safeParse(mode);
  if (!parsed.success || until === undefined || Number.isNaN(until.getTime())) {
    throw badReply(url, `an incomplete object lock (mode ${String(mode)}, retain-until ${String(until)})`);
  }
  return { mode: parsed.data, retainUntil: until.toISOString() };
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function isMissing(e: unknown): boolean {
  const name = errorName(e);
  const status = statusOf(e);
  if (name === 'NoSuchBucket') return false;
  return (
    status === 404 || status === 405 || ['NotFound', 'NoSuchKey', 'NoSuchVersion', 'MethodNotAllowed'].includes(name)
  );
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
