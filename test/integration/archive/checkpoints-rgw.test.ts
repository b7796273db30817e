/**
 * Monthly checkpoints in Ceph RGW, attacked with the exporter's own credentials: catch-up writes the
 * checkpoint of a month it completes; a checkpoint planted beside it (signed with another key) or a
 * second version written over it is never painted: a new installation's first look takes the
 * genuine one only, and `audit-archive verify`, run as a separate process, exits 1 naming the key.
 * The local-folder cases are in test/unit/archive/checkpoints.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKey } from '../../../shared/archive-layout';
import { ArchiveCheckpointSchema } from '../../../shared/checkpoint';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { Archive, type ArchiveSnapshot } from '../../../main/engine/archive/archive';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import { canonicalJsonBytes, generateSigningKey, signDocument } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
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

/** The last two days of the month before the last settled day's: a month complete whatever today is. */
function lastDaysOfPreviousMonth(): Day[] {
  const last = lastSettledDay(Date.now(), 120);
  const end = addDays(`${last.slice(0, 7)}-01`, -1);
  return [addDays(end, -1), end];
}

/** A new installation's first look, from the checkpoints (a state folder that knows no manifest). */
async function firstLook(store: ArchiveStore): Promise<ArchiveSnapshot> {
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-first-look-'));
  try {
    const archive = new Archive({
      store,
      stateDir,
      keys: new FileSigningKeyStore(stateDir),
      policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
      lease: { ttlMs: 1000, waitMs: 0, program: 'a reader' },
      toolVersion: 'test',
      checkpointsWorthReading: 1,
    });
    return await archive.read({ scope: 'layout', checkpoints: true });
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

describe("monthly checkpoints in Ceph RGW, attacked with the exporter's credentials", () => {
  const days = lastDaysOfPreviousMonth();
  const month = (days[1] as Day).slice(0, 7);
  const genuineKey = checkpointKey(PREFIX, month, 2);
  const attacker = exporterClient();
  let sim: GenesysSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'checkpoints-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 50, seed: 23 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** Two days archived by the CLI as the exporter; its catch-up writes the month's checkpoint. */
  async function archivedByExporter(label: string) {
    const bucket = await exporterBucket(label, 'COMPLIANCE', RETENTION_DAYS);
    const env = exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim,
      retentionDays: RETENTION_DAYS,
      stateDir: join(home, `state-${bucket}`),
    });
    const catchUp = await runCli(['catch-up', '--from', days[0] as Day, '--to', days[1] as Day], env);
    expect(catchUp.stderr).toMatch(/Catch-up finished: 2 day\(s\) archived, 0 failed/);
    expect(catchUp.code).toBe(0);
    const store = exporterStore(bucket);
    const before = await readArchiveAfresh(store);
    expect(before.assessment.problems).toEqual([]);
    expect([...before.listing.checkpoints.keys()]).toEqual([genuineKey]);
    const genuine = ArchiveCheckpointSchema.parse(JSON.parse((await readObject(store, genuineKey)).toString('utf8')));
    return { bucket, env, store, genuine };
  }

  it('catch-up writes the checkpoint of the month it completed; the command then finds it current; a first look paints from it', async () => {
    const { env, store, genuine } = await archivedByExporter('cp-ok');
    // In the chain's order, which two days exported at once may take either way.
    expect(genuine.manifests.map((e) => e.manifest.day).sort()).toEqual(days);
    const again = await runCli(['checkpoint'], env);
    expect(again.stdout).toContain('0 checkpoint(s) written. 1 complete month(s) already had a current checkpoint.');
    expect(again.code).toBe(0);
    const look = await firstLook(store);
    expect(look.checkpoints).toMatchObject({ months: 1, manifests: 2, refused: 0 });
    expect(look.manifestReads).toBe(0);
    const { text } = await verifyCli(['--to', days[1] as Day], env);
    expect(text.code).toBe(0);
  });

  it('a checkpoint planted under a newer name, with one event fewer and signed with another key, is never painted and verify names it', async () => {
    const { bucket, env, store, genuine } = await archivedByExporter('cp-plant');
    const { signature: _, ...unsigned } = genuine;
    const [first, ...rest] = genuine.manifests;
    const lowered = { ...first!, manifest: { ...first!.manifest, dayEventsTotal: first!.manifest.dayEventsTotal - 1 } };
    const firstDay = first!.manifest.day;
    const forgedKey = checkpointKey(PREFIX, month, 3);
    const forged = signDocument(
      { ...unsigned, asOf: { ...unsigned.asOf, sequence: 3 }, manifests: [lowered, ...rest] },
      generateSigningKey(),
    );
    await putAs(attacker, bucket, forgedKey, canonicalJsonBytes(forged));

    const look = await firstLook(store);
    expect(look.checkpoints).toMatchObject({ months: 1, manifests: 2, refused: 1 });
    expect(look.assessment.days.get(firstDay)?.manifests[0]?.manifest.dayEventsTotal).toBe(
      first!.manifest.dayEventsTotal,
    );
    const { text, report } = await verifyCli(['--to', days[1] as Day], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`checkpoint-invalid ${forgedKey}`);
    expect(report.problems).toEqual([
      expect.objectContaining({ day: null, kind: 'checkpoint-invalid', key: forgedKey }),
    ]);
  });

  it('a second version written over the checkpoint is never read: the first look takes the original, verify names version-added', async () => {
    const { bucket, env, store, genuine } = await archivedByExporter('cp-over');
    const [first, ...rest] = genuine.manifests;
    const lowered = { ...first!, manifest: { ...first!.manifest, dayEventsTotal: 0 } };
    expect(first!.manifest.dayEventsTotal).toBeGreaterThan(0);
    await putAs(attacker, bucket, genuineKey, canonicalJsonBytes({ ...genuine, manifests: [lowered, ...rest] }));

    const look = await firstLook(store);
    expect(look.checkpoints).toMatchObject({ months: 1, manifests: 2, refused: 0 });
    expect(look.assessment.days.get(first!.manifest.day)?.manifests[0]?.manifest.dayEventsTotal).toBe(
      first!.manifest.dayEventsTotal,
    );
    const { text, report } = await verifyCli(['--to', days[1] as Day], env);
    expect(text.code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ day: null, kind: 'version-added', key: genuineKey })]);
  });
});
