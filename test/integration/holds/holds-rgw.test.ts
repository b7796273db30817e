/**
 * Legal holds by matter, as an officer drives them through the CLI, on Ceph RGW with Object Lock:
 * placed (every vouched version ON, a signed record), listed, enforced (a versioned delete with
 * governance bypass is refused while held), released by matter (a day under two matters stays
 * held), held as a held day's new versions land, `hold-missing` once someone turns a hold off, named
 * by a report and by a query over a held range (a record that does not count named as such), and
 * refused: days not archived, an unknown matter, a local folder, and the exporter's credentials.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectLegalHoldCommand,
} from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ResultMetadataSchema } from '../../../shared/discovery/result-metadata';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { rawClient } from '../stores/rgw-fixtures';
import { holdsBucket } from './hold-bucket';
import { PREFIX, exporterEnv, putAs, runCli, verifyCli } from '../archive/exporter-rgw-fixture';

const RETENTION_DAYS = 1;

describe('legal holds by matter on Ceph RGW', () => {
  const rgw = inject('rgw');
  const admin = rawClient();
  const last = lastSettledDay(Date.now(), 120);
  const [d1, d2, d3] = [addDays(last, -2), addDays(last, -1), last] as const;
  let home: string;
  let sim: GenesysSimulator;
  let bucket: string;
  let exporter: NodeJS.ProcessEnv;
  let officer: NodeJS.ProcessEnv;

  const legalHold = async (key: string, versionId?: string) =>
    (await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })))
      .ObjectLockLegalHoldStatus ?? 'OFF';
  const versionsOf = async (prefix: string) =>
    ((await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }))).Versions ?? []).map((v) => ({
      key: v.Key as string,
      versionId: v.VersionId as string,
    }));
  const dayPrefix = (folder: string, day: Day) => `${PREFIX}/${folder}/${day.replaceAll('-', '/')}/`;
  const holdsOfDay = async (day: Day) => {
    const versions = [
      ...(await versionsOf(dayPrefix('audit-logs', day))),
      ...(await versionsOf(dayPrefix('manifests', day))),
    ];
    return Promise.all(versions.map(async (v) => legalHold(v.key, v.versionId)));
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'holds-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 300, seed: 18 });
    bucket = await holdsBucket('holds', RETENTION_DAYS);
    exporter = exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim,
      retentionDays: RETENTION_DAYS,
      extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' },
    });
    officer = {
      ...exporter,
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
      AUDIT_ARCHIVE_OFFICER: 'Dana Officer',
    };
    const run = await runCli(['catch-up', '--from', d1, '--to', d3], exporter);
    expect(run.code, run.stderr).toBe(0);
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("refuses the exporter's credentials in words, and days not archived by name, writing nothing", async () => {
    const denied = await runCli(['hold', 'place', '--from', d1, '--to', d1, '--matter', 'SEC inquiry'], exporter);
    expect(denied.code, denied.stdout + denied.stderr).toBe(1);
    expect(denied.stderr).toMatch(/may not change legal holds \(s3:PutObjectLegalHold\)/);
    expect(denied.stderr).toContain('ARCHIVE_HOLD_DENIED');
    const before = addDays(d1, -2);
    const missing = await runCli(['hold', 'place', '--from', before, '--to', d1, '--matter', 'SEC inquiry'], officer);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`not archived`);
    expect(missing.stderr).toContain(`${before}, ${addDays(before, 1)}`);
    expect(await versionsOf(`${PREFIX}/holds/`)).toEqual([]);
    expect(await holdsOfDay(d1)).not.toContain('ON');
  });

  it('places holds by matter, lists them, and a versioned delete with governance bypass is refused while held', async () => {
    const placed = await runCli(
      [
        'hold',
        'place',
        '--from',
        d1,
        '--to',
        d2,
        '--matter',
        'SEC inquiry',
        '--reference',
        'HO-1234',
        '--reason',
        'subpoena',
      ],
      officer,
    );
    expect(placed.code, placed.stderr).toBe(0);
    expect(placed.stdout).toMatch(/Held 2 archived day\(s\) .* for 'SEC inquiry'/);
    expect(await holdsOfDay(d1)).toEqual(expect.arrayContaining(['ON']));
    expect(new Set(await holdsOfDay(d1))).toEqual(new Set(['ON']));
    expect(new Set(await holdsOfDay(d3))).toEqual(new Set(['OFF']));
    expect(await legalHold(`${PREFIX}/archive.json`)).toBe('ON');

    const [part] = await versionsOf(dayPrefix('audit-logs', d1));
    const del = admin.send(
      new DeleteObjectCommand({
        Bucket: bucket,
        Key: part!.key,
        VersionId: part!.versionId,
        BypassGovernanceRetention: true,
      }),
    );
    await expect(del).rejects.toMatchObject({ name: 'AccessDenied' });

    const b = await runCli(['hold', 'place', '--from', d2, '--to', d3, '--matter', 'Litigation B'], officer);
    expect(b.code, b.stderr).toBe(0);
    const list = await runCli(['hold', 'list', '--json'], exporter);
    expect(list.code, list.stderr).toBe(0);
    const matters = (
      JSON.parse(list.stdout) as {
        matters: Array<{ matter: string; periods: Array<{ from: string; to: string; by: string; reference: string }> }>;
      }
    ).matters;
    expect(matters.map((m) => [m.matter, m.periods[0]?.from, m.periods[0]?.to])).toEqual([
      ['SEC inquiry', d1, d2],
      ['Litigation B', d2, d3],
    ]);
    expect(matters[0]?.periods[0]).toMatchObject({ by: 'Dana Officer', reference: 'HO-1234' });
    // The days each matter covers, counted against the archive (the app's Legal holds page shows the same).
    expect(matters[0]).toMatchObject({
      archived: { count: 2, first: d1, last: d2 },
      later: { count: 0 },
      notArchived: { count: 0 },
      shared: { count: 1, first: d2, last: d2 },
    });
    const text = await runCli(['hold', 'list'], exporter);
    expect(text.stdout).toContain(`SEC inquiry: ${d1} to ${d2}, reference HO-1234`);
    expect(text.stdout).toContain(
      `\n    holds 2 archived day(s) (${d1} to ${d2}); 1 day(s) also held by another matter\n`,
    );
    const verified = await verifyCli([], exporter);
    expect(verified.report.problems.filter((p) => p.kind.startsWith('hold'))).toEqual([]);
  });

  it("refuses a release by the exporter's credentials and of an unknown matter; a release keeps days other matters hold", async () => {
    const byExporter = await runCli(['hold', 'release', '--matter', 'SEC inquiry'], exporter);
    expect(byExporter.code).toBe(1);
    expect(byExporter.stderr).toMatch(
      /refused to turn the legal hold of .* OFF: these credentials may not change legal holds/,
    );
    const unknown = await runCli(['hold', 'release', '--matter', 'No such matter'], officer);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("No matter named 'No such matter' holds anything");
    expect(unknown.stderr).toContain('Litigation B, SEC inquiry');

    const released = await runCli(['hold', 'release', '--matter', 'SEC inquiry'], officer);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toContain('1 day(s) stay held for other matters');
    expect(new Set(await holdsOfDay(d1))).toEqual(new Set(['OFF']));
    expect(new Set(await holdsOfDay(d2))).toEqual(new Set(['ON']));
    expect(await legalHold(`${PREFIX}/archive.json`)).toBe('ON');
    const list = await runCli(['hold', 'list', '--json'], exporter);
    expect((JSON.parse(list.stdout) as { matters: Array<{ matter: string }> }).matters.map((m) => m.matter)).toEqual([
      'Litigation B',
    ]);
    expect((await versionsOf(`${PREFIX}/holds/`)).map((v) => v.key.slice(-11))).toEqual([
      '000001.json',
      '000002.json',
      '000003.json',
    ]);
  });

  it('holds the new versions of a held day as they land, and verify names a hold someone turned off', async () => {
    const reconciled = await runCli(['export', '--day', d3, '--reconcile'], officer);
    expect(reconciled.code, reconciled.stderr).toBe(0);
    expect(new Set(await holdsOfDay(d3))).toEqual(new Set(['ON']));
    // The exporter's credentials may not place one: the day is archived, the warning says so.
    const byExporter = await runCli(['export', '--day', d3, '--reconcile'], exporter);
    expect(byExporter.code, byExporter.stderr).toBe(0);
    expect(byExporter.stderr).toMatch(
      new RegExp(`${d3} is held for Litigation B, but its new versions could not be held`),
    );
    const missing = await verifyCli([], exporter);
    expect(missing.json.code).toBe(1);
    const manifests = await versionsOf(dayPrefix('manifests', d3));
    const newest = manifests
      .map((m) => m.key)
      .sort()
      .at(-1);
    expect(missing.report.problems).toContainEqual(
      expect.objectContaining({ day: d3, kind: 'hold-missing', key: newest }),
    );

    const again = await runCli(['hold', 'place', '--from', d3, '--to', d3, '--matter', 'Litigation B'], officer);
    expect(again.code, again.stderr).toBe(0);
    const [part] = await versionsOf(dayPrefix('audit-logs', d2));
    await admin.send(
      new PutObjectLegalHoldCommand({
        Bucket: bucket,
        Key: part!.key,
        VersionId: part!.versionId,
        LegalHold: { Status: 'OFF' },
      }),
    );
    const after = await verifyCli([], exporter);
    expect(after.json.code).toBe(1);
    expect(after.report.problems.filter((p) => p.kind === 'hold-missing')).toEqual([
      expect.objectContaining({ day: d2, key: part!.key, detail: expect.stringContaining('held for Litigation B') }),
    ]);
    expect(after.text.stdout).toContain(`${d2} hold-missing ${part!.key}`);
  });

  it('a report over a held period says which matters hold it', async () => {
    const out = join(home, 'reports');
    const sql = 'SELECT id FROM audit_events ORDER BY id LIMIT 3';
    const args = ['report', '--sql', sql, '--from', d3, '--to', d3, '--request-ref', 'HOLD-1', '--out', out];
    const report = await runCli(args, exporter);
    expect(report.code, report.stderr).toBe(0);
    const pdf = report.stdout.trimEnd().split('\n')[0] as string;
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await readFile(join(dirname(pdf), 'evidence.json'), 'utf8')),
    );
    expect(evidence.holds?.map((h) => [h.matter, h.from, h.to])).toEqual([
      ['Litigation B', d2, d3],
      ['Litigation B', d3, d3],
    ]);
    expect(evidence.verdict.headline).toContain(`Legal hold: this period is held for Litigation B, ${d2} to ${d3}`);
  });

  it('a query names every matter holding a day of its range, with the held days, on stderr and in its metadata', async () => {
    const out = join(home, 'held-query.ndjson');
    const sql = 'SELECT count(*) AS n FROM audit_events';
    const run = await runCli(
      ['query', '--sql', sql, '--from', d1, '--to', d3, '--format', 'json', '--out', out],
      exporter,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`audit-archive: Legal hold: 1 matter holds days of this range (Litigation B):\n`);
    expect(run.stderr).toContain(`  Litigation B: ${d2} to ${d3} held in this range\n`);
    const metadata = ResultMetadataSchema.parse(JSON.parse(await readFile(`${out}.query.json`, 'utf8')));
    expect(metadata.holds).toEqual({
      matters: [
        { matter: 'Litigation B', reference: '', from: d2, to: d3, heldFrom: d2, heldTo: d3 },
        { matter: 'Litigation B', reference: '', from: d3, to: d3, heldFrom: d3, heldTo: d3 },
      ],
      invalidRecords: [],
    });
    // A range inside the period: only its days are held in it. A range no matter holds: no line.
    const inside = await runCli(['query', '--sql', sql, '--from', d2, '--to', d2], exporter);
    expect(inside.stderr).toContain(`  Litigation B: ${d2} held in this range (its hold: ${d2} to ${d3})\n`);
    const free = await runCli(['query', '--sql', sql, '--from', d1, '--to', d1], exporter);
    expect(free.code, free.stderr).toBe(0);
    expect(free.stderr).not.toContain('Legal hold');
  });

  it('a hold record that does not count is named by a query, never shown as a hold', async () => {
    const forged = `${PREFIX}/holds/000099.json`;
    await putAs(admin, bucket, forged, '{"format":"audit-archive/legal-hold@1","matter":"Forged matter"}');
    const run = await runCli(['query', '--sql', 'SELECT 1 AS one', '--from', d1, '--to', d1], exporter);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /audit-archive: warning: 1 record under holds\/ does not count as a legal hold \(not shown as holds; verify names it\):\n  \S+\/holds\/000099\.json is not a legal-hold record: /,
    );
    expect(run.stderr).not.toMatch(/Legal hold: .*Forged matter/);
  });

  it('a local folder refuses holds, saying it cannot enforce one', async () => {
    const local = await runCli(['hold', 'place', '--from', d1, '--to', d1, '--matter', 'X'], {
      ...exporter,
      AUDIT_ARCHIVE_TARGET: `file://${join(home, 'folder')}`,
    });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('is a local folder: it cannot enforce a legal hold');
  });
});
