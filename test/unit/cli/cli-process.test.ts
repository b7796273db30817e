/**
 * `audit-archive` as a separate process, the way cron and a shell run it: linked onto PATH, run from
 * another folder, and quiet about the AWS SDK's Node-version notice.
 */
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/audit-archive.mjs');
const SDK_NOTICE = 'NodeVersionSupportWarning';
const nodeMajor = Number(process.versions.node.split('.')[0]);
const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Runs `command` with only `env` (plus PATH to this Node), capturing what it prints. */
function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }) {
  return start(command, args, options).done;
}

/** Starts `command` as `run` does, handing back the child (to signal it) and how it ended. */
function start(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: path.dirname(process.execPath), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Lets a reader blocked on a named pipe go (it reads end of file), so nothing stays stuck after a test. */
async function unblockFifo(fifo: string): Promise<void> {
  const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null); // ENXIO: no reader
  await handle?.close();
}

/** A loopback port nothing listens on: the S3 client is built, then its first request is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `bucket init` against an S3 endpoint that refuses: loads the AWS SDK and builds its client. */
async function bucketInitAgainstRefusingS3(extraEnv: NodeJS.ProcessEnv = {}) {
  const home = await tempDir('cli-home-');
  const port = await closedPort();
  return run(
    process.execPath,
    [
      BIN,
      'bucket',
      'init',
      '--target',
      's3://audit-test/genesys',
      '--s3-endpoint',
      `http://127.0.0.1:${port}`,
      '--s3-force-path-style',
      'true',
      '--s3-region',
      'us-east-1',
      '--lock-mode',
      'GOVERNANCE',
    ],
    {
      env: {
        HOME: home,
        AWS_ACCESS_KEY_ID: 'test-access-key',
        AWS_SECRET_ACCESS_KEY: 'test-secret-key',
        AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'test-client',
        AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: 'test-client-secret',
        ...extraEnv,
      },
    },
  );
}

describe.concurrent('audit-archive as cron runs it', () => {
  it('prints no AWS SDK Node-version notice when it talks to S3', async () => {
    const r = await bucketInitAgainstRefusingS3();
    expect(r.stderr).toContain('ECONNREFUSED'); // it did reach the SDK's client
    expect(r.stderr).not.toContain(SDK_NOTICE);
    expect(r.code).toBe(1);
  });

  // Proves the check above can fail: the notice exists on this Node and only the CLI's default hides it.
  it.skipIf(nodeMajor >= 22)('keeps the notice when the user asked for it', async () => {
    const r = await bucketInitAgainstRefusingS3({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    expect(r.stderr).toContain(SDK_NOTICE);
  });

  it('linked onto PATH, runs from any folder and lists every command with its options', async () => {
    const bin = await tempDir('cli-bin-');
    const elsewhere = await tempDir('cli-cwd-');
    await symlink(BIN, path.join(bin, 'audit-archive'));
    const env = { HOME: elsewhere, PATH: [bin, path.dirname(process.execPath)].join(path.delimiter) };

    const help = await run('audit-archive', ['--help'], { env, cwd: elsewhere });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('demo [--dir DIR] [--days N]');
    expect(help.stdout).toMatch(/AUDIT_ARCHIVE_TARGET.*\n.*\n\s+Default: none, it is required/);
  });
});

describe('audit-archive ends whatever is planted or hung', () => {
  it('verify of a local archive with a named pipe at a manifest key ends, naming it, instead of blocking on it', async () => {
    const home = await tempDir('cli-fifo-');
    const archive = path.join(home, 'archive');
    const folder = path.join(archive, 'manifests', '2026', '11', '25');
    await mkdir(folder, { recursive: true });
    const fifo = path.join(folder, '0000000001.json');
    execFileSync('mkfifo', [fifo]);
    try {
      const r = await run(
        process.execPath,
        [BIN, 'verify', '--json', '--target', `file://${archive}`, '--state-dir', path.join(home, 'state')],
        { env: { HOME: home } },
      );
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { problems: Array<{ kind: string; key?: string; detail: string }> };
      expect(report.problems).toContainEqual(
        expect.objectContaining({
          kind: 'unexpected-object',
          key: 'manifests/2026/11/25/0000000001.json',
          detail: expect.stringContaining('a named pipe (FIFO)'),
        }),
      );
    } finally {
      await unblockFifo(fifo);
    }
  });

  it('SIGTERM stops a verify whose store never answers', async () => {
    const home = await tempDir('cli-hung-');
    // An S3 endpoint that accepts the connection and never says a word: a hung network or share.
    const sockets: Socket[] = [];
    let connected!: () => void;
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const server = createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const verify = start(
        process.execPath,
        [
          BIN,
          'verify',
          '--target',
          's3://audit-test/genesys',
          '--s3-endpoint',
          `http://127.0.0.1:${port}`,
          '--s3-force-path-style',
          'true',
          '--s3-region',
          'us-east-1',
          '--state-dir',
          path.join(home, 'state'),
        ],
        { env: { HOME: home, AWS_ACCESS_KEY_ID: 'test-access-key', AWS_SECRET_ACCESS_KEY: 'test-secret-key' } },
      );
      await reached;
      verify.child.kill('SIGTERM');
      const r = await verify.done;
      expect(r.stderr).toContain('SIGTERM: finishing the current step');
      expect(r.stderr).toContain('stopping now');
      expect(r.code).toBe(143);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});
