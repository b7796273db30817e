/**
 * The IAM statement for the officer who places and releases legal holds (the README's legal-hold
 * section). It is separate from the exporter's policy (stores/iam-policy.ts), which leaves
 * s3:PutObjectLegalHold out: whoever holds the exporter's credentials must not be able to release a
 * hold. The officer's role holds the exporter's policy plus this statement (a hold record is written
 * under the writer lease and read back like any archive object).
 *
 * Tried for real in test/integration/holds/holds-rgw.test.ts (Ceph RGW, as a bucket policy).
 */
import type { IamPolicyStatement } from '../stores/iam-policy';

interface DenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal: { readonly AWS: readonly string[] };
  readonly Action: readonly string[];
  readonly Resource: string;
}

export function legalHoldOfficerStatement(
  bucket: string,
  prefix: string,
  partition: 'aws' | 'aws-us-gov' | 'aws-cn' = 'aws',
): IamPolicyStatement {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  return {
    Sid: 'PlaceAndReleaseLegalHolds',
    Effect: 'Allow',
    // PutObjectLegalHold turns a version's hold ON and OFF; GetObjectLegalHold reads it back.
    Action: ['s3:PutObjectLegalHold', 's3:GetObjectLegalHold'],
    Resource: p ? `${bucketArn}/${p}/*` : `${bucketArn}/*`,
  };
}

/**
 * A bucket-policy statement refusing legal-hold changes to the exporter's principal (its role's
 * ARN), whatever else it is granted. Measured on Ceph RGW: a user may change the legal hold of an
 * object it wrote itself without any grant (the object's owner), so leaving the permission out of
 * the exporter's policy is not enough there; an explicit Deny is. On AWS it also outlasts a role
 * that someone later grants more.
 */
export function exporterHoldDenyStatement(
  bucket: string,
  prefix: string,
  exporterPrincipal: string,
  partition: 'aws' | 'aws-us-gov' | 'aws-cn' = 'aws',
): DenyStatement {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  return {
    Sid: 'ExporterMayNotChangeLegalHolds',
    Effect: 'Deny',
    Principal: { AWS: [exporterPrincipal] },
    Action: ['s3:PutObjectLegalHold'],
    Resource: p ? `${bucketArn}/${p}/*` : `${bucketArn}/*`,
  };
}
