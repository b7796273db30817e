/**
 * A report over an archive in a real Ceph RGW bucket (COMPLIANCE) whose signing key was rotated
 * between its two days, made by the CLI as a separate process with the exporter's credentials:
 * the bundle is signed with the key in effect, holds the key-succession record (locked, read back)
 * linking the root's key to it, and proves itself offline: openssl checks SHA256SUMS with the new
 * key, and verify_bundle.py checks the day signed by the old key through the record and accepts
 * the fingerprint recorded at creation (--expect-key) only through that rotation. The cover says
 * what the key was checked against: the officer's fingerprint, or this installation's record.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySuccessionKey } from '../../../shared/archive-layout';
import { formatFingerprint } from '../../../shared/archive-root';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { PREFIX, exporterBucket, exporterEnv, runCli } from '../archive/exporter-rgw-fixture';
import { flat, pdfPages } from '../../unit/reports/report-fixture';
import { examinerTool, opensslVerify } from '../../unit/reports/examiner-tools';

const run = promisify(execFile);
const RETENTION_DAYS = 2;

async function keyInEffect(env: NodeJS.ProcessEnv): Promise<string> {
  const shown = await runCli(['key', 'show', '--json'], env);
  expect(shown.code, shown.stderr).toBe(0);
  return (JSON.parse(shown.stdout) as { fingerprint: string }).fingerprint;
}

describe('a report over an archive in Ceph RGW whose key was rotated', () => {
  const last = lastSettledDay(Date.now(), 120);
  const before: Day = addDays(last, -1);
  let sim: GenesysSimulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let oldKey: string;
  let newKey: string;

  /** `audit-archive report` over both days; returns its receipt and the unzipped report folder. */
  async function report(reference: string, extra: string[]): Promise<{ receipt: ReportReceipt; folder: string }> {
    const out = join(home, reference);
    const r = await runCli(
      [
        'report',
        '--sql',
        'SELECT id FROM audit_events ORDER BY id LIMIT 9',
        '--from',
        before,
        '--to',
        last,
        '--request-ref',
        reference,
        '--out',
        out,
        ...extra,
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const bundle = r.stdout.trimEnd().split('\n')[1] as string;
    const receipt = ReportReceiptSchema.parse(
      JSON.parse(await readFile(bundle.replace(/\.zip$/, '.receipt.json'), 'utf8')),
    );
    const dir = await mkdtemp(join(home, 'exam-'));
    await run('unzip', ['-q', receipt.bundle, '-d', dir]);
    return { receipt, folder: join(dir, receipt.reportId) };
  }

  const evidenceIn = async (folder: string): Promise<ReportEvidence> =>
    ReportEvidenceSchema.parse(JSON.parse(await readFile(join(folder, 'evidence.json'), 'utf8')));

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'rotation-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 60, seed: 43 });
    const bucket = await exporterBucket('report-keys', 'COMPLIANCE', RETENTION_DAYS);
    env = exporterEnv({ home, target: `s3://${bucket}/${PREFIX}`, sim, retentionDays: RETENTION_DAYS });
    const first = await runCli(['export', '--day', before], env);
    expect(first.code, first.stderr).toBe(0);
    oldKey = await keyInEffect(env);
    const rotated = await runCli(['key', 'rotate', '--reason', 'yearly rotation'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    newKey = await keyInEffect(env);
    const second = await runCli(['export', '--day', last], env);
    expect(second.code, second.stderr).toBe(0);
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('is signed with the new key, holds the locked succession record, and checks offline against the fingerprint recorded at creation', async () => {
    const { receipt, folder } = await report('SEC-ROTATED-1', ['--expect-key', oldKey]);
    expect(receipt.verified).toBe(true);
    const evidence = await evidenceIn(folder);
    expect(evidence.archive.keyFingerprint).toBe(newKey);
    expect(evidence.archive.keys.map((k) => [k.fingerprint, k.via])).toEqual([
      [oldKey, 'root'],
      [newKey, 'rotation'],
    ]);
    expect(evidence.verification.trust).toMatchObject({ key: 'expected' });
    const record = evidence.bundle.archiveFiles.find((f) => f.role === 'succession');
    expect(record).toMatchObject({ key: keySuccessionKey(PREFIX, 1), lock: { state: 'locked', mode: 'COMPLIANCE' } });
    expect(record?.versionId).toBeTruthy();

    const openssl = await opensslVerify(folder);
    expect(openssl).toEqual({ code: 0, out: 'Signature Verified Successfully\n' });
    const python = await examinerTool('python3', ['verify_bundle.py', '--expect-key', oldKey], folder);
    expect(python.code, python.out).toBe(0);
    expect(python.out).toContain(`OK    key-succession record ${record?.key} (rotation after sequence 1`);
    expect(python.out).toMatch(new RegExp(`OK {4}manifest ${PREFIX}/manifests/.+ \\(key ${oldKey.slice(0, 16)}\\)`));
    expect(python.out).toMatch(new RegExp(`OK {4}manifest ${PREFIX}/manifests/.+ \\(key ${newKey.slice(0, 16)}\\)`));
    expect(python.out).toContain('RESULT: every check held');

    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain(formatFingerprint(newKey));
    expect(cover).toContain('Checked against the fingerprint the officer recorded and gave for this report');
    expect(cover).toContain(`${formatFingerprint(oldKey)} signed its successor ${formatFingerprint(newKey)}`);
    expect(cover).toMatch(
      /the root object, 1 key-succession record, 2 manifests and \d+ archived objects? the events come from\) were read back/,
    );
  });

  it("without --expect-key, says the key was checked against this installation's record", async () => {
    const { receipt, folder } = await report('SEC-ROTATED-2', []);
    expect((await evidenceIn(folder)).verification.trust).toMatchObject({ key: 'recorded' });
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain("Checked against this installation's own record of the archive");
    expect(cover).not.toContain('TRUSTED ON FIRST USE');
  });
});
