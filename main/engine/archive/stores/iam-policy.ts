/**
 * The least-privilege IAM policy the exporter needs on its archive bucket (printed by
 * `audit-archive bucket init` for the administrator to attach to the exporter's role or user).
 *
 * It can write new object versions with a lock and read them back, and nothing else: no delete
 * (s3:DeleteObject / s3:DeleteObjectVersion), no s3:BypassGovernanceRetention, no change to the
 * bucket's lock configuration (s3:PutBucketObjectLockConfiguration) or policy. Even if the
 * exporter's credentials leak, they cannot remove or shorten what is archived. Creating the bucket
 * (`bucket init`) needs an administrator's rights, not these. Not needed either:
 * s3:ListMultipartUploadParts / s3:ListBucketMultipartUploads (the store keeps its part list in
 * memory and aborts a failed upload by its id) and s3:PutObjectLegalHold (holds are set by people).
 *
 * Tried for real in test/integration/stores/iam-policy.test.ts (Ceph RGW, as a bucket policy).
 */

export interface IamPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamPolicyStatement[];
}

/**
 * The exporter's policy for `bucket` and the archive `prefix` ('' for the whole bucket).
 * `partition` is 'aws' except in GovCloud ('aws-us-gov') and China ('aws-cn').
 */
export function exporterIamPolicy(
  bucket: string,
  prefix: string,
  partition: 'aws' | 'aws-us-gov' | 'aws-cn' = 'aws',
): IamPolicyDocument {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const objects = p ? `${bucketArn}/${p}/*` : `${bucketArn}/*`;
  const listVersions: IamPolicyStatement = {
    Sid: 'ListArchiveVersions',
    Effect: 'Allow',
    // ListObjectVersions: the archive index, the "never replace" check before each write, and
    // spotting delete markers (tampering evidence) that a plain listing hides.
    Action: ['s3:ListBucketVersions'],
    Resource: bucketArn,
  };
  return {
    Version: '2012-10-17',
    Statement: [
      p ? { ...listVersions, Condition: { StringLike: { 's3:prefix': [`${p}/*`] } } } : listVersions,
      {
        Sid: 'TellMissingFromDenied',
        Effect: 'Allow',
        // Without s3:ListBucket, S3 answers 403 instead of 404 for a missing object, and the verifier
        // could not tell "missing" from "denied". Not limited by s3:prefix: that key is absent on a
        // HeadObject, so a prefix condition would bring the 403 back. It reveals key names, no content.
        Action: ['s3:ListBucket'],
        Resource: bucketArn,
      },
      {
        Sid: 'CheckBucketIsWorm',
        Effect: 'Allow',
        Action: [
          // Refuse a bucket without Object Lock or with a default retention shorter than policy.
          's3:GetBucketObjectLockConfiguration',
          // Object Lock needs versioning; checked before any export.
          's3:GetBucketVersioning',
        ],
        Resource: bucketArn,
      },
      {
        Sid: 'WriteLockedArchiveObjects',
        Effect: 'Allow',
        Action: [
          // PutObject, and CreateMultipartUpload / UploadPart / CompleteMultipartUpload for large parts.
          's3:PutObject',
          // Required for a PUT that carries x-amz-object-lock-mode / retain-until headers, and to set
          // the retention of a multipart object on stores that ignore the headers there (Ceph).
          // It can only extend a COMPLIANCE retention, never shorten it.
          's3:PutObjectRetention',
          // Clean up a failed multipart upload so no invisible parts linger (and cost).
          's3:AbortMultipartUpload',
        ],
        Resource: objects,
      },
      {
        Sid: 'ReadBackAndVerify',
        Effect: 'Allow',
        Action: [
          // GetObject / HeadObject of the current version (verify, discovery, reports).
          's3:GetObject',
          // GetObject / HeadObject with a VersionId: every read-back names the version in the manifest.
          's3:GetObjectVersion',
          // Without it HeadObject omits the lock mode and retain-until, and the lock cannot be confirmed.
          's3:GetObjectRetention',
          // Without it HeadObject omits the legal hold status (verify checks held versions: holds/hold-check.ts).
          's3:GetObjectLegalHold',
        ],
        Resource: objects,
      },
    ],
  };
}

interface BucketPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal: '*';
  readonly Action: readonly string[];
  readonly Resource: string;
  readonly Condition: Record<string, Record<string, string>>;
}

/**
 * On AWS, a bucket policy can make "a new version over an archived key" impossible instead of
 * merely detected (docs/STORAGE.md, Conditional writes): it refuses every object-creating write
 * under the prefix that does not carry `If-None-Match: *`, which AWS then enforces (412 when the
 * key exists). The exporter sends that header on every PutObject and CompleteMultipartUpload, the
 * writer lease included (its heartbeats are new keys, never new versions).
 * `s3:ObjectCreationOperation` exempts CreateMultipartUpload and UploadPart, which take no
 * conditional header. Ceph ignores both, so this is offered for AWS and cannot be tried here;
 * verify catches a second version either way.
 */
export function overwriteGuardBucketPolicy(
  bucket: string,
  prefix: string,
  partition: 'aws' | 'aws-us-gov' | 'aws-cn' = 'aws',
): { Version: '2012-10-17'; Statement: BucketPolicyStatement[] } {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RefuseWritesOverArchivedKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:PutObject'],
        Resource: p ? `${bucketArn}/${p}/*` : `${bucketArn}/*`,
        Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
      },
    ],
  };
}
