/**
 * Reports over an archive whose signing key was rotated (key-change.ts): two days signed by the
 * root's key, a rotation record (the old key signs the new), two days signed by the new key. The
 * bundle must be signed with the key in effect, hold the record linking the two keys, and prove
 * itself offline: `verify_bundle.py` checks the old key's manifests with the old key through the
 * record, accepts the fingerprint recorded at creation only through that rotation, and fails when
 * the record is taken out. The cover states the trust basis as it was: the officer's fingerprint,
 * this installation's record, or trust on first use.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySuccessionKey } from '../../../shared/archive-layout';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Day } from '../../../shared/day';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { replaceLostSigningKey, rotateSigningKey, type KeyChangeResult } from '../../../main/engine/archive/key-change';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { generateReport } from '../../../main/engine/reports/build-report';
import { checkReport } from '../../../main/engine/reports/check-report';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { demoArchive, type DemoArchive } from '../discovery/discovery-fixture';
import { buildOptions, flat, pdfPages } from './report-fixture';
import { examinerTool, opensslVerify } from './examiner-tools';

const run = promisify(execFile);
const BEFORE: Day[] = ['2026-03-02', '2026-03-03'];
const AFTER: Day[] = ['2026-03-04', '2026-03-05'];
const PERIOD = { from: BEFORE[0] as Day, to: AFTER.at(-1) as Day };
const QUEUES: CitedSource = {
  kind: 'query',
  query: { kind: 'structured', structured: { range: PERIOD, users: [], actions: [], entityType: 'Queue' } },
  savedQuery: null,
};

let demo: DemoArchive;
let rotated: KeyChangeResult;
const scratch: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Unzips the bundle as an examiner would; returns the report's folder. */
async function unzip(receipt: ReportReceipt): Promise<string> {
  const dir = await tempDir('aa-rotation-exam-');
  await run('unzip', ['-q', receipt.bundle, '-d', dir]);
  return path.join(dir, receipt.reportId);
}

async function evidenceIn(folder: string): Promise<ReportEvidence> {
  return ReportEvidenceSchema.parse(JSON.parse(await fs.readFile(path.join(folder, 'evidence.json'), 'utf8')));
}

/** A report over the whole period; `overrides` change the archive (a fresh state folder) or the verification. */
async function report(overrides: { stateDir?: string; expectKey?: string } = {}): Promise<ReportReceipt> {
  const options = buildOptions(demo, [QUEUES], { period: PERIOD });
  return generateReport({
    ...options,
    archive: overrides.stateDir ? demo.fixture.archive({ stateDir: overrides.stateDir }) : options.archive,
    verification: {
      ...options.verification,
      ...(overrides.expectKey ? { expectKey: overrides.expectKey } : {}),
    },
    outDir: await tempDir('aa-rotation-out-'),
    archiveCopy: false,
  });
}

beforeAll(async () => {
  demo = await demoArchive({ days: BEFORE, eventsPerDay: 80 });
  rotated = await rotateSigningKey(demo.fixture.archive(), { reason: 'scheduled yearly rotation', toolVersion: 't' });
  for (const day of AFTER) await demo.fixture.export(day);
});

afterAll(async () => {
  await demo?.close();
  for (const dir of scratch) await fs.rm(dir, { recursive: true, force: true });
});

