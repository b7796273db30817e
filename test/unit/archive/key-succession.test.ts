/**
 * Changing an archive's signing key, and attacks on the change: a rotation the old key signs, a
 * restart after a lost key (signed by the new key, always reported), and records or manifests forged
 * by someone with write access to the folder and a key that is not the one in effect. The same
 * records on Ceph RGW (locked, a second version named) are in
 * test/integration/archive/key-succession-rgw.test.ts.
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keySuccessionKey, manifestKey, reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import { REPORT_RECORD_FORMAT } from '../../../shared/reports/report-record';
import { KEY_SUCCESSION_FORMAT, type UnsignedKeySuccession } from '../../../shared/key-succession';
import { ArchiveManifestSchema, type ArchiveManifest } from '../../../shared/manifest';
import { replaceLostSigningKey, rotateSigningKey } from '../../../main/engine/archive/key-change';
import { archivePublicKey } from '../../../main/engine/archive/key-succession';
import {
  canonicalJsonBytes,
  generateSigningKey,
  signDocument,
  signManifest,
  type SigningKey,
} from '../../../main/engine/archive/signing';
import { headRecordPath } from '../../../main/engine/archive/head-record';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { type ArchiveFixture, archiveFixture } from './archive-fixture';

let fx: ArchiveFixture | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const DAYS = ['2026-11-23', '2026-11-24', '2026-11-25'] as const;
const change = { reason: 'yearly rotation', toolVersion: '0.2.0-test' };

/** The 23rd archived and verified (this installation records its head and key). */
async function oneDay(): Promise<ArchiveFixture> {
  const f = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 40 } });
  await f.export(DAYS[0]);
  expect((await f.verify({ to: DAYS[0] })).ok).toBe(true);
  return f;
}

const file = (f: ArchiveFixture, key: string) => path.join(f.root, key);

async function manifestAt(f: ArchiveFixture, day: string, sequence: number) {
  const key = manifestKey('org-a', day, sequence);
  const bytes = await fs.readFile(file(f, key));
  return {
    key,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    manifest: ArchiveManifestSchema.parse(JSON.parse(bytes.toString('utf8'))),
  };
}

async function plant(f: ArchiveFixture, key: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file(f, key)), { recursive: true });
  await fs.writeFile(file(f, key), bytes);
}

/** The key this installation holds for the archive now. */
async function heldKey(f: ArchiveFixture, fingerprint: string): Promise<SigningKey> {
  return (await new FileSigningKeyStore(f.stateDir).get(fingerprint)) as SigningKey;
}

async function rootFingerprint(f: ArchiveFixture): Promise<string> {
  const root = (await f.archive().read({ scope: 'layout' })).assessment.root;
  if (root.status !== 'ok') throw new Error('no root');
  return root.root.signingKey.fingerprint;
}

/** A manifest for `day` appended after `previous`, signed with `key` (what a holder of that key could write). */
async function forgedManifest(
  f: ArchiveFixture,
  previous: { key: string; sha256: string; manifest: ArchiveManifest },
  day: string,
  key: SigningKey,
): Promise<string> {
  const { signature: _s, ...unsigned } = previous.manifest;
  const sequence = previous.manifest.sequence + 1;
  const forged = signManifest(
    {
      ...unsigned,
      sequence,
      day,
      interval: { start: `${day}T00:00:00.000Z`, end: new Date(Date.parse(day) + 86_400_000).toISOString() },
      objects: [],
      events: 0,
      dayEventsTotal: 0,
      previous: { key: previous.key, sequence: previous.manifest.sequence, sha256: previous.sha256 },
    },
    key,
  );
  const at = manifestKey('org-a', day, sequence);
  await plant(f, at, canonicalJsonBytes(forged));
  return at;
}

/**
 * A key-succession record as someone holding `signer` could write it, planted at its index: it
 * succeeds `previousKey` with `next`, after the manifest `after`.
 */
