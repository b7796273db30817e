/**
 * The bundle proves itself offline, as an examiner with only the zip and standard tools checks it:
 * `sha256sum -c SHA256SUMS`, `openssl pkeyutl -verify …` with the bundled public key, and
 * `python3 verify_bundle.py` (standard library only), run on real bundles of a demo archive real
 * exports filled. Each forgery a person could try on the unzipped folder fails at least one of them,
 * and the app's Re-check, which trusts no receipt, names it.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Day } from '../../../shared/day';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { main } from '../../../main/cli/main';
import { Archive } from '../../../main/engine/archive/archive';
import { generateReport } from '../../../main/engine/reports/build-report';
import { checkReport } from '../../../main/engine/reports/check-report';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { makeWritable } from '../archive/archive-fixture';
import { DEMO_DAYS, demoArchive, type DemoArchive } from '../discovery/discovery-fixture';
import { buildOptions, flat, generate, pdfPages, removeScratchFolders } from './report-fixture';
import { examinerTool, opensslVerify } from './examiner-tools';

afterAll(removeScratchFolders);
const run = promisify(execFile);
const RANGE = { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS.at(-1) as Day };

let demo: DemoArchive;
let sources: CitedSource[];
let receipt: ReportReceipt;
let fingerprint: string;
const scratch: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Unzips the bundle into a new folder, as an examiner would; returns the report's folder. */
async function unzip(bundle: string, reportId: string): Promise<string> {
  const dir = await tempDir('aa-examiner-');
  await run('unzip', ['-q', bundle, '-d', dir]);
  return path.join(dir, reportId);
}

interface Exam {
  sums: { code: number; out: string };
  openssl: { code: number; out: string };
  python: { code: number; out: string };
}

/** The three checks an examiner runs in the unzipped folder (README.txt gives them). */
async function examine(folder: string, expectKey = fingerprint): Promise<Exam> {
  return {
    sums: await examinerTool('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], folder),
    openssl: await opensslVerify(folder),
    python: await examinerTool('python3', ['verify_bundle.py', '--expect-key', expectKey], folder),
  };
}

/** SHA256SUMS recomputed for what the folder holds now, as `sha256sum` would write it. */
async function recomputeSums(folder: string): Promise<void> {
  const sums = await fs.readFile(path.join(folder, 'SHA256SUMS'), 'utf8');
  const names = sums
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(66));
  const present = [];
  for (const n of names) if (await fs.stat(path.join(folder, n)).catch(() => null)) present.push(n);
  const { stdout } = await run('sha256sum', present, { cwd: folder });
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), stdout);
}

async function evidenceIn(folder: string): Promise<ReportEvidence> {
  return ReportEvidenceSchema.parse(JSON.parse(await fs.readFile(path.join(folder, 'evidence.json'), 'utf8')));
}

beforeAll(async () => {
  demo = await demoArchive();
  const who = demo.events.find((e) => e.user.name)?.user as { id: string };
  sources = [
    {
      kind: 'query',
      query: { kind: 'structured', structured: { range: RANGE, users: [who.id], actions: [] } },
      savedQuery: null,
    },
  ];
  ({ receipt } = await generate(demo, sources));
  let out = '';
  const code = await main(
    [
      'key',
      'show',
      '--json',
      '--target',
      pathToFileURL(path.join(demo.fixture.root, 'org-a')).href,
      '--state-dir',
      demo.fixture.stateDir,
    ],
    { env: {}, stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } },
  );
  expect(code).toBe(0);
  fingerprint = (JSON.parse(out) as { fingerprint: string }).fingerprint;
});

afterAll(async () => {
  await demo?.close();
  for (const dir of scratch) {
    await makeWritable(dir).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  }
});

