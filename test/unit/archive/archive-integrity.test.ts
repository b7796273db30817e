/**
 * Attacks on a local-folder archive, as someone with write access to the folder (but not the
 * archive's signing key) would make them: each must make verify fail and name the day and key.
 * The same attacks against S3 Object Lock (second versions, delete markers) run against Ceph RGW
 * in test/integration/archive/attacks-rgw.test.ts.
 */
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey, rootKey } from '../../../shared/archive-layout';
import { ArchiveManifestSchema, type ArchiveManifest } from '../../../shared/manifest';
import { canonicalJsonBytes, generateSigningKey, signManifest } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { ArchiveRootSchema } from '../../../shared/archive-root';
import { type ArchiveFixture, archiveFixture, archiveFixtureOnce, filesIn, makeWritable } from './archive-fixture';

let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** Three archived days, 23 to 25 November, the last settled day being the 25th (exported once per file, then copied). */
const threeArchivedDays = archiveFixtureOnce({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 120 } }, async (f) => {
  for (const day of ['2026-11-23', '2026-11-24', '2026-11-25']) await f.export(day);
  await f.verify(); // this installation records the head it vouches for
});
const threeDays = (): Promise<ArchiveFixture> => threeArchivedDays.fresh();

const file = (f: ArchiveFixture, key: string) => path.join(f.root, key);

async function readManifestFile(f: ArchiveFixture, key: string): Promise<ArchiveManifest> {
  return ArchiveManifestSchema.parse(JSON.parse(await fs.readFile(file(f, key), 'utf8')));
}

async function writeOver(f: ArchiveFixture, key: string, bytes: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file(f, key)), { recursive: true });
  await fs.chmod(file(f, key), 0o644).catch(() => undefined);
  await fs.writeFile(file(f, key), bytes);
}

