/**
 * The second locked copy on Ceph RGW, as the CLI drives it: refused before anything is written
 * (a copy bucket without Object Lock, with a shorter default retention, the primary itself);
 * written by the product after the primary (write mode: the export that creates the archive
 * copies its root too) and proved by `verify --copy`; a missing,
 * a different and a shorter-locked object each named; the missing one repaired by catch-up from
 * the primary's verified bytes, the others left named (WORM storage cannot be rewritten).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { exporterIamPolicy } from '../../../main/engine/archive/stores/iam-policy';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { createPlainBucket, rawClient, rgwConnection, uniqueBucket } from '../stores/rgw-fixtures';
import { PREFIX, exporterBucket, exporterEnv, runCli } from '../archive/exporter-rgw-fixture';

const RETENTION_DAYS = 2;

/**
 * Grants a bucket the exporter's policy for PREFIX (the copy is written by the exporter's role, as a
 * copy in another account would grant it), to the exporter and, so a test can play the attacker
 * there, to the administrator with governance bypass.
 */
async function grantExporter(bucket: string): Promise<void> {
  const principals = { AWS: ['arn:aws:iam:::user/exporter', 'arn:aws:iam:::user/test'] };
  const statements = [
    ...exporterIamPolicy(bucket, PREFIX).Statement.map((s) => ({ ...s, Principal: principals })),
    {
      Sid: 'AdministratorMayDeleteAndBypass',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam:::user/test'] },
      Action: ['s3:BypassGovernanceRetention', 's3:DeleteObjectVersion'],
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ];
  await rawClient().send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
}

interface CopyReport {
  ok: boolean;
  objectsChecked: number;
  problems: Array<{ day: string | null; kind: string; key?: string; detail: string }>;
}

describe('a second locked copy on Ceph RGW', () => {
  const admin = rawClient();
  const last = lastSettledDay(Date.now(), 120);
  const [d1, d3] = [addDays(last, -2), last] as const;
  let home: string;
  let sim: GenesysSimulator;
  let primary: string;
  let copy: string;
  let env: NodeJS.ProcessEnv;

  const versionsOf = async (bucket: string, prefix: string) =>
    ((await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }))).Versions ?? []).map((v) => ({
      key: v.Key as string,
      versionId: v.VersionId as string,
    }));
  const verifyCopy = async () => {
    const run = await runCli(['verify', '--copy', '--json'], env);
    return { run, report: JSON.parse(run.stdout) as CopyReport };
  };
  /** A report over the three days: its evidence.json (the report's statement about the copy). */
  const reportEvidence = async (name: string) => {
    const out = join(home, `report-${name}`);
    const sql = 'SELECT id FROM audit_events ORDER BY id LIMIT 3';
    const run = await runCli(
      ['report', '--sql', sql, '--from', d1, '--to', d3, '--request-ref', name, '--out', out],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const pdf = run.stdout.trimEnd().split('\n')[0] as string;
    return ReportEvidenceSchema.parse(JSON.parse(await readFile(join(dirname(pdf), 'evidence.json'), 'utf8')));
  };
  const deleteVersion = (key: string, versionId: string) =>
    admin.send(
      new DeleteObjectCommand({ Bucket: copy, Key: key, VersionId: versionId, BypassGovernanceRetention: true }),
    );
  const putLocked = (key: string, body: Buffer, retainUntil: Date) =>
    admin.send(
      new PutObjectCommand({
        Bucket: copy,
        Key: key,
        Body: body,
        ContentMD5: createHash('md5').update(body).digest('base64'),
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: retainUntil,
      }),
    );

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'copy-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 300, seed: 21 });
    primary = await exporterBucket('primary', 'GOVERNANCE', RETENTION_DAYS);
    copy = uniqueBucket('copy');
    await initBucket({
      connection: rgwConnection(),
      bucket: copy,
      lockMode: 'GOVERNANCE',
      retentionDays: RETENTION_DAYS,
    });
    await grantExporter(copy);
    env = exporterEnv({
      home,
      target: `s3://${primary}/${PREFIX}`,
      sim,
      retentionDays: RETENTION_DAYS,
      extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE', AUDIT_ARCHIVE_COPY_TARGET: `s3://${copy}/${PREFIX}` },
    });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('refuses a copy without Object Lock, with a shorter default retention, or in the primary itself, before anything is written', async () => {
    const plain = uniqueBucket('plain');
    await createPlainBucket(plain);
    await grantExporter(plain);
    const short = uniqueBucket('short');
    await initBucket({ connection: rgwConnection(), bucket: short, lockMode: 'GOVERNANCE', retentionDays: 1 });
    await grantExporter(short);
    const cases = [
      [`s3://${plain}/${PREFIX}`, /The second locked copy is refused: .*Object Lock/s, 'ARCHIVE_NOT_WORM'],
      [`s3://${short}/${PREFIX}`, /The second locked copy is refused: .*shorter/s, 'ARCHIVE_RETENTION_TOO_SHORT'],
      [`s3://${primary}/${PREFIX}`, /is the primary archive itself/, 'INVALID_SETTINGS'],
      [`s3://${primary}/${PREFIX}/backup`, /inside the primary archive or around it/, 'INVALID_SETTINGS'],
    ] as const;
    for (const [target, message, code] of cases) {
      const run = await runCli(['catch-up', '--from', d1, '--to', d1, '--copy-target', target], env);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain(code);
    }
    expect(await versionsOf(primary, PREFIX)).toEqual([]);
  });

  const archivedKeys = async () =>
    (await versionsOf(primary, PREFIX)).map((v) => v.key).filter((k) => !k.includes('/lease/'));

  it('the export that creates the archive writes its root to the copy too, with its part and manifest, at once', async () => {
    const run = await runCli(['export', '--day', d1], env); // write mode only: no catch-up pass over the copy
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/could not be written to the copy/);
    const primaryKeys = await archivedKeys();
    expect(primaryKeys).toContain(`${PREFIX}/archive.json`);
    expect((await versionsOf(copy, PREFIX)).map((v) => v.key).sort()).toEqual(primaryKeys.sort());
    const { run: checked, report } = await verifyCopy();
    expect(checked.code, checked.stderr).toBe(0);
    expect(report).toMatchObject({ ok: true, objectsChecked: primaryKeys.length, problems: [] });
  });

  it('writes every object and manifest to the copy after the primary, and verify --copy proves it matches', async () => {
    const run = await runCli(['catch-up', '--from', d1, '--to', d3], env);
    expect(run.code, run.stderr).toBe(0);
    const primaryKeys = await archivedKeys();
    const copyKeys = (await versionsOf(copy, PREFIX)).map((v) => v.key);
    expect(copyKeys.sort()).toEqual(primaryKeys.sort());
    const { run: checked, report } = await verifyCopy();
    expect(checked.code, checked.stderr).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.objectsChecked).toBe(primaryKeys.length);
    const text = await runCli(['verify', '--copy'], env);
    expect(text.stdout).toMatch(/^COPY MATCHES: s3:\/\/copy-.* \(write mode\)/);
  });

  it('a report states that the copy was checked over its period and matched', async () => {
    const evidence = await reportEvidence('COPY-OK');
    expect(evidence.secondCopy).toMatchObject({
      target: `s3://${copy}/${PREFIX}`,
      mode: 'write',
      matched: true,
      problems: [],
    });
    expect(evidence.secondCopy?.objectsChecked).toBeGreaterThan(3);
    expect(evidence.verdict.headline).toMatch(
      new RegExp(
        `Second locked copy: s3://${copy}/${PREFIX} was checked against this archive over the period .* and matched\\.`,
      ),
    );
  });

  it('names a missing, a hidden, a different and a shorter-locked object; catch-up repairs the missing one from the primary and names the rest', async () => {
    const parts = await versionsOf(copy, `${PREFIX}/audit-logs/`);
    const manifests = await versionsOf(copy, `${PREFIX}/manifests/`);
    const [gone, shortened, hidden] = parts;
    const [changed] = manifests;
    await deleteVersion(gone!.key, gone!.versionId);
    // Only a delete marker left: the version removed with the bypass right, then a plain DELETE.
    await deleteVersion(hidden!.key, hidden!.versionId);
    await admin.send(new DeleteObjectCommand({ Bucket: copy, Key: hidden!.key }));
    await deleteVersion(changed!.key, changed!.versionId);
    await putLocked(changed!.key, Buffer.from('{"not":"the manifest"}\n'), new Date(Date.now() + 3 * 86_400_000));
    const body = Buffer.concat(await collectBody(shortened!.key, shortened!.versionId));
    await deleteVersion(shortened!.key, shortened!.versionId);
    await putLocked(shortened!.key, body, new Date(Date.now() + 3_600_000));

    const { run, report } = await verifyCopy();
    expect(run.code).toBe(1);
    expect(report.problems.map((p) => [p.kind, p.key])).toEqual(
      expect.arrayContaining([
        ['copy-missing', gone!.key],
        ['copy-missing', hidden!.key],
        ['copy-different', changed!.key],
        ['copy-unlocked', shortened!.key],
      ]),
    );
    expect(report.problems).toHaveLength(4);
    expect(report.problems.find((p) => p.key === hidden!.key)?.detail).toMatch(/hidden by a delete marker/);
    expect(report.problems.find((p) => p.kind === 'copy-unlocked')?.detail).toMatch(/earlier than the primary's/);
    const text = await runCli(['verify', '--copy'], env);
    expect(text.stdout).toContain(`copy-missing ${gone!.key}`);
    const evidence = await reportEvidence('COPY-BAD');
    expect(evidence.secondCopy?.matched).toBe(false);
    expect(evidence.secondCopy?.problems.map((p) => p.kind).sort()).toEqual([
      'copy-different',
      'copy-missing',
      'copy-missing',
      'copy-unlocked',
    ]);
    expect(evidence.verdict.headline).toContain('DOES NOT MATCH: 4 problems (');
    expect(evidence.verdict.headline).not.toMatch(/and matched\./);

    const repaired = await runCli(['catch-up', '--from', d1, '--to', d3], env);
    expect(repaired.code).toBe(1);
    expect(repaired.stderr).toMatch(/1 written from the primary's verified bytes, 3 that cannot be repaired/);
    const after = await verifyCopy();
    expect(after.report.problems.map((p) => [p.kind, p.key]).sort()).toEqual(
      [
        ['copy-different', changed!.key],
        ['copy-missing', hidden!.key],
        ['copy-unlocked', shortened!.key],
      ].sort(),
    );
    expect(after.report.problems.find((p) => p.key === hidden!.key)?.detail).toMatch(
      /once an administrator removes the delete marker, catch-up writes it/,
    );
  });

  async function collectBody(key: string, versionId: string): Promise<Uint8Array[]> {
    const reply = await admin.send(new GetObjectCommand({ Bucket: copy, Key: key, VersionId: versionId }));
    return [await reply.Body!.transformToByteArray()];
  }
});