async function plantSuccession(
  f: ArchiveFixture,
  record: {
    index: number;
    kind: 'rotation' | 'restart';
    previousKey: string;
    next: SigningKey;
    after: { key: string; sequence: number; sha256: string };
  },
  signer: SigningKey,
): Promise<string> {
  const unsigned: UnsignedKeySuccession = {
    format: KEY_SUCCESSION_FORMAT,
    archiveId: await archiveId(f),
    index: record.index,
    kind: record.kind,
    createdAt: new Date(f.clock.now).toISOString(),
    previousKey: { fingerprint: record.previousKey },
    newKey: { algorithm: 'Ed25519', publicKey: record.next.publicKeyBase64, fingerprint: record.next.fingerprint },
    lastManifest: record.after,
    reportsSigned: [],
    reason: '',
    tool: { name: 'audit-archive', version: 'forged' },
  };
  const key = keySuccessionKey('org-a', record.index);
  await plant(f, key, canonicalJsonBytes(signDocument(unsigned, signer)));
  return key;
}

/** The link a record or manifest names for a manifest read with `manifestAt`. */
function linkTo(m: { key: string; sha256: string; manifest: ArchiveManifest }) {
  return { key: m.key, sequence: m.manifest.sequence, sha256: m.sha256 };
}

async function archiveId(f: ArchiveFixture): Promise<string> {
  const root = (await f.archive().read({ scope: 'layout' })).assessment.root;
  if (root.status !== 'ok') throw new Error('no root');
  return root.root.archiveId;
}