describe('an untouched bundle', () => {
  it('passes sha256sum -c, the openssl signature check and verify_bundle.py, with the key `audit-archive key show` prints', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const exam = await examine(folder);
    expect(exam.sums.code, exam.sums.out).toBe(0);
    expect(exam.openssl).toEqual({ code: 0, out: 'Signature Verified Successfully\n' });
    expect(exam.python.code, exam.python.out).toBe(0);
    expect(exam.python.out).toContain('RESULT: every check held');
    expect(exam.python.out).toMatch(
      /OK {4}manifest org-a\/manifests\/2026\/03\/02\/\d+\.json: signature verified by OpenSSL/,
    );
    expect(exam.python.out).toContain(`the archive's key is the one you recorded`);
    // The key's fingerprint, as openssl and sha256sum compute it, is the one on the cover.
    const { stdout } = await run(
      'sh',
      ['-c', 'openssl pkey -pubin -in archive-public-key.pem -outform DER | sha256sum'],
      {
        cwd: folder,
      },
    );
    expect(stdout.slice(0, 64)).toBe(fingerprint);
    const cover = flat((await pdfPages(path.join(folder, 'report.pdf')))[0] as string);
    expect(cover).toContain(fingerprint.replace(/(.{4})(?!$)/g, '$1 '));
    expect(cover).toContain("The bundle's SHA256SUMS is signed with the archive's own key");
  });

  it('holds the root object, every manifest of the period and the cited objects byte for byte, and where each event line sits', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const evidence = await evidenceIn(folder);
    const store = demo.fixture.store.root;
    for (const f of evidence.bundle.archiveFiles)
      expect(await fs.readFile(path.join(folder, f.file))).toEqual(
        await fs.readFile(path.join(store, ...f.key.split('/'))),
      );
    expect(evidence.bundle.archiveFiles.map((f) => f.role).sort()).toEqual(
      ['root', ...DEMO_DAYS.map(() => 'manifest'), ...evidence.citedObjects.map(() => 'object')].sort(),
    );
    expect(evidence.bundle.objects).toMatchObject({ included: true, limitBytes: 100 * 1024 ** 2 });
    for (const o of evidence.citedObjects)
      expect(o).toMatchObject({ matches: true, lock: { state: 'not-checked' }, file: `archive/${o.key}` });
    const lines = (await fs.readFile(path.join(folder, 'event-lines.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(receipt.events);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      n: 1,
      line: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const readme = await fs.readFile(path.join(folder, 'README.txt'), 'utf8');
    expect(readme).toContain(
      'openssl pkeyutl -verify -pubin -inkey archive-public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig',
    );
    expect(readme).toContain(`python3 verify_bundle.py --expect-key ${fingerprint}`);
  });

  it('is the same bytes when made again from the same archive and inputs at the same fixed time', async () => {
    const at = '2026-03-20T09:30:00.000Z';
    const first = await generate(demo, sources, { generatedAt: at });
    const again = await generate(demo, sources, { generatedAt: at });
    expect(again.receipt.reportId).toBe(first.receipt.reportId);
    expect(first.receipt.reportId).toMatch(/^AR-20260320-[0-9a-f]{8}$/);
    expect(await fs.readFile(again.receipt.bundle)).toEqual(await fs.readFile(first.receipt.bundle));
    const evidence = await evidenceIn(first.receipt.folder);
    expect(evidence).toMatchObject({ generatedAt: at, clock: 'fixed', verification: { at } });
  });
});

describe('each forgery fails the examiner’s checks', () => {
  it('an edited user name in events.ndjson and events.csv, with SHA256SUMS computed again: sha256sum passes, the signature does not', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const ndjson = await fs.readFile(path.join(folder, 'events.ndjson'), 'utf8');
    const name = (JSON.parse(ndjson.split('\n')[0] as string) as { user: { name: string } }).user.name;
    for (const file of ['events.ndjson', 'events.csv']) {
      const text = await fs.readFile(path.join(folder, file), 'utf8');
      expect(text).toContain(name);
      await fs.writeFile(path.join(folder, file), text.replaceAll(name, 'Someone Else'));
    }
    await recomputeSums(folder);
    const exam = await examine(folder);
    expect(exam.sums.code).toBe(0);
    expect(exam.openssl.code).not.toBe(0);
    expect(exam.openssl.out).toContain('Signature Verification Failure');
    expect(exam.python.code).toBe(1);
    expect(exam.python.out).toContain('FAIL  SHA256SUMS: signature does NOT verify');
    expect(exam.python.out).toMatch(/FAIL {2}event \d+ of events\.ndjson is not the line its source states/);
  });

  it('a swapped key that signs the changed sums: openssl passes with it, but not verify_bundle.py (it checks the sums with the root key) nor the recorded fingerprint', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const file = path.join(folder, 'events.ndjson');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/"action":"[^"]*"/, '"action":"Forged"'));
    await recomputeSums(folder);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await fs.writeFile(path.join(folder, 'archive-public-key.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
    await recomputeSums(folder);
    await fs.writeFile(
      path.join(folder, 'SHA256SUMS.sig'),
      sign(null, await fs.readFile(path.join(folder, 'SHA256SUMS')), privateKey),
    );
    const exam = await examine(folder);
    expect(exam.sums.code).toBe(0);
    expect(exam.openssl.code).toBe(0);
    expect(exam.python.code).toBe(1);
    expect(exam.python.out).toContain("FAIL  archive-public-key.pem is not the key the archive's root object names");
    // The manifests are the archive's own and verify with its key; SHA256SUMS.sig does not.
    expect(exam.python.out).toMatch(/FAIL {2}SHA256SUMS: signature does NOT verify with key-[0-9a-f]{64}\.pem/);
    expect(exam.python.out).toMatch(/OK {4}manifest .*: signature verified by OpenSSL/);
    expect(exam.python.out).toContain('NOT the one you recorded');
  });

  it('a dropped manifest: named by sha256sum, and by verify_bundle.py even when SHA256SUMS is re-signed without it', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const evidence = await evidenceIn(folder);
    const dropped = evidence.bundle.archiveFiles.find((f) => f.role === 'manifest') as { file: string; key: string };
    await fs.rm(path.join(folder, dropped.file));
    const exam = await examine(folder);
    expect(exam.sums.code).not.toBe(0);
    expect(exam.sums.out).toContain(`${dropped.file}: FAILED open or read`);
    // An insider holding the archive's key re-signs SHA256SUMS without it.
    await fs.writeFile(
      path.join(folder, 'SHA256SUMS'),
      (await fs.readFile(path.join(folder, 'SHA256SUMS'), 'utf8'))
        .split('\n')
        .filter((l) => !l.endsWith(dropped.file))
        .join('\n'),
    );
    const key = await demo.fixture.archive().options.keys.get(fingerprint);
    await fs.writeFile(
      path.join(folder, 'SHA256SUMS.sig'),
      sign(null, await fs.readFile(path.join(folder, 'SHA256SUMS')), key!.privateKey),
    );
    const insider = await examine(folder);
    expect(insider.sums.code).toBe(0);
    expect(insider.openssl.code).toBe(0);
    expect(insider.python.code).toBe(1);
    expect(insider.python.out).toContain(`FAIL  manifest ${dropped.key} of`);
  });

  it('an extra file: sha256sum -c does not notice it, verify_bundle.py names it', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    await fs.writeFile(path.join(folder, 'results', 'result-9.csv'), 'id\r\nplanted\r\n');
    const exam = await examine(folder);
    expect(exam.sums.code).toBe(0);
    expect(exam.openssl.code).toBe(0);
    expect(exam.python.code).toBe(1);
    expect(exam.python.out).toContain(
      'FAIL  results/result-9.csv is not listed in SHA256SUMS: it was added after the report was made',
    );
  });

  it('a truncated evidence.json under recomputed sums: verify_bundle.py fails in words, not a traceback, and leaves no folder behind', async () => {
    const folder = await unzip(receipt.bundle, receipt.reportId);
    const evidence = await fs.readFile(path.join(folder, 'evidence.json'), 'utf8');
    await fs.writeFile(path.join(folder, 'evidence.json'), evidence.slice(0, evidence.length / 2));
    await recomputeSums(folder);
    // The script's own scratch folder for signatures goes under TMPDIR: an empty one shows what it left.
    const tmp = await tempDir('aa-examiner-tmp-');
    const exam = await run('python3', ['verify_bundle.py'], { cwd: folder, env: { ...process.env, TMPDIR: tmp } }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? 1,
        out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
      }),
    );
    expect(exam.code).toBe(1);
    expect(exam.out).not.toContain('Traceback');
    expect(exam.out).toMatch(
      /FAIL {2}the bundle could not be read to its end \(JSONDecodeError: .+\): a file is damaged or was altered/,
    );
    expect(exam.out).toContain('RESULT: 1 problem(s); see FAIL above');
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it("a rewritten receipt over an altered PDF: the app's Re-check fails on the signature, naming the file", async () => {
    const out = await tempDir('aa-recheck-');
    const { receipt: own } = await generate(demo, sources, { outDir: out });
    const pdf = path.join(own.folder, 'report.pdf');
    const bytes = await fs.readFile(pdf);
    await fs.writeFile(pdf, Buffer.concat([bytes, Buffer.from('\n% an edit\n')]));
    await recomputeSums(own.folder);
    await run('zip', ['-q', '-X', '-r', own.bundle, `${own.reportId}/report.pdf`, `${own.reportId}/SHA256SUMS`], {
      cwd: out,
    });
    const { stdout } = await run('sha256sum', [own.bundle]);
    const forged: ReportReceipt = {
      ...own,
      bundleSha256: stdout.slice(0, 64),
      files: own.files.map((f) => (f.name === 'report.pdf' ? { ...f, sha256: 'ab'.repeat(32) } : f)),
    };
    await fs.writeFile(own.bundle.replace(/\.zip$/, '.receipt.json'), JSON.stringify(forged));
    const checks = await checkReport(forged, demo.fixture.archive());
    expect(checks.find((c) => c.what === 'Bundle')?.ok).toBe(true);
    expect(checks.find((c) => c.what === 'Files in the bundle')?.ok).toBe(true);
    expect(checks.find((c) => c.what === 'Signature')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('SHA256SUMS.sig does not verify SHA256SUMS'),
    });
  });

  it('an extra file in the unzipped folder beside a report is named by Re-check', async () => {
    const out = await tempDir('aa-recheck-extra-');
    const { receipt: own } = await generate(demo, sources, { outDir: out });
    const before = await checkReport(own, demo.fixture.archive());
    expect(before.map((c) => [c.what, c.ok])).toEqual([
      ['Bundle', true],
      ['Files in the bundle', true],
      ['Signature', true],
      ['Report folder', true],
      ['Archive', true],
    ]);
    await fs.writeFile(path.join(own.folder, 'notes.txt'), 'added later');
    const after = await checkReport(own, demo.fixture.archive());
    expect(after.find((c) => c.what === 'Report folder')).toEqual({
      what: 'Report folder',
      ok: false,
      detail: 'Changed since the report was made: not listed in SHA256SUMS (added afterwards): notes.txt.',
    });
  });
});

describe('a report made where the archive key is not', () => {
  it('says on its cover that the bundle is unsigned and why; verify_bundle.py says nothing proves it', async () => {
    const reader = Archive.forReading(demo.fixture.store, null);
    const out = await tempDir('aa-unsigned-');
    const own = await generateReport({
      ...buildOptions(demo, sources),
      archive: reader,
      outDir: out,
      archiveCopy: false,
    });
    expect(own.signed).toBe(false);
    expect(await fs.stat(path.join(own.folder, 'SHA256SUMS.sig')).catch(() => null)).toBeNull();
    const cover = flat((await pdfPages(own.pdf))[0] as string);
    expect(cover).toContain(
      "UNSIGNED: the bundle's SHA256SUMS carries no signature, because the archive's private signing key",
    );
    expect(cover).toContain('is not on this machine (looked in none (a reader))');
    const folder = await unzip(own.bundle, own.reportId);
    const exam = await examine(folder);
    expect(exam.sums.code).toBe(0);
    expect(exam.python.code).toBe(1);
    expect(exam.python.out).toContain('FAIL  SHA256SUMS is not signed');
  });
});
