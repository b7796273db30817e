/**
 * `audit-archive` as a separate process, the way cron and a shell run it: the bundle that setup
 * builds (dist/cli, built for this run by test/servers/cli-bundle.ts), linked onto PATH, run from
 * another folder; refused, with the command to run, when the bundle is missing or older than its
 * sources; and on a Node older than the supported ones, run on the Node setup installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { olderNode } from '../scripts/older-node';

const BIN = path.resolve('bin/audit-archive.mjs');
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
    // 'close', not 'exit': the child's output is read to its end before it counts (under load, 'exit' came first).
    child.on('close', (code) => resolve({ code, stdout, stderr }));
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

interface CliBundleModule {
  CLI_ENTRY: string;
  CLI_BUILD_RECORD: string;
  describeInput: (root: string, relative: string) => unknown;
}

/**
 * A checkout with the real bin and its two scripts, and a stand-in bundle built "from" one source
 * file (main/cli/index.ts), recorded as the build records it.
 */
async function checkoutWithBundle() {
  const root = await tempDir('cli-checkout-');
  for (const file of [
    'bin/audit-archive.mjs',
    'scripts/cli-bundle.mjs',
    'scripts/engine-heap.mjs',
    'scripts/supported-node.mjs',
  ]) {
    await mkdir(path.join(root, path.dirname(file)), { recursive: true });
    await copyFile(path.resolve(file), path.join(root, file));
  }
  // @ts-expect-error: plain ESM script without type declarations
  const bundle = (await import('../../../scripts/cli-bundle.mjs')) as CliBundleModule;
  const source = path.join(root, 'main', 'cli', 'index.ts');
  await mkdir(path.dirname(source), { recursive: true });
  await writeFile(source, "console.log('the source');\n");
  await mkdir(path.join(root, path.dirname(bundle.CLI_ENTRY)), { recursive: true });
  await writeFile(
    path.join(root, bundle.CLI_ENTRY),
    "console.log('the bundle ran', process.argv.slice(2).join(' '));\n",
  );
  const record = { inputs: { 'main/cli/index.ts': bundle.describeInput(root, 'main/cli/index.ts') } };
  await writeFile(path.join(root, bundle.CLI_BUILD_RECORD), JSON.stringify(record));
  return { root, bin: path.join(root, 'bin', 'audit-archive.mjs'), source, entry: path.join(root, bundle.CLI_ENTRY) };
}

const OLDER_NODE = olderNode();

describe.concurrent('audit-archive as cron runs it', () => {
  it('runs the bundled AWS SDK: a refused S3 connection is one line on stderr, exit 1, no warning', async () => {
    const home = await tempDir('cli-home-');
    const r = await run(
      process.execPath,
      [
        BIN,
        'bucket',
        'init',
        '--target',
        's3://audit-test/genesys',
        '--s3-endpoint',
        `http://127.0.0.1:${await closedPort()}`,
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
          AWS_ACCESS_KEY_ID: 'test-access-key-id',
          AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
          AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'test-client',
          AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: 'test-client-secret',
        },
      },
    );
    expect(r.stderr).toContain('ECONNREFUSED'); // it did reach the SDK's client
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/Warning/i);
    expect(r.code).toBe(1);
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
    const version = await run('audit-archive', ['--version'], { env, cwd: elsewhere });
    expect(version).toEqual({ code: 0, stdout: expect.stringMatching(/^audit-archive \d+\.\d+\.\d+\n$/), stderr: '' });
  });
});

describe.concurrent('audit-archive and its bundle', () => {
  it('runs the bundle while it matches its sources, also after a touch that changed no byte', async () => {
    const c = await checkoutWithBundle();
    expect(await run(process.execPath, [c.bin, 'status', '--json'], { env: {} })).toEqual({
      code: 0,
      stdout: 'the bundle ran status --json\n',
      stderr: '',
    });
    const later = new Date(Date.now() + 60_000);
    await utimes(c.source, later, later);
    expect((await run(process.execPath, [c.bin, 'status'], { env: {} })).stdout).toBe('the bundle ran status\n');
  });

  it('refuses a bundle older than a source, naming the file and the command to run, and runs nothing', async () => {
    const c = await checkoutWithBundle();
    await writeFile(c.source, "console.log('the source, changed');\n");
    const r = await run(process.execPath, [c.bin, 'export', '--day', '2026-01-01'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `audit-archive: the CLI bundle was built before the last change to main/cli/index.ts; run \`npm run build:cli\` in ${c.root} to rebuild it.\n`,
    );
  });

  it('says how to build a bundle that is not there', async () => {
    const c = await checkoutWithBundle();
    await rm(c.entry);
    const r = await run(process.execPath, [c.bin, '--version'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^audit-archive: the CLI is not built \(no dist\/cli\/audit-archive\.mjs\); run `npm run build:cli` \(or `npm run setup`\) in /,
    );
  });
});

describe.concurrent('audit-archive on a Node older than 22.12', () => {
  it.skipIf(!OLDER_NODE)('runs itself again on the supported Node that AUDIT_ARCHIVE_NODE24 names', async () => {
    // Without the variables it is .cache/node24 from `npm run setup`; this test's own Node stands in.
    const r = await run(OLDER_NODE as string, [BIN, '--version'], {
      env: { AUDIT_ARCHIVE_NODE24: process.execPath, AUDIT_ARCHIVE_NODE22: process.execPath },
    });
    expect(r).toEqual({ code: 0, stdout: expect.stringMatching(/^audit-archive \d+\.\d+\.\d+\n$/), stderr: '' });
  });

  it.skipIf(!OLDER_NODE)(
    'an override naming an older Node is said in one line, not started again and again',
    async () => {
      // Before this guard, each start ran the next on the same old Node: thousands of processes.
      const r = await run(OLDER_NODE as string, [BIN, '--version'], {
        env: { AUDIT_ARCHIVE_NODE24: OLDER_NODE as string, AUDIT_ARCHIVE_NODE22: OLDER_NODE as string },
      });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^audit-archive: .* started this process again on .*, which is Node v\d+\.\d+\.\d+, not Node 22 or 24: check AUDIT_ARCHIVE_NODE24 and AUDIT_ARCHIVE_NODE22, or run `npm run setup` in .*\.\n$/,
      );
    },
  );

  it.skipIf(!OLDER_NODE)('without one, says in one line what to install, and exits 2', async () => {
    const nowhere = path.join(tmpdir(), 'no-such-node', 'node');
    const r = await run(OLDER_NODE as string, [BIN, 'status'], {
      env: { AUDIT_ARCHIVE_NODE24: nowhere, AUDIT_ARCHIVE_NODE22: nowhere },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^audit-archive: Audit Archive runs on Node 22 or 24, and this is Node v\d+\.\d+\.\d+ \(.*\); run `npm run setup` in .* \(it fetches Node 24 into \.cache\/\), or install Node 24\.\n$/,
    );
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
      // The command runs in the process that was started (so the signal reaches it), now started with
      // V8's young generation capped (scripts/engine-heap.mjs); Linux shows its command line.
      if (process.platform === 'linux') {
        const cmdline = (await readFile(`/proc/${verify.child.pid}/cmdline`, 'utf8')).split('\0');
        expect(cmdline.slice(1, 3)).toEqual(['--max-semi-space-size=16', BIN]);
      }
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
