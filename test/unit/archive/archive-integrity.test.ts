/**
 * Attacks on a local-folder archive, as someone with write access to the folder (but not the
 * archive's signing key) would make them: each must make verify fail and name the day and key.
 * The same attacks against S3 Object Lock (second versions, delete markers) run against Ceph RGW
 * in test/integration/archive/attacks-rgw.test.ts.
 */
import { execFileSync } from 'node:child_process';
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

  it('a part that grew (bytes appended) is named once, though the listing and the read-back both see its size', async () => {
    fx = await threeDays();
    const grown = dataKey('org-a', '2026-11-23', 1);
    await writeOver(fx, grown, Buffer.concat([await fs.readFile(file(fx, grown)), Buffer.from('appended\n')]));
    const full = await fx.verify({ full: true });
    const named = full.problems.filter((p) => p.key === grown);
    expect(named).toEqual([
      expect.objectContaining({
        day: '2026-11-23',
        kind: 'hash-mismatch',
        detail: expect.stringMatching(/ bytes; .* recorded \d+\.$/),
      }),
    ]);
    expect(full.ok).toBe(false);
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

  it('a named pipe at the next manifest key and a link at a part are named by verify, never opened; status and the next export finish beside them', async () => {
    fx = await threeDays();
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const fifoKey = manifestKey('org-a', '2026-11-26', 4);
    await fs.mkdir(path.dirname(file(fx, fifoKey)), { recursive: true });
    execFileSync('mkfifo', [file(fx, fifoKey)]);
    const linkKey = dataKey('org-a', '2026-11-24', 1);
    const original = await fs.readFile(file(fx, linkKey));
    const copy = path.join(fx.stateDir, 'copy.gz');
    await fs.writeFile(copy, original);
    await makeWritable(fx.root);
    await fs.rm(file(fx, linkKey));
    await fs.symlink(copy, file(fx, linkKey)); // the same bytes, but through a link
    try {
      const verdict = await fx.verify({ full: true, to: '2026-11-25' });
      expect(verdict.ok).toBe(false);
      expect(verdict.problems).toContainEqual(
        expect.objectContaining({
          kind: 'unexpected-object',
          key: fifoKey,
          detail: expect.stringContaining('a named pipe (FIFO)'),
        }),
      );
      expect(verdict.problems).toContainEqual(
        expect.objectContaining({ kind: 'unexpected-object', key: linkKey, detail: expect.stringContaining('link') }),
      );
      expect(verdict.problems).toContainEqual(
        expect.objectContaining({ day: '2026-11-24', kind: 'object-missing', key: linkKey }),
      );
      const status = await fx.archive().read({ scope: 'layout' });
      expect(status.assessment.problems).toContainEqual(
        expect.objectContaining({ kind: 'unexpected-object', key: fifoKey }),
      );
      // The day the pipe sits in is exported: its key is stepped over, never opened or replaced.
      const result = await fx.export('2026-11-26');
      expect(result.manifestKey).toBe(manifestKey('org-a', '2026-11-26', 5));
      expect((await fs.lstat(file(fx, fifoKey))).isFIFO()).toBe(true);
    } finally {
      const reader = await fs
        .open(file(fx, fifoKey), fsSync.constants.O_WRONLY | fsSync.constants.O_NONBLOCK)
        .catch(() => null);
      await reader?.close();
    }
  });
});

