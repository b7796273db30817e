/**
 * `audit-archive report --archive-copy` against a real Ceph RADOS Gateway with Object Lock, run as
 * a separate process with the exporter's own credentials: the bundle and its signed record land
 * under `{prefix}/reports/<id>/`, locked like the events, and `verify --full` knows them. Someone
 * holding the same credentials then adds a version over the bundle, over the record, or plants a
 * report copy of their own: verify names each key. The report's cover states the locks it read back
 * (and never that the storage is not WORM), and its bundle checks offline with openssl and python3.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { canonicalJsonBytes, generateSigningKey, signDocument } from '../../../main/engine/archive/signing';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
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
} from '../archive/exporter-rgw-fixture';
import { flat, pdfPages } from '../../unit/reports/report-fixture';

const run = promisify(execFile);

const RETENTION_DAYS = 2;

describe('a report kept in an archive in Ceph RGW', () => {
  const last = lastSettledDay(Date.now(), 120);
  const days: Day[] = [addDays(last, -1), last];
  const attacker = exporterClient();
  let sim: GenesysSimulator;
  let home: string;
  let bucket: string;
  let env: NodeJS.ProcessEnv;
  let receipt: ReportReceipt;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'report-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 120, seed: 23 });
    bucket = await exporterBucket('report-copy', 'COMPLIANCE', RETENTION_DAYS);
    env = exporterEnv({ home, target: `s3://${bucket}/${PREFIX}`, sim, retentionDays: RETENTION_DAYS });
    const catchUp = await runCli(['catch-up', '--from', days[0] as Day, '--to', last], env);
    expect(catchUp.code, catchUp.stderr).toBe(0);
    const out = join(home, 'reports');
    const r = await runCli(
      [
        'report',
        '--sql',
        'SELECT id FROM audit_events ORDER BY id LIMIT 7',
        '--from',
        days[0] as Day,
        '--to',
        last,
        '--request-ref',
        'SEC-RGW-1',
        '--archive-copy',
        '--out',
        out,
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const [pdf, bundle] = r.stdout.trimEnd().split('\n') as [string, string];
    expect(pdf).toMatch(/report\.pdf$/);
    receipt = ReportReceiptSchema.parse(JSON.parse(await readFile(bundle.replace(/\.zip$/, '.receipt.json'), 'utf8')));
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('lands the bundle and its signed record under reports/<id>/, each one version, locked in COMPLIANCE mode', async () => {
    const copy = receipt.archiveCopy;
    expect(copy).toMatchObject({
      bundleKey: reportBundleKey(PREFIX, receipt.reportId),
      recordKey: reportRecordKey(PREFIX, receipt.reportId),
    });
    expect(copy?.bundleVersionId).toBeTruthy();
    expect(copy?.recordVersionId).toBeTruthy();
    const store = exporterStore(bucket);
    expect(await readObject(store, copy!.bundleKey, copy!.bundleVersionId)).toEqual(await readFile(receipt.bundle));
    for (const [key, versionId] of [
      [copy!.bundleKey, copy!.bundleVersionId],
      [copy!.recordKey, copy!.recordVersionId],
    ] as const) {
      const info = await store.headObject(key, versionId);
      expect(info?.lock?.mode).toBe('COMPLIANCE');
      expect(Date.parse(info?.lock?.retainUntil as string)).toBeGreaterThan(Date.now());
    }
    const { text, report } = await verifyCli(['--full', '--from', days[0] as Day, '--to', last], env);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(report.problems).toEqual([]);
  });

  it('says on its cover that the archive is S3 with Object Lock and the locks it read back, and its bundle checks offline', async () => {
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain(`The archive is in S3 with Object Lock (s3://${bucket}/${PREFIX}).`);
    expect(cover).toMatch(
      /\(the root object, 2 manifests and 2 archived objects the events come from\) were read back at report time: every one is locked in COMPLIANCE mode, retained until \d{4}-\d{2}-\d{2} at the earliest\./,
    );
    expect(cover).not.toContain('not WORM');
    expect(cover).not.toContain('no lock was checked');
    const folder = join(await mkdtemp(join(home, 'exam-')), receipt.reportId);
    await run('unzip', ['-q', receipt.bundle, '-d', join(folder, '..')]);
    const evidence = ReportEvidenceSchema.parse(JSON.parse(await readFile(join(folder, 'evidence.json'), 'utf8')));
    for (const f of [...evidence.bundle.archiveFiles, ...evidence.citedObjects])
      expect(f.lock).toMatchObject({ state: 'locked', mode: 'COMPLIANCE' });
    expect(evidence.citedObjects.every((o) => o.versionId !== null)).toBe(true);
    const openssl = await run(
      'openssl',
      [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        'archive-public-key.pem',
        '-rawin',
        '-in',
        'SHA256SUMS',
        '-sigfile',
        'SHA256SUMS.sig',
      ],
      { cwd: folder },
    );
    expect(openssl.stdout).toBe('Signature Verified Successfully\n');
    const python = await run('python3', ['verify_bundle.py'], { cwd: folder });
    expect(python.stdout).toContain('RESULT: every check held');
  });

  it('verify names a version added over the bundle, and one added over the record', async () => {
    const copy = receipt.archiveCopy!;
    await putAs(attacker, bucket, copy.bundleKey, await readFile(receipt.bundle));
    const record = JSON.parse(
      (await readObject(exporterStore(bucket), copy.recordKey, copy.recordVersionId)).toString(),
    );
    const { signature: _dropped, ...unsigned } = record as Record<string, unknown>;
    await putAs(attacker, bucket, copy.recordKey, canonicalJsonBytes({ ...unsigned, reference: 'SEC-OTHER' }));
    const { text, report } = await verifyCli(['--full', '--from', days[0] as Day, '--to', last], env);
    expect(text.code).toBe(1);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'version-added', key: copy.bundleKey }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'version-added', key: copy.recordKey }));
    expect(text.stdout + text.stderr).toContain(copy.bundleKey);
    expect(text.stdout + text.stderr).toContain(copy.recordKey);
  });

  it('verify names a report copy planted with a record signed by another key', async () => {
    const copy = receipt.archiveCopy!;
    const plantedId = 'AR-20260101-0badc0de';
    const record = JSON.parse(
      (await readObject(exporterStore(bucket), copy.recordKey, copy.recordVersionId)).toString(),
    );
    const { signature: _dropped, ...unsigned } = record as Record<string, unknown>;
    const bundleKey = reportBundleKey(PREFIX, plantedId);
    const recordKey = reportRecordKey(PREFIX, plantedId);
    const bundleVersion = await putAs(attacker, bucket, bundleKey, await readFile(receipt.bundle));
    const forged = signDocument(
      {
        ...unsigned,
        reportId: plantedId,
        bundle: { ...(unsigned.bundle as object), key: bundleKey, versionId: bundleVersion },
      },
      generateSigningKey(),
    );
    await putAs(attacker, bucket, recordKey, canonicalJsonBytes(forged));
    const { text, report } = await verifyCli(['--full', '--from', days[0] as Day, '--to', last], env);
    expect(text.code).toBe(1);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'signature-invalid', key: recordKey }));
  });
});
