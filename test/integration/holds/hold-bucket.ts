/**
 * A bucket for legal holds on Ceph RGW, as the README's legal-hold section sets one up: the exporter
 * holds the exporter's policy and the explicit Deny of legal-hold changes (Ceph lets a user change
 * the hold of objects it wrote without a grant); the officer (the administrator, "test") the
 * exporter's policy plus the legal-hold statement, and governance bypass (to try a delete). Used by
 * the CLI's tests (holds-rgw.test.ts) and the app's (test/integration/ui/holds-app.test.ts).
 */
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { exporterHoldDenyStatement, legalHoldOfficerStatement } from '../../../main/engine/archive/holds/hold-policy';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { exporterIamPolicy } from '../../../main/engine/archive/stores/iam-policy';
import { rawClient, rgwConnection, uniqueBucket } from '../stores/rgw-fixtures';
import { PREFIX } from '../archive/exporter-rgw-fixture';

export async function holdsBucket(label: string, retentionDays: number): Promise<string> {
  const bucket = uniqueBucket(label);
  await initBucket({ connection: rgwConnection(), bucket, lockMode: 'GOVERNANCE', retentionDays });
  const exporter = exporterIamPolicy(bucket, PREFIX).Statement.map((s) => ({
    ...s,
    Principal: { AWS: ['arn:aws:iam:::user/exporter', 'arn:aws:iam:::user/test'] },
  }));
  const officer = { ...legalHoldOfficerStatement(bucket, PREFIX), Principal: { AWS: ['arn:aws:iam:::user/test'] } };
  const bypass = {
    Sid: 'AdministratorMayBypassGovernance',
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam:::user/test'] },
    Action: ['s3:BypassGovernanceRetention', 's3:PutObjectRetention', 's3:GetObjectRetention'],
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  const deny = exporterHoldDenyStatement(bucket, PREFIX, 'arn:aws:iam:::user/exporter');
  const policy = { Version: '2012-10-17', Statement: [...exporter, officer, bypass, deny] };
  await rawClient().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  return bucket;
}
