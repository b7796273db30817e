/**
 * A key rotation on an archive in a real Ceph RGW bucket (COMPLIANCE, made as `bucket init` makes
 * it), by the CLI as a separate process with the exporter's credentials: the key-succession record
 * is locked like a manifest (read back at its version), verify follows the chain across it, and a
 * second version written over the record with the exporter's own credentials is named by verify
 * while the version the archive wrote stays the one trusted. The record's rules (forged records,
 * lost-key restarts) are tested on a local folder in test/unit/archive/key-succession.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySuccessionKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { KeySuccessionSchema } from '../../../shared/key-succession';
import { canonicalJsonBytes } from '../../../main/engine/archive/signing';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { readArchiveAfresh } from '../../unit/archive/verify-archive.helpers';
import {
  PREFIX,
  exporterBucket,
  exporterClient,
  exporterEnv,
  exporterStore,
  putAs,
  readObject,
  runCli,
  verifyCli,
} from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;
const MS_PER_DAY = 86_400_000;

describe('a signing key rotated on an archive in Ceph RGW', () => {
  const last = lastSettledDay(Date.now(), 120);
  const before: Day = addDays(last, -1);
  let sim: GenesysSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'keys-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 60, seed: 41 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('the succession record is locked like a manifest, verify follows the chain across it, and a second version over it is named', async () => {
    const bucket = await exporterBucket('keys', 'COMPLIANCE', RETENTION_DAYS);
    const env = exporterEnv({ home, target: `s3://${bucket}/${PREFIX}`, sim, retentionDays: RETENTION_DAYS });
    const first = await runCli(['export', '--day', before], env);
    expect(first.code, first.stderr).toBe(0);

    const startedAt = Date.now();
    const rotated = await runCli(['key', 'rotate', '--reason', 'yearly rotation'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const store = exporterStore(bucket);
    const recordKey = keySuccessionKey(PREFIX, 1);
    const snapshot = await readArchiveAfresh(store);
    const epoch = snapshot.assessment.keys.current;
    expect(epoch?.via).toBe('rotation');
    expect(epoch?.record?.key).toBe(recordKey);
    const versionId = epoch?.record?.versionId ?? null;
    expect(versionId).not.toBeNull();
    const info = await store.headObject(recordKey, versionId);
    expect(info?.lock?.mode).toBe('COMPLIANCE');
    expect(Date.parse(info?.lock?.retainUntil ?? '')).toBeGreaterThanOrEqual(
      startedAt + RETENTION_DAYS * MS_PER_DAY - 1000,
    );

    const second = await runCli(['export', '--day', last], env);
    expect(second.code, second.stderr).toBe(0);
    const clean = await verifyCli(['--from', before, '--to', last], env);
    expect(clean.text.code, clean.text.stdout).toBe(0);
    expect(clean.report.problems).toEqual([expect.objectContaining({ kind: 'key-rotated', key: recordKey })]);
    expect(clean.report.archive?.currentKeyFingerprint).toBe(epoch?.fingerprint);

    // With the exporter's own credentials: a new version over the record, naming another key.
    const original = KeySuccessionSchema.parse(JSON.parse((await readObject(store, recordKey, versionId)).toString()));
    await putAs(
      exporterClient(),
      bucket,
      recordKey,
      canonicalJsonBytes({
        ...original,
        reason: 'rewritten',
        newKey: { ...original.newKey, fingerprint: 'f'.repeat(64) },
      }),
    );
    const attacked = await verifyCli(['--from', before, '--to', last], env);
    expect(attacked.text.code).toBe(1);
    expect(attacked.text.stdout).toContain(`archive version-added ${recordKey}`);
    expect(attacked.report.problems).toContainEqual(expect.objectContaining({ kind: 'version-added', key: recordKey }));
    // The version the archive wrote is still the one that counts: the chain verifies across it.
    expect(attacked.report.archive?.currentKeyFingerprint).toBe(epoch?.fingerprint);
    expect(attacked.report.problems.map((p) => p.kind).sort()).toEqual(['key-rotated', 'version-added']);
  });
});
