/**
 * The CLI as a user drives it (a child process, settings from the environment), against a real Ceph
 * RADOS Gateway with Object Lock and the Genesys simulator on 127.0.0.1.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod';
import { dataKey } from '../../../shared/archive-layout';
import { addDays, dayFromMs, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import { DayStatusSchema } from '../../../shared/day-status';
import { VerifyReportSchema } from '../../../shared/verify';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { S3ObjectLockStore } from '../../../main/engine/archive/stores/s3-store';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { archivedEventIds, readArchiveAfresh } from '../../unit/archive/verify-archive.helpers';

const BIN = new URL('../../../bin/audit-archive.mjs', import.meta.url).pathname;
const RETENTION_DAYS = 30;
const PREFIX = 'acme/prod';

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `audit-archive …` as a separate process; `killWhen` SIGKILLs it once stderr matches. */
function runCli(args: string[], env: NodeJS.ProcessEnv, killWhen?: RegExp): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (killWhen && killWhen.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('audit-archive against Ceph RGW with Object Lock', () => {
  const rgw = inject('rgw');
  const admin = new S3Client({
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  const bucket = `cli-${randomBytes(4).toString('hex')}`;
  const last = lastSettledDay(Date.now(), 120);
  const days: Day[] = [...eachDay(addDays(last, -9), last)];
  let sim: GenesysSimulator;
  let dir: string;

  const envFor = (target: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    AWS_REGION: rgw.region,
    AWS_ENDPOINT_URL_S3: rgw.endpoint,
    AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
    AUDIT_ARCHIVE_TARGET: target,
    AUDIT_ARCHIVE_RETENTION_DAYS: String(RETENTION_DAYS),
    AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state'),
    AUDIT_ARCHIVE_SIGNING_KEY_FILE: join(dir, 'keys', 'signing-key.pem'),
    AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
    AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
    AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
    AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
    AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
    ...extra,
  });
  const storeOf = (b: string, prefix = PREFIX) =>
    new S3ObjectLockStore({
      bucket: b,
      prefix,
      endpoint: rgw.endpoint,
      forcePathStyle: true,
      region: rgw.region,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-rgw-'));
    sim = await startGenesysSimulator({
      eventsPerDay: 1200,
      duplicateRate: 0.2,
      redirectEveryNthPage: 2,
      failureRates: { http429: 0.1, http5xx: 0.05, dropConnection: 0.03 },
      retryAfterSeconds: 1,
      seed: 7,
    });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('bucket init creates a locked bucket and prints the exporter policy, without delete rights', async () => {
    const refused = await runCli(['bucket', 'init'], envFor(`s3://${bucket}/${PREFIX}`));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');

    const r = await runCli(['bucket', 'init', '--yes'], envFor(`s3://${bucket}/${PREFIX}`));
    expect(r.stderr).toContain(`s3://${bucket}: created`);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'), r.stdout.indexOf('\n\nOptional'))) as {
      Statement: Array<{ Action: string | string[] }>;
    };
    // And the AWS bucket policy that refuses overwrites, for the administrator to merge.
    const guard = JSON.parse(r.stdout.slice(r.stdout.indexOf('{', r.stdout.indexOf('\n\nOptional')))) as {
      Statement: Array<{ Effect: string; Condition: unknown }>;
    };
    expect(guard.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Null: { 's3:if-none-match': 'true' } } });
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('s3:PutObject');
    expect(actions.some((a) => /Delete|Bypass/.test(a))).toBe(false);
  });

  it('catch-up over 10 days with faults archives every event exactly once, every object COMPLIANCE until the right date', async () => {
    const r = await runCli(
      ['catch-up', '--from', days[0] as Day, '--to', last, '--concurrency', '3'],
      envFor(`s3://${bucket}/${PREFIX}`),
    );
    expect(r.stderr).toMatch(/Catch-up finished: 10 day\(s\) archived, 0 failed/);
    expect(r.code).toBe(0);
    expect(sim.stats.rateLimited + sim.stats.faults5xx + sim.stats.droppedConnections).toBeGreaterThan(0);

    const store = storeOf(bucket);
    const snapshot = await readArchiveAfresh(store);
    expect(snapshot.assessment.problems).toEqual([]);
    for (const day of days) {
      const ids = await archivedEventIds(store, day, snapshot);
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(sim.expectedEventIds(day).sort());
      for (const m of snapshot.assessment.days.get(day)?.manifests ?? []) {
        const manifest = m.manifest;
        const expectedUntil = Date.parse(manifest.createdAt) + RETENTION_DAYS * 86_400_000;
        for (const key of [m.key, ...manifest.objects.map((o) => o.key)]) {
          const versionId =
            key === m.key ? m.versionId : (manifest.objects.find((o) => o.key === key)?.versionId ?? null);
          const info = await store.headObject(key, versionId);
          expect(info?.lock?.mode).toBe('COMPLIANCE');
          // Retain-until is fixed when the day's export starts: within the few minutes of the run.
          expect(Math.abs(Date.parse(info?.lock?.retainUntil ?? '') - expectedUntil)).toBeLessThan(10 * 60_000);
        }
      }
    }

    const status = await runCli(
      ['status', '--from', days[0] as Day, '--to', last, '--json'],
      envFor(`s3://${bucket}/${PREFIX}`),
    );
    expect(status.code).toBe(0);
    const parsed = z.object({ days: z.array(DayStatusSchema) }).parse(JSON.parse(status.stdout));
    expect(parsed.days.map((d) => [d.day, d.state, d.events])).toEqual(
      days.map((d) => [d, 'archived', sim.expectedEventCount(d)]),
    );

    const verify = await runCli(
      ['verify', '--from', days[0] as Day, '--to', last, '--full'],
      envFor(`s3://${bucket}/${PREFIX}`),
    );
    expect(verify.stdout).toMatch(/^OK: /);
    expect(verify.code).toBe(0);
  });

  it('a SIGKILL mid-run, then a rerun, loses nothing and duplicates nothing', async () => {
    const prefix = 'killed/run';
    const target = `s3://${bucket}/${prefix}`;
    const config = join(dir, 'small-parts.json');
    // A short stale period: the killed run's writer lease is taken over after 3 s without a heartbeat.
    await writeFile(config, JSON.stringify({ archive: { maxPartBytes: 16 * 1024, lease: { staleSeconds: 3 } } }));
    const range = ['--from', addDays(last, -3), '--to', last];
    const env = envFor(target, { AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state-killed') });

    // Plain progress lines (not a terminal): "<day>: N events, X written" after each stored part.
    const killed = await runCli(
      ['catch-up', '--config', config, '--concurrency', '1', ...range],
      env,
      /: \d+ events, [\d.]+ \w+ written/,
    );
    expect(killed.signal).toBe('SIGKILL');
    const store = storeOf(bucket, prefix);
    const afterKill = await readArchiveAfresh(store);
    const partsWritten = afterKill.listing.data.size;
    expect(partsWritten).toBeGreaterThan(0);

    const rerun = await runCli(['catch-up', '--config', config, '--concurrency', '2', ...range], env);
    expect(rerun.stderr).toContain('Resuming the catch-up');
    expect(rerun.code).toBe(0);
    for (const day of eachDay(addDays(last, -3), last)) {
      const ids = await archivedEventIds(store, day);
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(sim.expectedEventIds(day).sort());
    }
    const verify = await runCli(['verify', ...range, '--full', '--json'], env);
    const report = VerifyReportSchema.parse(JSON.parse(verify.stdout));
    expect(report.ok).toBe(true);
    expect(report.problems.every((p) => p.kind === 'orphan')).toBe(true);
    expect(verify.code).toBe(0);
  });

  it('a plain DeleteObject over a data object makes verify exit 1 naming the day, and status show it tampered', async () => {
    const day = days[4] as Day;
    const key = dataKey(PREFIX, day, 1);
    await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })); // no version id: adds a delete marker
    const env = envFor(`s3://${bucket}/${PREFIX}`);

    const verify = await runCli(['verify', '--from', days[0] as Day, '--to', last], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`${day} delete-marker ${key}`);

    const json = await runCli(['verify', '--from', days[0] as Day, '--to', last, '--json'], env);
    expect(VerifyReportSchema.parse(JSON.parse(json.stdout)).problems).toEqual([
      expect.objectContaining({ day, kind: 'delete-marker', key }),
    ]);

    const status = await runCli(['status', '--from', day, '--to', day, '--json'], env);
    expect(JSON.parse(status.stdout).days[0]).toMatchObject({ day, state: 'tampered' });
  });

  it('a bucket without Object Lock is refused before anything is written', async () => {
    const plain = `plain-${randomBytes(4).toString('hex')}`;
    await admin.send(new CreateBucketCommand({ Bucket: plain }));
    const r = await runCli(['export', '--day', last], envFor(`s3://${plain}/${PREFIX}`));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[ARCHIVE_NOT_WORM]');
    const listing = await admin.send(new ListObjectVersionsCommand({ Bucket: plain }));
    expect(listing.Versions ?? []).toEqual([]);
  });

  it('today is refused as unsettled, and nothing is written for it', async () => {
    const today = dayFromMs(Date.now());
    const r = await runCli(['export', '--day', today], envFor(`s3://${bucket}/${PREFIX}`));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[DAY_UNSETTLED]');
    const after = await readArchiveAfresh(storeOf(bucket));
    expect([...after.listing.data.values(), ...after.listing.manifests.values()].some((k) => k.day === today)).toBe(
      false,
    );
  });

  it('a GOVERNANCE lock shortened by someone with the bypass right is found by verify as lock-not-in-force', async () => {
    const trial = `gov-${randomBytes(4).toString('hex')}`;
    await initBucket({ client: admin, bucket: trial, lockMode: 'GOVERNANCE', retentionDays: RETENTION_DAYS });
    const env = envFor(`s3://${trial}/${PREFIX}`, {
      AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE',
      AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state-gov'),
    });
    const exported = await runCli(['export', '--day', last], env);
    expect(exported.stderr).toMatch(/GOVERNANCE/); // the trial mode is flagged
    expect(exported.code).toBe(0);
    expect((await runCli(['verify', '--from', last, '--to', last], env)).code).toBe(0);

    const store = storeOf(trial);
    const object = (await readArchiveAfresh(store)).assessment.days.get(last)?.manifests[0]?.manifest.objects[0];
    if (!object) throw new Error('the export wrote no data object');
    await admin.send(
      new PutObjectRetentionCommand({
        Bucket: trial,
        Key: object.key,
        VersionId: object.versionId ?? undefined,
        BypassGovernanceRetention: true,
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 86_400_000) },
      }),
    );
    const verify = await runCli(['verify', '--from', last, '--to', last, '--json'], env);
    expect(verify.code).toBe(1);
    expect(VerifyReportSchema.parse(JSON.parse(verify.stdout)).problems).toEqual([
      expect.objectContaining({ day: last, kind: 'lock-not-in-force', key: object.key }),
    ]);
  });
});
