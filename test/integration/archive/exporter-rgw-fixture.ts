/**
 * What the archive tests against Ceph RGW share when they play the exporter and its adversary: a
 * bucket made the way `bucket init` makes it, whose only other user ("exporter") holds exactly the
 * policy `bucket init` prints for the exporter (granted as a bucket policy, as in
 * test/integration/stores/iam-policy.test.ts), and the CLI run as a separate process with those
 * credentials. The attacks are made with the same credentials: whoever holds the exporter's role.
 */
import { PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { inject } from 'vitest';
import type { LockMode } from '../../../shared/manifest';
import { VerifyReportSchema, type VerifyReport } from '../../../shared/verify';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { exporterIamPolicy } from '../../../main/engine/archive/stores/iam-policy';
import { S3ObjectLockStore, type S3StoreOptions } from '../../../main/engine/archive/stores/s3-store';
import type { GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { rawClient, rgwConnection, uniqueBucket } from '../stores/rgw-fixtures';

const BIN = new URL('../../../bin/audit-archive.mjs', import.meta.url).pathname;
export const PREFIX = 'acme/prod';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it wrote to stderr so far. */
  readonly stderr: string;
  /**
   * Resolves (with stderr so far) as soon as stderr matches `pattern` (a test of the whole text);
   * rejects if the process ends first.
   */
  stderrMatches(pattern: RegExp | ((stderr: string) => boolean)): Promise<string>;
  readonly done: Promise<CliRun>;
}

/** Starts `audit-archive …` as a separate process, the way cron or a second machine would. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{
    pattern: RegExp | ((stderr: string) => boolean);
    resolve: (s: string) => void;
    reject: (e: Error) => void;
  }> = [];
  const check = () => {
    for (const w of [...watchers]) {
      if (typeof w.pattern === 'function' ? w.pattern(stderr) : w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(stderr);
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const w of watchers.splice(0))
        w.reject(
          new Error(
            `audit-archive ${args.join(' ')} ended (${code ?? signal}) before stderr matched ${String(w.pattern)}:\n${stderr}`,
          ),
        );
      resolve({ code, signal, stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error('audit-archive did not start');
  return {
    child,
    pid: child.pid,
    get stderr() {
      return stderr;
    },
    done,
    stderrMatches: (pattern) =>
      new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve, reject });
        check();
      }),
  };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}

/** `audit-archive verify` twice, as a person reads it and as a script does (`--json`). */
export async function verifyCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ text: CliRun; json: CliRun; report: VerifyReport }> {
  const [text, json] = await Promise.all([
    runCli(['verify', ...args], env),
    runCli(['verify', ...args, '--json'], env),
  ]);
  let report: VerifyReport;
  try {
    report = VerifyReportSchema.parse(JSON.parse(json.stdout));
  } catch (e) {
    throw new Error(`verify --json printed no report (exit ${json.code}): ${json.stdout}\n${json.stderr}`, {
      cause: e,
    });
  }
  return { text, json, report };
}

/** The exporter's own credentials (no delete, no bypass, no bucket changes). */
export function exporterCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return inject('rgw').exporter;
}

export function exporterClient(): S3Client {
  return new S3Client({ ...rgwConnection(), credentials: exporterCredentials() });
}

export function exporterStore(bucket: string, extra: Partial<S3StoreOptions> = {}): S3ObjectLockStore {
  return new S3ObjectLockStore({
    bucket,
    prefix: PREFIX,
    ...rgwConnection(),
    credentials: exporterCredentials(),
    ...extra,
  });
}

/**
 * A bucket as `bucket init` makes it (Object Lock, versioning, default retention), on which the
 * exporter user holds exactly the exporter's policy for PREFIX and nothing else. With
 * `adminMayBypass`, the administrator (the bucket's owner) is also granted
 * s3:BypassGovernanceRetention, which Ceph wants granted explicitly once a bucket has a policy.
 */
export async function exporterBucket(
  label: string,
  lockMode: LockMode,
  retentionDays: number,
  options: { adminMayBypass?: boolean } = {},
): Promise<string> {
  const bucket = uniqueBucket(label);
  await initBucket({ connection: rgwConnection(), bucket, lockMode, retentionDays });
  const policy = exporterIamPolicy(bucket, PREFIX);
  const bypass = {
    Sid: 'AdministratorMayBypassGovernance',
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam:::user/test'] },
    Action: ['s3:BypassGovernanceRetention', 's3:PutObjectRetention', 's3:GetObjectRetention'],
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  const asBucketPolicy = {
    Version: policy.Version,
    Statement: [
      ...policy.Statement.map((s) => ({ ...s, Principal: { AWS: ['arn:aws:iam:::user/exporter'] } })),
      ...(options.adminMayBypass ? [bypass] : []),
    ],
  };
  await rawClient().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(asBucketPolicy) }));
  return bucket;
}

/** The CLI's environment on one installation (its own state folder), with the exporter's credentials. */
export function exporterEnv(options: {
  readonly home: string;
  readonly target: string;
  readonly sim: GenesysSimulator;
  readonly retentionDays: number;
  /** The installation's state folder (manifest cache, head record, run journal); its key file sits beside it. */
  readonly stateDir?: string;
  readonly extra?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const rgw = inject('rgw');
  const { sim } = options;
  const stateDir = options.stateDir ?? join(options.home, 'state');
  return {
    PATH: process.env.PATH,
    HOME: options.home,
    AWS_ACCESS_KEY_ID: rgw.exporter.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.exporter.secretAccessKey,
    AWS_REGION: rgw.region,
    AWS_ENDPOINT_URL_S3: rgw.endpoint,
    AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
    AUDIT_ARCHIVE_TARGET: options.target,
    AUDIT_ARCHIVE_RETENTION_DAYS: String(options.retentionDays),
    AUDIT_ARCHIVE_STATE_DIR: stateDir,
    // A server without a keychain: the installation's key lives in a file outside its state folder.
    AUDIT_ARCHIVE_SIGNING_KEY_FILE: join(options.home, 'keys', `${basename(stateDir)}.pem`),
    AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
    AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
    AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
    AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
    AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
    ...options.extra,
  };
}

/** A plain PutObject, as anyone holding s3:PutObject can make it (it adds a version to an existing key). */
export async function putAs(client: S3Client, bucket: string, key: string, body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const reply = await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: bytes,
      ContentMD5: createHash('md5').update(bytes).digest('base64'),
    }),
  );
  if (!reply.VersionId) throw new Error(`no version id for ${key}`);
  return reply.VersionId;
}

export async function readObject(
  store: S3ObjectLockStore,
  key: string,
  versionId: string | null = null,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.getObject(key, versionId)) chunks.push(c);
  return Buffer.concat(chunks);
}