describe('an archive someone tampers with, without its signing key', () => {
  it('an untouched archive verifies, fast and in full, and names its head and key', async () => {
    fx = await threeDays();
    for (const full of [false, true]) {
      const verdict = await fx.verify({ full });
      expect(verdict.problems).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(verdict.archive).toMatchObject({ purpose: 'production', head: { sequence: 3 } });
    }
  });

  it('the newest manifest rewritten with a changed count is refused: not signed by the archive', async () => {
    fx = await threeDays();
    const key = manifestKey('org-a', '2026-11-25', 3);
    const m = await readManifestFile(fx, key);
    await writeOver(fx, key, canonicalJsonBytes({ ...m, dayEventsTotal: m.dayEventsTotal - 1, events: m.events - 1 }));
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-25', kind: 'signature-invalid', key }),
    );
    // The calendar no longer calls the day archived on that manifest's word.
    const status = await fx.archive().read({ scope: 'layout' });
    expect(status.assessment.days.get('2026-11-25')?.manifests ?? []).toEqual([]);
  });

  it('the newest manifest with a byte added after it was written is refused, even though its signature still covers its fields', async () => {
    fx = await threeDays();
    const key = manifestKey('org-a', '2026-11-25', 3);
    const text = await fs.readFile(file(fx, key), 'utf8');
    await writeOver(fx, key, text.replace('{', '{\n  "note": "checked",'));
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-25', kind: 'manifest-invalid', key }),
    );
  });

  it('the newest manifest removed: the head went backwards, and the day is missing', async () => {
    fx = await threeDays();
    const key = manifestKey('org-a', '2026-11-25', 3);
    await fs.rm(file(fx, key), { force: true });
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ kind: 'head-rewound', key }));
    expect(verdict.problems).toContainEqual(expect.objectContaining({ day: '2026-11-25', kind: 'day-missing' }));
    // And nothing is written on top of a rewound archive.
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    await expect(fx.export('2026-11-26')).rejects.toMatchObject({
      code: 'ARCHIVE_INTEGRITY',
      message: expect.stringContaining('sequence 3'),
    });
  });

  it('a well-linked manifest appended with another key is refused as unsigned, and the head stays', async () => {
    fx = await threeDays();
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const head = await readManifestFile(fx, manifestKey('org-a', '2026-11-25', 3));
    const headBytes = await fs.readFile(file(fx, manifestKey('org-a', '2026-11-25', 3)));
    const { signature: _s, ...unsigned } = head;
    const forged = signManifest(
      {
        ...unsigned,
        sequence: 4,
        day: '2026-11-26',
        interval: { start: '2026-11-26T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
        objects: [],
        events: 0,
        dayEventsTotal: 0,
        previous: {
          key: manifestKey('org-a', '2026-11-25', 3),
          sequence: 3,
          sha256: (await import('node:crypto')).createHash('sha256').update(headBytes).digest('hex'),
        },
      },
      generateSigningKey(),
    );
    const key = manifestKey('org-a', '2026-11-26', 4);
    await writeOver(fx, key, canonicalJsonBytes(forged));
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-26', kind: 'signature-invalid', key }),
    );
    expect(verdict.problems).toContainEqual(expect.objectContaining({ day: '2026-11-26', kind: 'day-missing' }));
    expect(verdict.archive?.head?.sequence).toBe(3);
  });

  it('a real manifest copied into another day is refused: its key says otherwise', async () => {
    fx = await threeDays();
    const copy = manifestKey('org-a', '2026-11-22', 1);
    await writeOver(fx, copy, await fs.readFile(file(fx, manifestKey('org-a', '2026-11-23', 1))));
    const verdict = await fx.verify({ from: '2026-11-22' });
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-22', kind: 'manifest-invalid', key: copy }),
    );
  });

  it('two manifests signed with the archive key for one sequence (two writers at once) are a fork: both named', async () => {
    fx = await threeDays();
    fx.clock.now = Date.parse('2026-11-28T12:00:00Z');
    // What a second writer that ignored the lease would write: a validly signed sibling of sequence 3.
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(file(fx, rootKey('org-a')), 'utf8')));
    const key = (await new FileSigningKeyStore(fx.stateDir).get(root.signingKey.fingerprint))!;
    const third = await readManifestFile(fx, manifestKey('org-a', '2026-11-25', 3));
    const { signature: _s, ...unsigned } = third;
    const sibling = signManifest(
      {
        ...unsigned,
        day: '2026-11-26',
        interval: { start: '2026-11-26T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
        objects: [],
        events: 0,
        dayEventsTotal: 0,
      },
      key,
    );
    const siblingKey = manifestKey('org-a', '2026-11-26', 3);
    await writeOver(fx, siblingKey, canonicalJsonBytes(sibling));
    const verdict = await fx.verify({ to: '2026-11-26' });
    expect(verdict.ok).toBe(false);
    const kinds = verdict.problems.filter((p) => p.kind === 'chain-forked').map((p) => p.key);
    expect(kinds.sort()).toEqual([manifestKey('org-a', '2026-11-25', 3), siblingKey].sort());
    expect(verdict.problems.some((p) => p.kind === 'manifest-unreachable')).toBe(true);
  });

  it('junk planted under the keys the exporter writes next, before and during the run, is stepped over and named', async () => {
    fx = await threeDays();
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const day = '2026-11-26';
    fx.sim.setOptions({ eventsPerDay: 3000 }); // several parts
    const before = [4, 5, 6, 7, 8, 9, 10].map((n) => manifestKey('org-a', day, n));
    for (const key of before) await writeOver(fx, key, 'junk');
    // More planted once the first part is stored, after the writer read the archive: the next
    // manifest keys, and the next part keys.
    const during = [11, 12, 13, 14, 15, 16, 17].map((n) => manifestKey('org-a', day, n));
    const parts = [2, 3, 4, 5, 6, 7, 8].map((n) => dataKey('org-a', day, n));
    let planted = false;
    const result = await fx.export(day, {
      onProgress: () => {
        if (planted) return;
        planted = true;
        for (const key of [...during, ...parts]) {
          fsSync.mkdirSync(path.dirname(file(fx!, key)), { recursive: true });
          fsSync.writeFileSync(file(fx!, key), 'junk');
        }
      },
    });
    expect(planted).toBe(true);
    expect(result.manifestKey).toBe(manifestKey('org-a', day, 18));
    expect(result.manifest.previous?.sequence).toBe(3);
    expect(result.manifest.objects.length).toBeGreaterThan(2);
    expect(result.manifest.objects.map((o) => o.key)).not.toContain(parts[0]);
    expect(result.manifest.dayEventsTotal).toBe(fx.sim.expectedEventCount(day));
    const verdict = await fx.verify();
    expect(verdict.archive?.head?.sequence).toBe(18);
    expect(verdict.problems).toEqual([
      ...[...before, ...during].map((key) => expect.objectContaining({ day, kind: 'manifest-invalid', key })),
      ...parts.map((key) => expect.objectContaining({ day, kind: 'unexpected-object', key })),
    ]);
  });

  it('the whole archive removed: never "OK", and the writer will not start a new archive in its place', async () => {
    fx = await threeDays();
    await makeWritable(fx.root);
    await fs.rm(path.join(fx.root, 'org-a'), { recursive: true, force: true });
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: null, kind: 'archive-missing', detail: expect.stringContaining('mounted') }),
    );
    await expect(fx.export('2026-11-25')).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
    expect(await filesIn(fx.root)).toEqual([]);
  });

  it('a folder that is not mounted (it does not exist) is "no archive", exit-worthy, on a machine that never saw one', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z' });
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ kind: 'archive-missing' })]);
  });

  it('a data part added by hand is unexpected (Athena would read it); a part with changed bytes is a mismatch', async () => {
    fx = await threeDays();
    const planted = dataKey('org-a', '2026-11-24', 7);
    await writeOver(fx, planted, await fs.readFile(file(fx, dataKey('org-a', '2026-11-24', 1))));
    const changed = dataKey('org-a', '2026-11-23', 1);
    const bytes = await fs.readFile(file(fx, changed));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 0x01, bytes.length - 20);
    await writeOver(fx, changed, bytes);
    const fast = await fx.verify();
    expect(fast.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-24', kind: 'unexpected-object', key: planted }),
    );
    const full = await fx.verify({ full: true });
    expect(full.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-23', kind: 'hash-mismatch', key: changed }),
    );
  });

  it('the root rewritten with another key, or replaced by another archive, is named', async () => {
    fx = await threeDays();
    const rootFile = file(fx, rootKey('org-a'));
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(rootFile, 'utf8')));
    const other = generateSigningKey();
    await writeOver(
      fx,
      rootKey('org-a'),
      canonicalJsonBytes({
        ...root,
        signingKey: { algorithm: 'Ed25519', publicKey: other.publicKeyBase64, fingerprint: other.fingerprint },
      }),
    );
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(expect.objectContaining({ kind: 'root-changed', key: rootKey('org-a') }));
    expect(verdict.problems.filter((p) => p.kind === 'signature-invalid')).toHaveLength(3);
  });

  it('verify --expect-key fails when the archive is not signed with the key the officer recorded', async () => {
    fx = await threeDays();
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(file(fx, rootKey('org-a')), 'utf8')));
    expect((await fx.verify({ expectKey: root.signingKey.fingerprint })).ok).toBe(true);
    const wrong = await fx.verify({ expectKey: generateSigningKey().fingerprint });
    expect(wrong.problems).toEqual([expect.objectContaining({ kind: 'root-changed' })]);
  });

  it('a fresh machine without the head record still finds a removed manifest by counting the days', async () => {
    fx = await threeDays();
    await fs.rm(
      path.join(
        fx.stateDir,
        (await fs.readdir(fx.stateDir)).find((n) => n.startsWith('head-'))!,
      ),
    );
    await fs.rm(file(fx, manifestKey('org-a', '2026-11-24', 2)), { force: true });
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        day: '2026-11-24',
        kind: 'manifest-missing',
        key: manifestKey('org-a', '2026-11-24', 2),
      }),
    );
    expect(verdict.problems.filter((p) => p.kind === 'manifest-unreachable')).toEqual([]);
  });

  it('a manifest whose day field is not a real day is invalid, named by key, never a crash', async () => {
    fx = await threeDays();
    const key = manifestKey('org-a', '2026-11-25', 3);
    const text = await fs.readFile(file(fx, key), 'utf8');
    await writeOver(fx, key, text.replace('"day": "2026-11-25"', '"day": "2026-13-45"'));
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ day: '2026-11-25', kind: 'manifest-invalid', key }),
    );
  });
});