describe('a report over an archive whose key was rotated', () => {
  let receipt: ReportReceipt;
  let folder: string;
  beforeAll(async () => {
    receipt = await report({ expectKey: rotated.previousKey });
    folder = await unzip(receipt);
  });

  it('is signed with the key in effect and holds the record linking the root key to it', async () => {
    expect(receipt.verified).toBe(true);
    const evidence = await evidenceIn(folder);
    expect(evidence.archive.keyFingerprint).toBe(rotated.newKey);
    expect(evidence.signature).toMatchObject({ signed: true, keyFingerprint: rotated.newKey });
    expect(evidence.archive.keys).toEqual([
      { fingerprint: rotated.previousKey, via: 'root', afterSequence: 0, record: null, changedAt: null },
      expect.objectContaining({ fingerprint: rotated.newKey, via: 'rotation', record: rotated.recordKey }),
    ]);
    const record = evidence.bundle.archiveFiles.find((f) => f.role === 'succession');
    expect(record).toMatchObject({ key: keySuccessionKey('org-a', 1) });
    expect(await fs.readFile(path.join(folder, record?.file as string))).toEqual(
      await fs.readFile(path.join(demo.fixture.store.root, ...rotated.recordKey.split('/'))),
    );
    // The bundle's manifests: those before the rotation signed by the root's key, those after by the new key.
    const signedBy: Record<string, string> = {};
    for (const f of evidence.bundle.archiveFiles.filter((x) => x.role === 'manifest')) {
      const m = JSON.parse(await fs.readFile(path.join(folder, f.file), 'utf8'));
      signedBy[m.day] = m.signature.keyFingerprint;
    }
    expect(signedBy).toEqual({
      [BEFORE[0] as Day]: rotated.previousKey,
      [BEFORE[1] as Day]: rotated.previousKey,
      [AFTER[0] as Day]: rotated.newKey,
      [AFTER[1] as Day]: rotated.newKey,
    });
  });

  it('passes sha256sum, the openssl check of SHA256SUMS with the new key, and verify_bundle.py with the fingerprint recorded at creation', async () => {
    expect((await examinerTool('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], folder)).code).toBe(0);
    expect(await opensslVerify(folder)).toEqual({ code: 0, out: 'Signature Verified Successfully\n' });
    const { stdout } = await run(
      'sh',
      ['-c', 'openssl pkey -pubin -in archive-public-key.pem -outform DER | sha256sum'],
      { cwd: folder },
    );
    expect(stdout.slice(0, 64)).toBe(rotated.newKey);
    const exam = await examinerTool('python3', ['verify_bundle.py', '--expect-key', rotated.previousKey], folder);
    expect(exam.code, exam.out).toBe(0);
    expect(exam.out).toContain(
      `OK    key-succession record ${rotated.recordKey} (rotation after sequence ${rotated.afterSequence}, signed by the key before it, ${spaced(rotated.previousKey)}): signature verified by OpenSSL`,
    );
    // A manifest before the rotation is checked with the old key, one after it with the new key.
    expect(exam.out).toMatch(
      new RegExp(
        `OK {4}manifest org-a/manifests/2026/03/02/\\d+\\.json \\(key ${rotated.previousKey.slice(0, 16)}\\): signature verified by OpenSSL`,
      ),
    );
    expect(exam.out).toMatch(
      new RegExp(
        `OK {4}manifest org-a/manifests/2026/03/05/\\d+\\.json \\(key ${rotated.newKey.slice(0, 16)}\\): signature verified by OpenSSL`,
      ),
    );
    expect(exam.out).toContain(`the key you recorded, ${spaced(rotated.previousKey)}, signed its successor`);
    expect(exam.out).toContain(
      "NOTE  when the report was made, the archive's key was checked against the fingerprint the officer gave (--expect-key)",
    );
  });

  it("states on its cover that the key was checked against the officer's fingerprint, and how the key changed", async () => {
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain(formatFingerprint(rotated.newKey));
    expect(cover).toContain(
      'Checked against the fingerprint the officer recorded and gave for this report (--expect-key)',
    );
    expect(cover).toContain(
      `rotated on 2026-03-20T12:00:00.000Z, after manifest sequence ${rotated.afterSequence} (${rotated.recordKey}): ${formatFingerprint(rotated.previousKey)} signed its successor ${formatFingerprint(rotated.newKey)}`,
    );
  });

  it('fails verify_bundle.py when the record is taken out, even with SHA256SUMS computed again', async () => {
    const forged = await tempDir('aa-rotation-forged-');
    await fs.cp(folder, forged, { recursive: true });
    const evidence = await evidenceIn(forged);
    const record = evidence.bundle.archiveFiles.find((f) => f.role === 'succession')?.file as string;
    await fs.rm(path.join(forged, record));
    const sums = (await fs.readFile(path.join(forged, 'SHA256SUMS'), 'utf8'))
      .split('\n')
      .filter((l) => l && !l.endsWith(`  ${record}`));
    await fs.writeFile(path.join(forged, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    // --no-openssl keeps the signed bytes for the examiner: in a folder of this test's, not the machine's TMPDIR.
    const signatures = await tempDir('aa-signatures-');
    const exam = await examinerTool(
      'python3',
      ['verify_bundle.py', '--no-openssl', '--signatures-dir', signatures],
      forged,
    );
    expect(exam.code).toBe(1);
    expect(exam.out).toContain(`FAIL  ${record} is missing from the bundle`);
    expect(exam.out).toContain(
      'FAIL  the key history evidence.json states (2 keys) is not the one the root and the key-succession records in the bundle give (1 keys)',
    );
    expect(exam.out).toContain("FAIL  archive-public-key.pem is not the key the archive's root object names");
  });

  it('is confirmed by Re-check against the archive: the bundle is signed with the key in effect', async () => {
    const checks = await checkReport(receipt, demo.fixture.archive());
    expect(checks.find((c) => c.what === 'Signature')).toEqual({
      what: 'Signature',
      ok: true,
      detail: `SHA256SUMS is signed with the archive's own key (${formatFingerprint(rotated.newKey)}), the key in effect.`,
    });
    expect(checks.every((c) => c.ok)).toBe(true);
  });
});

describe('a report after a rotation made by a fresh installation, without --expect-key', () => {
  it('says on its cover and in evidence.json that the key was trusted on first use', async () => {
    const receipt = await report({ stateDir: await tempDir('aa-rotation-fresh-state-') });
    const folder = await unzip(receipt);
    const evidence = await evidenceIn(folder);
    expect(evidence.verification.trust).toMatchObject({ key: 'first-use' });
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain('TRUSTED ON FIRST USE: nothing kept outside the archive confirmed this key');
    const exam = await examinerTool('python3', ['verify_bundle.py'], folder);
    expect(exam.code, exam.out).toBe(0);
    expect(exam.out).toContain(
      "the archive's key was checked against nothing kept elsewhere: it was trusted on first use",
    );
  });

  it("names this installation's record as the basis when it has one", async () => {
    const receipt = await report();
    expect((await evidenceIn(await unzip(receipt))).verification.trust).toMatchObject({ key: 'recorded' });
  });
});

describe('a report over an archive whose lost key was replaced (a restart)', () => {
  it("names the restart; verify_bundle.py checks the lost key's manifests with it, names the restart, and refuses the lost key as --expect-key", async () => {
    const days: Day[] = ['2026-03-02', '2026-03-03'];
    const lostDemo = await demoArchive({ days: [days[0] as Day], eventsPerDay: 40 });
    try {
      const lost = (await lostDemo.fixture.archive().read({ scope: 'layout' })).assessment.keys.current
        ?.fingerprint as string;
      // The new key is kept where the lost one never was.
      const archive = lostDemo.fixture.archive({ keys: new FileSigningKeyStore(await tempDir('aa-new-keys-')) });
      const restarted = await replaceLostSigningKey(archive, {
        reason: 'laptop stolen',
        toolVersion: 't',
        lostKey: lost,
      });
      await lostDemo.fixture.export(days[1] as Day, {}, archive);
      const period = { from: days[0] as Day, to: days[1] as Day };
      const source: CitedSource = {
        kind: 'query',
        query: { kind: 'structured', structured: { range: period, users: [], actions: [], entityType: 'Queue' } },
        savedQuery: null,
      };
      const options = buildOptions(lostDemo, [source], { period });
      // The officer confirmed the restart and pins the new key.
      const receipt = await generateReport({
        ...options,
        archive,
        verification: { ...options.verification, expectKey: restarted.newKey },
        outDir: await tempDir('aa-restart-out-'),
        archiveCopy: false,
      });
      expect(receipt.verified).toBe(true);
      const cover = flat((await pdfPages(receipt.pdf))[0] as string);
      expect(cover).toContain(
        `RESTARTED on 2026-03-20T12:00:00.000Z, after manifest sequence 1 (${restarted.recordKey}): ${formatFingerprint(lost)} was declared lost`,
      );
      const folder = await unzip(receipt);
      const pinned = await examinerTool('python3', ['verify_bundle.py', '--expect-key', restarted.newKey], folder);
      expect(pinned.code, pinned.out).toBe(0);
      expect(pinned.out).toContain(
        `OK    key-succession record ${restarted.recordKey} (restart after sequence 1, signed by the new key only)`,
      );
      expect(pinned.out).toContain(`was declared LOST and replaced by ${spaced(restarted.newKey)}`);
      expect(pinned.out).toMatch(
        new RegExp(`OK {4}manifest org-a/manifests/2026/03/02/\\d+\\.json \\(key ${lost.slice(0, 16)}\\)`),
      );
      const old = await examinerTool('python3', ['verify_bundle.py', '--expect-key', lost], folder);
      expect(old.code).toBe(1);
      expect(old.out).toContain(
        `FAIL  the key you recorded, ${spaced(lost)}, no longer vouches for the key in effect ${spaced(restarted.newKey)}: ${restarted.recordKey} restarted the chain`,
      );
    } finally {
      await lostDemo.close();
    }
  });
});

function spaced(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
}
