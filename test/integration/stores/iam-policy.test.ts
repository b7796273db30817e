/**
 * The exporter's least-privilege policy, tried for real: Ceph RGW evaluates the same S3 actions as
 * bucket policy, so the policy `bucket init` prints is granted to a second user and that user runs
 * the archive. It must be able to do everything the exporter and verifier do, and nothing that could
 * remove, hide or weaken what is archived.
 */
import {
  DeleteObjectCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { dataKey } from '../../../shared/archive-layout';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { confirmLock } from '../../../main/engine/archive/stores/confirm-lock';
import { exporterIamPolicy } from '../../../main/engine/archive/stores/iam-policy';
import { S3ObjectLockStore } from '../../../main/engine/archive/stores/s3-store';
import { collect, lockFor, part, rawClient, readAll, rgwConnection, sha256Hex, uniqueBucket } from './rgw-fixtures';

const PREFIX = 'acme/prod';

describe("the exporter's least-privilege policy", () => {
  let bucket: string;
  let exporter: { accessKeyId: string; secretAccessKey: string };
  let exporterClient: S3Client;
  const exporterStore = (prefix = PREFIX, extra = {}) =>
    new S3ObjectLockStore({ bucket, prefix, ...rgwConnection(), credentials: exporter, ...extra });

  beforeAll(async () => {
    exporter = inject('rgw').exporter;
    bucket = uniqueBucket('iam');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
    const policy = exporterIamPolicy(bucket, PREFIX);
    const asBucketPolicy = {
      Version: policy.Version,
      Statement: policy.Statement.map((s) => ({ ...s, Principal: { AWS: ['arn:aws:iam:::user/exporter'] } })),
    };
    await rawClient().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(asBucketPolicy) }));
    exporterClient = new S3Client({ ...rgwConnection(), credentials: exporter });
  });

  it('grants no delete, no governance bypass and no change to the bucket', () => {
    const actions = exporterIamPolicy(bucket, PREFIX).Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => /Delete|Bypass|PutBucket|PutObjectLegalHold|PutObjectAcl/i.test(a))).toEqual([]);
    expect(exporterIamPolicy(bucket, '').Statement.map((s) => s.Resource)).toContain(`arn:aws:s3:::${bucket}/*`);
  });

  it('is enough to check the bucket, write locked parts (single and multipart), read them back and list them', async () => {
    const store = exporterStore(PREFIX, {
      multipartThresholdBytes: 5 * 1024 * 1024,
      multipartPartBytes: 5 * 1024 * 1024,
    });
    expect((await store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 1 })).worm).toBe(true);

    const small = randomBytes(1000);
    const large = randomBytes(6 * 1024 * 1024);
    const lock = lockFor(2);
    for (const [n, body] of [
      [1, small],
      [2, large],
    ] as const) {
      const put = await store.putObject(part(dataKey(PREFIX, '2026-11-10', n), body, lock));
      await confirmLock(store, put, { lock, size: body.length });
      expect(sha256Hex(await readAll(store.getObject(put.key, put.versionId)))).toBe(sha256Hex(body));
    }
    expect(await collect(store.listVersions(`${PREFIX}/audit-logs/`))).toHaveLength(2);
    // s3:ListBucket is what makes a missing object a 404 (reported missing) rather than a 403.
    expect(await store.headObject(dataKey(PREFIX, '2026-11-11', 1), null)).toBeNull();
  });

  it('cannot delete, hide, unlock or reconfigure anything, nor write outside its prefix', async () => {
    const store = exporterStore();
    const key = dataKey(PREFIX, '2026-11-12', 1);
    const put = await store.putObject(part(key, randomBytes(10), lockFor(1)));
    const denied = { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } };

    await expect(exporterClient.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject(
      denied,
    );
    await expect(
      exporterClient.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: put.versionId! })),
    ).rejects.toMatchObject(denied);
    await expect(
      exporterClient.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: key,
          VersionId: put.versionId!,
          BypassGovernanceRetention: true,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 60_000) },
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(
      exporterClient.send(
        new PutObjectLockConfigurationCommand({
          Bucket: bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
          },
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      exporterClient.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      exporterClient.send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: '{"Version":"2012-10-17","Statement":[]}' }),
      ),
    ).rejects.toMatchObject(denied);

    const elsewhere = exporterStore('other');
    await expect(
      elsewhere.putObject(part(dataKey('other', '2026-11-12', 1), randomBytes(10), lockFor(1))),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_UNREACHABLE',
    });

    const versions = await collect(exporterStore().listVersions(key));
    expect(versions).toEqual([
      expect.objectContaining({ versionId: put.versionId, isDeleteMarker: false, isLatest: true }),
    ]);
    expect((await store.headObject(key, put.versionId))?.lock?.mode).toBe('COMPLIANCE');
  });
});