describe('rotating the signing key', () => {
  it('manifests before the rotation verify with the old key and after it with the new one; verify is OK and names the rotation', async () => {
    fx = await oneDay();
    const oldKey = await rootFingerprint(fx);
    const rotated = await rotateSigningKey(fx.archive(), change);
    expect(rotated).toMatchObject({ kind: 'rotation', previousKey: oldKey, afterSequence: 1 });
    expect(rotated.recordKey).toBe(keySuccessionKey('org-a', 1));
    await fx.export(DAYS[1]);
    await fx.export(DAYS[2]);

    expect((await manifestAt(fx, DAYS[0], 1)).manifest.signature.keyFingerprint).toBe(oldKey);
    expect((await manifestAt(fx, DAYS[2], 3)).manifest.signature.keyFingerprint).toBe(rotated.newKey);
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(true);
    expect(verdict.problems).toEqual([
      expect.objectContaining({
        kind: 'key-rotated',
        key: rotated.recordKey,
        detail: expect.stringContaining('yearly rotation'),
      }),
    ]);
    expect(verdict.archive).toMatchObject({ keyFingerprint: oldKey, currentKeyFingerprint: rotated.newKey });
    // The fingerprint recorded at creation still vouches for the archive (its key signed the new one), as does the new one.
    for (const expectKey of [oldKey, rotated.newKey]) expect((await fx.verify({ expectKey })).ok).toBe(true);
    // The public key an examiner is given is the one in effect: it verifies the newest manifest.
    const shown = await archivePublicKey(fx.archive());
    expect(shown?.fingerprint).toBe(rotated.newKey);
    const { signature, ...unsigned } = (await manifestAt(fx, DAYS[2], 3)).manifest;
    expect(
      verifySignature(
        null,
        canonicalJsonBytes(unsigned),
        createPublicKey(shown?.spkiPem ?? ''),
        Buffer.from(signature.value, 'base64'),
      ),
    ).toBe(true);
  });

  it('a manifest a holder of the retired key appends after the rotation is refused, naming the record that retired it', async () => {
    fx = await oneDay();
    const oldKey = await heldKey(fx, await rootFingerprint(fx));
    const rotated = await rotateSigningKey(fx.archive(), change);
    await fx.export(DAYS[1]);
    const forged = await forgedManifest(fx, await manifestAt(fx, DAYS[1], 2), DAYS[2], oldKey);

    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        kind: 'signature-invalid',
        key: forged,
        detail: expect.stringContaining(`which ${rotated.recordKey} retired after sequence 1`),
      }),
    );
    expect(verdict.archive?.head?.sequence).toBe(2);
  });

  it('a succession record not signed by the key then in effect is named, changes no key, and blocks no later rotation', async () => {
    fx = await oneDay();
    const oldKey = await heldKey(fx, await rootFingerprint(fx));
    const rotated = await rotateSigningKey(fx.archive(), change);
    const head = await manifestAt(fx, DAYS[0], 1);
    const attacker = generateSigningKey();
    // The retired key "rotates" the current key to the attacker's.
    const forged = await plantSuccession(
      fx,
      { index: 2, kind: 'rotation', previousKey: rotated.newKey, next: attacker, after: linkTo(head) },
      oldKey,
    );
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        kind: 'key-succession-invalid',
        key: forged,
        detail: expect.stringContaining('is not signed by the key in effect then'),
      }),
    );
    expect(verdict.archive?.currentKeyFingerprint).toBe(rotated.newKey);

    // The exporter keeps signing with the real key; the next genuine rotation steps over the junk.
    await fx.export(DAYS[1]);
    expect((await manifestAt(fx, DAYS[1], 2)).manifest.signature.keyFingerprint).toBe(rotated.newKey);
    const again = await rotateSigningKey(fx.archive(), change);
    expect(again.recordKey).toBe(keySuccessionKey('org-a', 3));
    const after = await fx.verify({ to: DAYS[1] });
    expect(after.archive?.currentKeyFingerprint).toBe(again.newKey);
    expect(after.problems.map((p) => [p.kind, p.key])).toEqual([
      ['key-rotated', rotated.recordKey],
      ['key-rotated', again.recordKey],
      ['key-succession-invalid', forged],
    ]);
  });

  it('on an archive never rotated, a rotation record signed by another key is named and ignored', async () => {
    fx = await oneDay();
    const current = await rootFingerprint(fx);
    const attacker = generateSigningKey();
    const head = await manifestAt(fx, DAYS[0], 1);
    const forged = await plantSuccession(
      fx,
      { index: 1, kind: 'rotation', previousKey: current, next: attacker, after: linkTo(head) },
      attacker,
    );
    const manifest = await forgedManifest(fx, head, DAYS[1], attacker);
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'key-succession-invalid', key: forged }),
        expect.objectContaining({ kind: 'signature-invalid', key: manifest }),
      ]),
    );
    expect(verdict.archive?.currentKeyFingerprint).toBe(current);
  });

  it('a record anchored to a manifest the chain does not hold is named', async () => {
    fx = await oneDay();
    const current = await heldKey(fx, await rootFingerprint(fx));
    const next = generateSigningKey();
    const forged = await plantSuccession(
      fx,
      {
        index: 1,
        kind: 'rotation',
        previousKey: current.fingerprint,
        next: next,
        after: { key: manifestKey('org-a', DAYS[0], 1), sequence: 1, sha256: '0'.repeat(64) },
      },
      current,
    );
    const verdict = await fx.verify();
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        kind: 'key-succession-invalid',
        key: forged,
        detail: expect.stringContaining('but the chain holds it with SHA-256'),
      }),
    );
    expect(verdict.ok).toBe(false);
  });
});

/** A report copy (bundle and record) as the archive writes one, its record signed with `signer`. */
async function plantReportCopy(f: ArchiveFixture, reportId: string, signer: SigningKey): Promise<string> {
  const bundle = Buffer.from(`the bundle of ${reportId}`);
  const bundleKey = reportBundleKey('org-a', reportId);
  await plant(f, bundleKey, bundle);
  const at = new Date(f.clock.now).toISOString();
  const record = signDocument(
    {
      format: REPORT_RECORD_FORMAT,
      archiveId: await archiveId(f),
      reportId,
      generatedAt: at,
      createdAt: at,
      reference: 'FINRA-2026-117',
      period: { from: DAYS[0], to: DAYS[0] },
      bundle: {
        key: bundleKey,
        versionId: null,
        sha256: createHash('sha256').update(bundle).digest('hex'),
        size: bundle.length,
        lockMode: null,
        retainUntil: null,
      },
      files: [],
      tool: { name: 'audit-archive' as const, version: 'test' },
    },
    signer,
  );
  const key = reportRecordKey('org-a', reportId);
  await plant(f, key, canonicalJsonBytes(record));
  return key;
}

