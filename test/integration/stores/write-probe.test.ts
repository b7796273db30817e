/**
 * Asking whether credentials may write locked objects under a prefix without storing one
 * (main/engine/archive/stores/write-probe.ts), on Ceph RGW: the exporter, who holds the exporter's
 * policy for PREFIX only, may write there and not beside it; the bucket's owner may; and no probe
 * leaves a version or a delete marker behind.
 */
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { probeLockedWrite } from '../../../main/engine/archive/stores/write-probe';
import { PREFIX, exporterBucket, exporterClient } from '../archive/exporter-rgw-fixture';
import { rawClient } from './rgw-fixtures';

describe('the write probe on Ceph RGW', () => {
  it('tells allowed from denied by the store’s answer, and stores nothing', async () => {
    const bucket = await exporterBucket('probe', 'GOVERNANCE', 1);
    expect(await probeLockedWrite(exporterClient(), bucket, PREFIX)).toEqual({ outcome: 'allowed' });
    expect(await probeLockedWrite(rawClient(), bucket, 'elsewhere')).toEqual({ outcome: 'allowed' });
    const denied = await probeLockedWrite(exporterClient(), bucket, 'elsewhere');
    expect(denied).toMatchObject({ outcome: 'denied' });
    expect(denied.outcome === 'denied' && denied.error).toMatch(/HTTP 403/);
    const listed = await rawClient().send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect([...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]).toEqual([]);
  });
});