describe('trust on first use, said and never silent', () => {
  /** Forgets what this installation recorded of the archive (a new machine, a state folder reset). */
  async function forgetHeadRecord(f: ArchiveFixture): Promise<void> {
    for (const name of await fs.readdir(f.stateDir))
      if (name.startsWith('head-')) await fs.rm(path.join(f.stateDir, name));
  }

  it('the same installation vouches for key and head from its record', async () => {
    fx = await threeDays();
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(true);
    expect(verdict.trust).toEqual({ key: 'recorded', head: 'recorded', headRecorded: true });
  });

  it('the newest manifest removed, verified by a fresh installation: it says the head was trusted on first use; --expect-head catches the removal', async () => {
    fx = await threeDays();
    // The 25th reconciled: its newest manifest can go without the day going missing.
    const reconciled = await fx.export('2026-11-25', { reconcile: true });
    expect(reconciled.manifest.sequence).toBe(4);
    const head = (await fx.verify()).archive!.head!;
    expect(head.sequence).toBe(4);
    await forgetHeadRecord(fx);
    await fs.rm(file(fx, reconciled.manifestKey), { force: true });

    const fresh = await fx.verify();
    expect(fresh.ok).toBe(true); // the archive alone cannot show it
    expect(fresh.archive?.head?.sequence).toBe(3);
    expect(fresh.trust).toEqual({ key: 'first-use', head: 'first-use', headRecorded: true });

    await forgetHeadRecord(fx);
    const expected = await fx.verify({ expectHead: { sequence: head.sequence, sha256: head.sha256 } });
    expect(expected.ok).toBe(false);
    expect(expected.problems).toEqual([
      expect.objectContaining({
        kind: 'head-rewound',
        detail: expect.stringContaining('newest manifests were removed'),
      }),
    ]);
    expect(expected.trust).toMatchObject({ head: 'expected', headRecorded: false });
    // A head recorded with other bytes at that sequence is not the one reached either.
    const other = await fx.verify({ expectHead: { sequence: 3, sha256: head.sha256 } });
    expect(other.problems).toEqual([
      expect.objectContaining({ kind: 'head-rewound', key: manifestKey('org-a', '2026-11-25', 3) }),
    ]);
  });

  it('a writer that has no record of the head it continues says it trusts it on first use', async () => {
    fx = await threeDays();
    await forgetHeadRecord(fx);
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const warnings: string[] = [];
    await fx.export('2026-11-26', {}, fx.archive({ onWarning: (w) => warnings.push(w) }));
    expect(warnings).toEqual([
      expect.stringContaining(
        `no record of ${fx.store.url}'s head (a new installation, or its state folder was reset): it continues the chain from ${manifestKey('org-a', '2026-11-25', 3)} (sequence 3), trusted on first use`,
      ),
    ]);
    // Its own write is recorded: the next one continues from a head it knows.
    warnings.length = 0;
    await fx.export('2026-11-24', { reconcile: true }, fx.archive({ onWarning: (w) => warnings.push(w) }));
    expect(warnings).toEqual([]);
  });

  it('an archive re-signed end to end with another key and forged data: without a record it is "OK" only as trusted on first use; the recorded key catches it', async () => {
    fx = await threeDays();
    const original = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(file(fx, rootKey('org-a')), 'utf8')));
    await resignWithForgedData(fx);
    await forgetHeadRecord(fx);

    const fresh = await fx.verify({ full: true });
    expect(fresh.ok).toBe(true);
    expect(fresh.archive?.keyFingerprint).not.toBe(original.signingKey.fingerprint);
    expect(fresh.trust).toMatchObject({ key: 'first-use', head: 'first-use' });

    // The key the officer (or the app, in Settings) recorded when the archive was created.
    await forgetHeadRecord(fx);
    const pinned = await fx.verify({ expectKey: original.signingKey.fingerprint });
    expect(pinned.ok).toBe(false);
    expect(pinned.problems).toContainEqual(expect.objectContaining({ kind: 'root-changed' }));
    expect(pinned.trust).toMatchObject({ key: 'expected', headRecorded: false });
  });
});

/**
 * The attack of someone who can rewrite the folder: one event dropped from the 24th, its part and
 * manifest rewritten to match, the root given a key of the attacker's, and every manifest re-signed
 * and re-chained with it.
 */
async function resignWithForgedData(f: ArchiveFixture): Promise<void> {
  const { createHash } = await import('node:crypto');
  const { gunzipSync, gzipSync } = await import('node:zlib');
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const attacker = generateSigningKey();
  await makeWritable(f.root);
  const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(file(f, rootKey('org-a')), 'utf8')));
  await writeOver(
    f,
    rootKey('org-a'),
    canonicalJsonBytes({
      ...root,
      signingKey: { algorithm: 'Ed25519', publicKey: attacker.publicKeyBase64, fingerprint: attacker.fingerprint },
    }),
  );
  let previous: ArchiveManifest['previous'] = null;
  for (const [sequence, day] of [
    [1, '2026-11-23'],
    [2, '2026-11-24'],
    [3, '2026-11-25'],
  ] as const) {
    const key = manifestKey('org-a', day, sequence);
    const { signature: _s, ...m } = await readManifestFile(f, key);
    let objects = m.objects;
    let drop = 0;
    if (day === '2026-11-24') {
      const part = m.objects[0]!;
      const lines = gunzipSync(await fs.readFile(file(f, part.key)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean);
      const raw = Buffer.from(lines.slice(1).join('\n') + '\n');
      const gz = gzipSync(raw);
      await writeOver(f, part.key, gz);
      drop = 1;
      objects = [
        {
          ...part,
          sha256: sha(gz),
          sha256Raw: sha(raw),
          size: gz.length,
          rawSize: raw.length,
          events: part.events - 1,
        },
        ...m.objects.slice(1),
      ];
    }
    const forged = signManifest(
      { ...m, objects, events: m.events - drop, dayEventsTotal: m.dayEventsTotal - drop, previous },
      attacker,
    );
    const bytes = canonicalJsonBytes(forged);
    await writeOver(f, key, bytes);
    previous = { key, sequence, sha256: sha(bytes) };
  }
}
