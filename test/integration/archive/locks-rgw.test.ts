/**
 * Locks as Ceph RGW really applies them: a multipart part in a bucket made by `bucket init` (Ceph
 * ignores the lock headers of CreateMultipartUpload and starts the bucket's default retention when
 * the upload completes) is confirmed and verified; and verify judges the locks of the manifests and
 * of the root object, not only of the data, against the policy.
 */
import { PutObjectRetentionCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { Archive } from '../../../main/engine/archive/archive';
import { exportDay } from '../../../main/engine/archive/export-day';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { simulatorSource } from '../../../main/engine/archive/archive-session';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { readArchiveAfresh } from '../../unit/archive/verify-archive.helpers';
import { rawClient } from '../stores/rgw-fixtures';
import { PREFIX, exporterBucket, exporterEnv, exporterStore, runCli, verifyCli } from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;
const MIB = 1024 * 1024;

describe('locks on Ceph RGW', () => {
  const last = lastSettledDay(Date.now(), 120);
  let home: string;
  const sims: GenesysSimulator[] = [];

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'locks-rgw-'));
  });
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
    await rm(home, { recursive: true, force: true });
  });

  it('a day whose part is above the multipart threshold, in a bucket made by bucket init, is confirmed locked and verifies', async () => {
    const bucket = await exporterBucket('mp', 'COMPLIANCE', RETENTION_DAYS);
    // About 1 kB of JSON per event, gzip about 8x: 60,000 events make one part of about 7 MiB,
    // above a 5 MiB threshold (the default is 64 MiB; S3's smallest part is 5 MiB).
    const sim = await startGenesysSimulator({ eventsPerDay: 60_000, seed: 29 });
    sims.push(sim);
    const store = exporterStore(bucket, { multipartThresholdBytes: 5 * MIB, multipartPartBytes: 5 * MIB });
    const stateDir = join(home, 'state-mp');
    const archive = new Archive({
      store,
      stateDir,
      keys: new FileSigningKeyStore(stateDir),
      policy: { lockMode: 'COMPLIANCE', retentionDays: RETENTION_DAYS },
      lease: { ttlMs: 60_000, waitMs: 0, program: 'a test' },
      toolVersion: 'test',
    });
    const source = simulatorSource(sim);
    const identity = await source.identify();
    const asked = archive.lockFor(Date.now());
    const result = await archive.withWriter(
      {
        purpose: 'production',
        organisation: { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost },
      },
      (writer) =>
        exportDay(
          {
            writer,
            source,
            sourceRecord: { demo: false, ...identity, perServiceQueries: false },
            policy: { settlementMinutes: 120, maxPartBytes: 64 * MIB, genesysRetentionDays: 365 },
            toolVersion: 'test',
          },
          last,
        ),
    );
    expect(result.events).toBe(sim.expectedEventCount(last));
    const [part] = result.manifest.objects;
    expect(result.manifest.objects).toHaveLength(1);
    expect(part!.size).toBeGreaterThan(5 * MIB);
    // Ceph's default retention, counted from completion: at least what was asked, recorded as read back.
    expect(part!.lockMode).toBe('COMPLIANCE');
    expect(Date.parse(part!.retainUntil!)).toBeGreaterThanOrEqual(Date.parse(asked.retainUntil));
    const info = await store.headObject(part!.key, part!.versionId);
    expect(info?.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: part!.retainUntil });

    const env = exporterEnv({ home, target: `s3://${bucket}/${PREFIX}`, sim, retentionDays: RETENTION_DAYS, stateDir });
    const { text, report } = await verifyCli(['--from', last, '--to', last, '--full'], env);
    expect(report.problems).toEqual([]);
    expect(text.stdout).toMatch(/^OK: .*1 manifests and 1 objects checked \(full/);
    expect(text.code).toBe(0);
  });

  describe('an archive written in GOVERNANCE mode (a trial bucket)', () => {
    const days: Day[] = [addDays(last, -1), last];
    let bucket: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      const sim = await startGenesysSimulator({ eventsPerDay: 200, seed: 31 });
      sims.push(sim);
      bucket = await exporterBucket('gov', 'GOVERNANCE', RETENTION_DAYS, { adminMayBypass: true });
      env = exporterEnv({
        home,
        target: `s3://${bucket}/${PREFIX}`,
        sim,
        retentionDays: RETENTION_DAYS,
        stateDir: join(home, 'state-gov'),
        extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' },
      });
      const r = await runCli(['catch-up', '--from', days[0] as Day, '--to', last], env);
      expect(r.code).toBe(0);
      expect((await runCli(['verify', '--from', days[0] as Day, '--to', last], env)).code).toBe(0);
    });

    it('checked against a COMPLIANCE policy, fails on the lock of the root, of every manifest and of every part', async () => {
      const snapshot = await readArchiveAfresh(exporterStore(bucket));
      const expected = [
        { day: null, key: rootKey(PREFIX) },
        ...snapshot.assessment.chain.flatMap((c) => [
          { day: c.manifest.day, key: c.key },
          ...c.manifest.objects.map((o) => ({ day: c.manifest.day, key: o.key })),
        ]),
      ];
      expect(expected.length).toBeGreaterThanOrEqual(5);

      const { text, json, report } = await verifyCli(['--from', days[0] as Day, '--to', last], {
        ...env,
        AUDIT_ARCHIVE_LOCK_MODE: 'COMPLIANCE',
      });
      expect(text.code).toBe(1);
      expect(json.code).toBe(1);
      expect(report.problems.map((p) => p.kind)).toEqual(expected.map(() => 'lock-not-in-force'));
      expect(report.problems.map((p) => ({ day: p.day, key: p.key })).sort(byKey)).toEqual(expected.sort(byKey));
      for (const { day, key } of expected)
        expect(text.stdout).toContain(
          `${day ?? 'archive'} lock-not-in-force ${key}: ${key} is locked in GOVERNANCE mode`,
        );
    });

    it('a manifest and the root whose GOVERNANCE lock someone with the bypass right shortened are named', async () => {
      const snapshot = await readArchiveAfresh(exporterStore(bucket));
      const manifest = snapshot.assessment.chain[0]!;
      const root = snapshot.listing.root!.versions[0]!;
      for (const [key, versionId] of [
        [manifest.key, manifest.versionId],
        [root.key, root.versionId],
      ] as const) {
        await rawClient().send(
          new PutObjectRetentionCommand({
            Bucket: bucket,
            Key: key,
            VersionId: versionId ?? undefined,
            BypassGovernanceRetention: true,
            Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 3_600_000) },
          }),
        );
      }
      const { text, report } = await verifyCli(['--from', days[0] as Day, '--to', last], env);
      expect(text.code).toBe(1);
      expect(report.problems).toEqual([
        expect.objectContaining({
          day: null,
          kind: 'lock-not-in-force',
          key: root.key,
          detail: expect.stringContaining('shorter than the policy'),
        }),
        expect.objectContaining({
          day: manifest.manifest.day,
          kind: 'lock-not-in-force',
          key: manifest.key,
          detail: expect.stringContaining('shorter than the policy'),
        }),
      ]);
    });
  });
});

function byKey(a: { key?: string | undefined }, b: { key?: string | undefined }): number {
  return (a.key ?? '') < (b.key ?? '') ? -1 : 1;
}
