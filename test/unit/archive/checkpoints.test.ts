/**
 * Monthly checkpoints on a local-folder archive (main/engine/archive/checkpoints.ts): written for
 * complete months only, signed; a new installation's calendar paints from them with the same day
 * states as reading every manifest; anything under `checkpoints/` that is not a checkpoint signed by
 * the archive's key is never used and is named by verify. The same attacks with the exporter's
 * credentials on Ceph RGW: test/integration/archive/checkpoints-rgw.test.ts.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointKey, manifestKey } from '../../../shared/archive-layout';
import { ArchiveCheckpointSchema, type ArchiveCheckpoint } from '../../../shared/checkpoint';
import type { DayStatus } from '../../../shared/day-status';
import type { Archive } from '../../../main/engine/archive/archive';
import { writeCheckpoints } from '../../../main/engine/archive/checkpoint-writer';
import { checkCheckpointBytes } from '../../../main/engine/archive/checkpoints';
import { canonicalJsonBytes, generateSigningKey, signDocument } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { computeDayStatuses } from '../../../main/engine/archive/status';
import { type ArchiveFixture, archiveFixtureOnce } from './archive-fixture';

const PREFIX = 'org-a';
const OCTOBER = ['2026-10-29', '2026-10-30', '2026-10-31'];
const NOVEMBER = ['2026-11-01', '2026-11-02'];

let fx: ArchiveFixture | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

/** Five archived days across a month's end; "now" is in November, so only October is complete. */
const built = archiveFixtureOnce({ now: '2026-11-03T12:00:00Z', sim: { eventsPerDay: 20 } }, async (f) => {
  for (const day of [...OCTOBER, ...NOVEMBER]) await f.export(day);
});

const checkpoint = (f: ArchiveFixture) =>
  writeCheckpoints(f.archive(), { settlementMinutes: 120, toolVersion: '0.2.0-test', thorough: true });

/** An Archive as a new installation opens it (a state folder that knows no manifest), reading checkpoints at once. */
async function newInstallation(f: ArchiveFixture): Promise<Archive> {
  const stateDir = await fs.mkdtemp(path.join(tmpdir(), 'aa-new-installation-'));
  dirs.push(stateDir);
  return f.archive({ stateDir, checkpointsWorthReading: 1 });
}

async function calendar(f: ArchiveFixture, archive: Archive, checkpoints: boolean) {
  const snapshot = await archive.read({ scope: 'layout', checkpoints });
  const days: DayStatus[] = computeDayStatuses({
    assessment: snapshot.assessment,
    from: '2026-10-29',
    to: '2026-11-02',
    now: f.clock.now,
    settlementMinutes: 120,
    genesysRetentionDays: 365,
  });
  return { snapshot, days };
}

async function readCheckpointFile(f: ArchiveFixture, key: string): Promise<ArchiveCheckpoint> {
  return ArchiveCheckpointSchema.parse(JSON.parse(await fs.readFile(path.join(f.root, key), 'utf8')));
}

