/** `audit-archive bucket init [--yes]`: create an S3 bucket with Object Lock and print the exporter's IAM policy. */
import type { Settings } from '../../../shared/settings';
import { initBucket } from '../../engine/archive/stores/bucket-init';
import { exporterIamPolicy, overwriteGuardBucketPolicy } from '../../engine/archive/stores/iam-policy';
import type { CliParts } from '../composition';
import { warn, type CliContext } from '../context';
import { EXIT_OK } from '../exit-codes';
import { UsageError, type FlagValues } from '../usage';

export const options = { yes: { type: 'boolean' } } as const;

interface BucketInitArgs {
  readonly confirmed: boolean;
}

export function parse(values: FlagValues): BucketInitArgs {
  return { confirmed: values.yes === true };
}

export function run(args: BucketInitArgs, parts: CliParts): Promise<number> {
  return bucketInit(parts.ctx, parts.settings().archive, args.confirmed);
}

async function bucketInit(ctx: CliContext, archive: Settings['archive'], confirmed: boolean): Promise<number> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(archive.target);
  if (!m)
    throw new UsageError(
      'bucket init needs an s3:// archive target (set AUDIT_ARCHIVE_TARGET or --target s3://bucket/prefix)',
      'bucket init',
    );
  const [, bucket = '', prefix = ''] = m;
  if (archive.lockMode === 'COMPLIANCE' && !confirmed) {
    throw new UsageError(
      `COMPLIANCE mode cannot be undone: no one, root included, can delete objects in s3://${bucket} for ${archive.retentionDays} days. Add --yes to confirm, or set AUDIT_ARCHIVE_LOCK_MODE=GOVERNANCE for a trial`,
      'bucket init',
    );
  }
  const s3 = archive.s3;
  const endpoint = s3.endpoint ?? (ctx.env.AWS_ENDPOINT_URL_S3 || ctx.env.AWS_ENDPOINT_URL || undefined);
  const summary = await initBucket({
    bucket,
    lockMode: archive.lockMode,
    retentionDays: archive.retentionDays,
    connection: {
      ...(s3.region ? { region: s3.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: s3.forcePathStyle,
    },
  });
  ctx.stderr.write(
    `s3://${summary.bucket}: ${summary.created ? 'created' : 'already existed'} with Object Lock and versioning; default retention ${summary.defaultRetention.mode} ${summary.defaultRetention.days} days${summary.retentionChanged ? ' (set now)' : ''}.\n`,
  );
  for (const w of summary.warnings) warn(ctx, w);
  ctx.stdout.write(
    `Least-privilege IAM policy for the exporter (no delete, no governance bypass):\n${JSON.stringify(exporterIamPolicy(bucket, prefix), null, 2)}\n`,
  );
  ctx.stdout.write(
    `\nOptional, on AWS: a bucket policy that refuses any write adding a version to an existing key under the archive (verify reports one anyway; this makes it impossible). Merge it into the bucket's policy:\n${JSON.stringify(overwriteGuardBucketPolicy(bucket, prefix), null, 2)}\n`,
  );
  return EXIT_OK;
}