describe('report copies across a rotation', () => {
  it('copies signed before the rotation still count; one signed with the retired key afterwards is refused', async () => {
    fx = await oneDay();
    const oldKey = await heldKey(fx, await rootFingerprint(fx));
    const before = await plantReportCopy(fx, 'AR-20261126-00000001', oldKey);
    const rotated = await rotateSigningKey(fx.archive(), change);
    const newKey = await heldKey(fx, rotated.newKey);
    const after = await plantReportCopy(fx, 'AR-20261126-00000002', newKey);
    const forged = await plantReportCopy(fx, 'AR-20261126-00000003', oldKey);

    const verdict = await fx.verify({ to: DAYS[0] });
    expect(verdict.problems.filter((p) => p.kind !== 'key-rotated')).toEqual([
      expect.objectContaining({ kind: 'signature-invalid', key: forged }),
    ]);
    const copies = (await fx.archive().read({ scope: 'whole', fresh: true })).assessment.reports ?? [];
    expect(copies.map((c) => c.recordKey).sort()).toEqual([before, after]);
  });
});

describe('replacing a lost key', () => {
  /** An Archive on this installation whose key custody has lost the archive's key. */
  async function withoutKey(f: ArchiveFixture) {
    const elsewhere = await fs.mkdtemp(path.join(tmpdir(), 'aa-new-keys-'));
    dirs.push(elsewhere);
    return f.archive({ keys: new FileSigningKeyStore(elsewhere) });
  }

  it('restarts the chain under a new key; verify always names the restart and where the chain restarts', async () => {
    fx = await oneDay();
    const lost = await rootFingerprint(fx);
    const archive = await withoutKey(fx);
    const restarted = await replaceLostSigningKey(archive, { ...change, reason: 'laptop stolen', lostKey: lost });
    expect(restarted).toMatchObject({ kind: 'restart', previousKey: lost, afterSequence: 1, retired: false });
    await fx.export(DAYS[1], {}, archive);

    const verdict = await fx.verify({ to: DAYS[1] });
    expect(verdict.ok).toBe(true);
    const restart = verdict.problems.find((p) => p.kind === 'key-restarted');
    expect(restart).toMatchObject({ key: restarted.recordKey });
    expect(restart?.detail).toContain(`restarts after sequence 1 (${manifestKey('org-a', DAYS[0], 1)})`);
    expect(restart?.detail).toContain('can no longer be extended');
    // Every later run says it again: never a silent OK.
    expect((await fx.verify({ to: DAYS[1] })).problems.map((p) => p.kind)).toContain('key-restarted');
    // A holder of the lost key can add nothing after the restart.
    const lostKey = await heldKey(fx, lost);
    const forged = await forgedManifest(fx, await manifestAt(fx, DAYS[1], 2), DAYS[2], lostKey);
    expect((await fx.verify()).problems).toContainEqual(
      expect.objectContaining({ kind: 'signature-invalid', key: forged }),
    );
  });

  it('another installation refuses the restart until the officer pins the new key; the old recorded key no longer vouches', async () => {
    fx = await oneDay();
    const lost = await rootFingerprint(fx);
    const otherState = await fs.mkdtemp(path.join(tmpdir(), 'aa-other-state-'));
    dirs.push(otherState);
    const other = fx.archive({ stateDir: otherState });
    expect((await fx.verify({ archive: other, to: DAYS[0] })).ok).toBe(true); // it records key and head

    const restarted = await replaceLostSigningKey(await withoutKey(fx), { ...change, lostKey: lost });
    const refused = await fx.verify({ archive: fx.archive({ stateDir: otherState }), to: DAYS[0] });
    expect(refused.ok).toBe(false);
    expect(refused.problems).toContainEqual(
      expect.objectContaining({ kind: 'root-changed', detail: expect.stringContaining('declared that key lost') }),
    );
    expect((await fx.verify({ expectKey: lost, to: DAYS[0] })).problems).toContainEqual(
      expect.objectContaining({ kind: 'root-changed', detail: expect.stringContaining('no longer vouches') }),
    );
    // The officer confirms the restart by pinning the new key once; from then on this installation accepts it.
    const pinned = fx.archive({ stateDir: otherState });
    expect((await fx.verify({ archive: pinned, expectKey: restarted.newKey, to: DAYS[0] })).ok).toBe(true);
    expect((await fx.verify({ archive: fx.archive({ stateDir: otherState }), to: DAYS[0] })).ok).toBe(true);
  });

  it('is refused for a key this installation holds, and for a fingerprint that is not the key in effect', async () => {
    fx = await oneDay();
    const current = await rootFingerprint(fx);
    await expect(replaceLostSigningKey(fx.archive(), { ...change, lostKey: current })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('key rotate'),
    });
    await expect(
      replaceLostSigningKey(await withoutKey(fx), { ...change, lostKey: generateSigningKey().fingerprint }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('key show') });
    await expect(fs.readdir(path.join(fx.root, 'org-a', 'key-succession'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a restart planted by someone with write access but no key is named, fails where a key was recorded, and stops the exporter', async () => {
    fx = await oneDay();
    const current = await rootFingerprint(fx);
    const attacker = generateSigningKey();
    const head = await manifestAt(fx, DAYS[0], 1);
    const planted = await plantSuccession(
      fx,
      { index: 1, kind: 'restart', previousKey: current, next: attacker, after: linkTo(head) },
      attacker,
    );
    await forgedManifest(fx, head, DAYS[1], attacker);

    // This installation recorded the key in effect: it fails, naming the restart.
    const here = await fx.verify();
    expect(here.ok).toBe(false);
    expect(here.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['key-restarted', 'root-changed']));
    // A fresh machine pinning the recorded fingerprint fails too; one pinning nothing still sees the restart named.
    const fresh = await fs.mkdtemp(path.join(tmpdir(), 'aa-fresh-'));
    dirs.push(fresh);
    expect((await fx.verify({ archive: fx.archive({ stateDir: fresh }), expectKey: current })).ok).toBe(false);
    const unpinned = await fs.mkdtemp(path.join(tmpdir(), 'aa-unpinned-'));
    dirs.push(unpinned);
    expect((await fx.verify({ archive: fx.archive({ stateDir: unpinned }) })).problems).toContainEqual(
      expect.objectContaining({ kind: 'key-restarted', key: planted }),
    );
    // The exporter writes nothing under the planted key.
    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    await expect(fx.export(DAYS[2])).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
  });

  it('a head record written before key successions existed still vouches only for the root key', async () => {
    fx = await oneDay();
    const current = await rootFingerprint(fx);
    const recordFile = headRecordPath(fx.stateDir, fx.store.url);
    const { currentKey: _dropped, ...older } = JSON.parse(await fs.readFile(recordFile, 'utf8'));
    await fs.writeFile(recordFile, JSON.stringify(older));
    const attacker = generateSigningKey();
    const head = await manifestAt(fx, DAYS[0], 1);
    await plantSuccession(
      fx,
      { index: 1, kind: 'restart', previousKey: current, next: attacker, after: linkTo(head) },
      attacker,
    );
    const verdict = await fx.verify({ to: DAYS[0] });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ kind: 'root-changed', detail: expect.stringContaining('declared that key lost') }),
    );
  });
});