async function plant(f: ArchiveFixture, key: string, bytes: Uint8Array | string): Promise<void> {
  const file = path.join(f.root, key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.chmod(file, 0o644).catch(() => undefined);
  await fs.writeFile(file, bytes);
}

const octoberKey = checkpointKey(PREFIX, '2026-10', 5);

describe('monthly checkpoints', () => {
  it('a complete month gets one signed checkpoint of its manifests, a month not over gets none, and a second run writes nothing', async () => {
    fx = await built.fresh();
    const first = await checkpoint(fx);
    expect(first.written).toEqual([{ month: '2026-10', key: octoberKey, manifests: 3 }]);
    const cp = await readCheckpointFile(fx, octoberKey);
    expect(cp.manifests.map((e) => e.manifest.day)).toEqual(OCTOBER);
    expect(cp.asOf.sequence).toBe(5);
    const again = await checkpoint(fx);
    expect(again).toEqual({ written: [], current: 1, skipped: [] });
    const verdict = await fx.verify();
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('a new installation paints the calendar from it with the day states every manifest gives, reading only the manifests it does not carry', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const full = await calendar(fx, await newInstallation(fx), false);
    expect(full.snapshot.manifestReads).toBe(5);
    const quick = await calendar(fx, await newInstallation(fx), true);
    expect(quick.days).toEqual(full.days);
    expect(quick.days.filter((d) => d.state === 'archived')).toHaveLength(5);
    expect(quick.snapshot.checkpoints).toMatchObject({ months: 1, manifests: 3, refused: 0 });
    expect(quick.snapshot.manifestReads).toBe(2);
  });

  it('bytes that are not a checkpoint are refused, naming the key and what is wrong', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const bytes = await fs.readFile(path.join(fx.root, octoberKey));
    const cp = ArchiveCheckpointSchema.parse(JSON.parse(bytes.toString('utf8')));
    expect(checkCheckpointBytes(PREFIX, octoberKey, null, bytes)).toMatchObject({ ok: true });
    const refusal = (key: string, b: Uint8Array | string) => {
      const read = checkCheckpointBytes(PREFIX, key, null, Buffer.from(b));
      return read.ok ? 'accepted' : read.detail;
    };
    expect(refusal(octoberKey, 'not json')).toMatch(/is not valid JSON/);
    expect(refusal(octoberKey, canonicalJsonBytes({ ...cp, month: 'October' }))).toMatch(
      /is not a checkpoint: .*month.*YYYY-MM/,
    );
    expect(refusal(octoberKey, JSON.stringify(cp))).toMatch(/not in the canonical form/);
    expect(refusal(checkpointKey(PREFIX, '2026-09', 5), bytes)).toMatch(/says month 2026-10 at sequence 5/);
    expect(refusal(checkpointKey(PREFIX, '2026-10', 6), bytes)).toMatch(/says month 2026-10 at sequence 5/);
    const november = canonicalJsonBytes({ ...cp, month: '2026-11' });
    expect(refusal(checkpointKey(PREFIX, '2026-11', 5), november)).toMatch(/carries a manifest of 2026-10-29/);
  });

  it('a checkpoint rewritten without the key (a day with one event fewer) is never used: the calendar reads the manifests, verify names it', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const cp = await readCheckpointFile(fx, octoberKey);
    const [first, ...rest] = cp.manifests;
    const lowered = { ...first!, manifest: { ...first!.manifest, dayEventsTotal: first!.manifest.dayEventsTotal - 1 } };
    await plant(fx, octoberKey, canonicalJsonBytes({ ...cp, manifests: [lowered, ...rest] }));
    const quick = await calendar(fx, await newInstallation(fx), true);
    expect(quick.snapshot.checkpoints).toMatchObject({ months: 0, manifests: 0, refused: 1 });
    expect(quick.snapshot.manifestReads).toBe(5);
    expect(quick.days[0]).toMatchObject({
      day: '2026-10-29',
      state: 'archived',
      events: first!.manifest.dayEventsTotal,
    });
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      expect.objectContaining({
        day: null,
        kind: 'checkpoint-invalid',
        key: octoberKey,
        detail: expect.stringMatching(/not signed by the archive's key in effect at sequence 5/),
      }),
    ]);
  });

  it('a checkpoint planted under a newer sequence, signed with another key, is stepped over for the genuine one and named by verify', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const cp = await readCheckpointFile(fx, octoberKey);
    const { signature: _, ...unsigned } = cp;
    const planted = checkpointKey(PREFIX, '2026-10', 9);
    const forged = signDocument({ ...unsigned, asOf: { ...cp.asOf, sequence: 9 } }, generateSigningKey());
    await plant(fx, planted, canonicalJsonBytes(forged));
    const quick = await calendar(fx, await newInstallation(fx), true);
    expect(quick.snapshot.checkpoints).toMatchObject({ months: 1, manifests: 3, refused: 1 });
    const verdict = await fx.verify();
    expect(verdict.problems).toEqual([
      expect.objectContaining({
        kind: 'checkpoint-invalid',
        key: planted,
        detail: expect.stringMatching(/not signed/),
      }),
    ]);
  });

  it("a checkpoint signed with the archive's key that leaves out a day of its month is named by verify", async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const cp = await readCheckpointFile(fx, octoberKey);
    const key = await new FileSigningKeyStore(fx.stateDir).get(cp.signature.keyFingerprint);
    const { signature: _, ...unsigned } = cp;
    const short = signDocument({ ...unsigned, manifests: cp.manifests.slice(0, 2) }, key!);
    await plant(fx, octoberKey, canonicalJsonBytes(short));
    const verdict = await fx.verify();
    expect(verdict.problems).toEqual([
      expect.objectContaining({
        kind: 'checkpoint-invalid',
        key: octoberKey,
        detail: expect.stringContaining(`leaves out ${manifestKey(PREFIX, '2026-10-31', 3)}`),
      }),
    ]);
  });

  it('a manifest rewritten in place after its checkpoint was written is judged as the archive holds it, not as the checkpoint remembers it', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const key = manifestKey(PREFIX, '2026-10-30', 2);
    const text = await fs.readFile(path.join(fx.root, key), 'utf8');
    await plant(
      fx,
      key,
      text.replace(/"dayEventsTotal": (\d+)/, (_, n) => `"dayEventsTotal": ${Number(n) + 1000}`),
    );
    const quick = await calendar(fx, await newInstallation(fx), true);
    expect(quick.snapshot.checkpoints).toMatchObject({ manifests: 2 });
    expect(quick.days[1]).toMatchObject({ day: '2026-10-30', state: 'tampered' });
  });

  it('a stray key under checkpoints/ is an unexpected object, never a checkpoint', async () => {
    fx = await built.fresh();
    await checkpoint(fx);
    const stray = `${PREFIX}/checkpoints/2026/10/notes.txt`;
    await plant(fx, stray, 'not a checkpoint');
    const verdict = await fx.verify();
    expect(verdict.problems).toEqual([expect.objectContaining({ kind: 'unexpected-object', key: stray })]);
  });
});
