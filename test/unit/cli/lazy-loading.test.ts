/**
 * A command loads only what it uses (issue 16): the bundle as it ships (bin/audit-archive.mjs, dist/cli,
 * built for this run by test/servers/cli-bundle.ts), run as a process with a resolve hook that records
 * every module Node loads (and the bundle's chunks it ran, for the code bundled into them).
 * `--version`, `--help` and `export` never load DuckDB, pdfkit or React code;
 * `query` and `report`, which need them, do (so the check can tell). A query of a local folder never
 * loads the AWS SDK (bundled: its code is in the chunks of the S3 store and the Athena engine, loaded
 * only for an s3:// target or the Athena engine), and neither does an export into a local folder
 * without a second copy (the copy's store is loaded only when one is set).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';

const BIN = path.resolve('bin/audit-archive.mjs');
const BUNDLE_DIR = path.resolve('dist/cli');

/**
 * Records the URL of every module resolved in the process, appended at exit to the file
 * AUDIT_ARCHIVE_TEST_MODULES names (a file, not a pipe: a long command replaces its process to start
 * with its heap flags, scripts/engine-heap.mjs, and the new process keeps no inherited pipe).
 */
const HOOK = `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
process.on('exit', () => { try { appendFileSync(process.env.AUDIT_ARCHIVE_TEST_MODULES, [...seen].join('\\n') + '\\n'); } catch {} });
`;

let dir: string;
let hook: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-lazy-'));
  hook = path.join(dir, 'record-modules.mjs');
  await writeFile(hook, HOOK);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Loaded {
  code: number | null;
  stderr: string;
  /** Packages loaded from node_modules, by name (`@duckdb/node-api`, `pdfkit`, …). */
  packages: Set<string>;
  /** The bundle's own files that were loaded. */
  bundleFiles: string[];
}

/** Runs the CLI with `args` (and `env` beside its own) and says what it loaded. */
let recordings = 0;

function runRecorded(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Loaded> {
  const record = path.join(dir, `modules-${++recordings}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, BIN, ...args], {
      env: {
        PATH: path.dirname(process.execPath),
        HOME: dir,
        AUDIT_ARCHIVE_STATE_DIR: path.join(dir, 'state'),
        AUDIT_ARCHIVE_TEST_MODULES: record,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', async (code) => {
      const urls = await readFile(record, 'utf8').catch(() => '');
      const files = urls
        .split('\n')
        .filter((u) => u.startsWith('file:'))
        .map((u) => fileURLToPath(u));
      const packages = new Set(
        files.flatMap((f) => {
          const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f);
          return m?.[1] ? [m[1].replace(/\\/g, '/')] : [];
        }),
      );
      resolve({ code, stderr, packages, bundleFiles: files.filter((f) => f.startsWith(BUNDLE_DIR + path.sep)) });
    });
  });
}

/**
 * What the loaded bundle files carry of code bundled into them: React (its element symbols),
 * DuckDB's JavaScript API (bundled; only its native binding is loaded from node_modules) and the
 * AWS SDK (its clients' user agent names them: `aws-sdk-js`).
 */
async function bundledHeavyCode(files: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    if (/Symbol\.for\(["']react\./.test(text)) found.add('React');
    if (text.includes('DuckDBInstance')) found.add('DuckDB');
    if (text.includes('aws-sdk-js')) found.add('AWS SDK');
  }
  return [...found].sort();
}

/** Neither DuckDB, pdfkit, React nor the AWS SDK: from node_modules, or bundled into a chunk that ran. */
async function expectLean(loaded: Loaded): Promise<void> {
  const heavy = [...loaded.packages].filter((p) => /duckdb|pdfkit|fontkit|^react|^@aws-sdk\/|^@smithy\//.test(p));
  expect(heavy, loaded.stderr).toEqual([]);
  expect(await bundledHeavyCode(loaded.bundleFiles)).toEqual([]);
}

describe('audit-archive loads only what a command uses', () => {
  it.each([[['--version']], [['--help']], [['export', '--help']], [['query', '--help']], [['report', '--help']]])(
    '`%j` loads neither DuckDB, pdfkit, React nor the AWS SDK, nor any command module',
    async (args) => {
      const loaded = await runRecorded(args);
      expect(loaded.code, loaded.stderr).toBe(0);
      await expectLean(loaded);
      expect(await bundledHeavyCode(loaded.bundleFiles)).toEqual([]);
      // The bundle's entry and, for the main help, its settings table; no command's chunk.
      expect(loaded.bundleFiles.map((f) => path.basename(f)).filter((f) => /^(export|query|report)-/.test(f))).toEqual(
        [],
      );
    },
  );

  it('`export` runs (to its refusal without a Genesys organisation) without DuckDB, pdfkit, React or the AWS SDK', async () => {
    const day = addDays(lastSettledDay(Date.now(), 120), -1);
    const target = pathToFileURL(path.join(dir, 'archive')).href;
    const loaded = await runRecorded(['export', '--day', day, '--target', target]);
    expect(loaded.stderr).toContain('GENESYS_NOT_CONFIGURED');
    expect(loaded.code).toBe(2);
    // The export's own module was loaded and ran: the check covers its whole import graph.
    expect(loaded.bundleFiles.some((f) => path.basename(f).startsWith('export-'))).toBe(true);
    await expectLean(loaded);
  });

  it('`query` and `report` do load DuckDB and pdfkit (the recording sees what a command loads)', async () => {
    const target = pathToFileURL(path.join(dir, 'archive')).href;
    const day = addDays(lastSettledDay(Date.now(), 120), -1);
    const range = ['--from', day, '--to', day, '--target', target];
    const query = await runRecorded(['query', '--sql', 'SELECT', ...range]);
    expect(query.packages.has('@duckdb/node-bindings'), query.stderr).toBe(true);
    expect((await bundledHeavyCode(query.bundleFiles)).includes('DuckDB')).toBe(true);
    const out = path.join(dir, 'no-such-folder', 'report');
    const report = await runRecorded(['report', '--sql', 'SELECT 1', '--request-ref', 'R-1', '--out', out, ...range]);
    expect(report.code, report.stderr).toBe(2);
    expect(report.packages.has('pdfkit'), report.stderr).toBe(true);
  });

  it('a query of a local folder reads it with DuckDB and never loads the AWS SDK', async () => {
    const demo = path.join(dir, 'demo');
    const env = { PATH: path.dirname(process.execPath), HOME: dir };
    const made = spawnSync(process.execPath, [BIN, 'demo', '--dir', demo, '--days', '30'], { encoding: 'utf8', env });
    expect(made.status, made.stderr).toBe(0);
    const calendar = /Calendar (\S+) to (\S+):/.exec(made.stdout);
    const [, from = '', to = ''] = calendar ?? [];
    const target = pathToFileURL(path.join(demo, 'archive')).href;
    const range = ['--from', from, '--to', to, '--target', target, '--state-dir', path.join(demo, 'state')];
    const query = await runRecorded(['query', '--saved', 'deletions', '--format', 'json', ...range]);
    expect(query.code, query.stderr).toBe(0);
    // It answered from the archive: the summary counts the events it read.
    expect(query.stderr).toMatch(/read \d+ archived object\(s\), [\d,]+ events over \d+ day\(s\)/);
    expect(await bundledHeavyCode(query.bundleFiles)).toEqual(['DuckDB']);
    expect([...query.packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
  });

  it('an export into a local folder archives the day and never loads the AWS SDK', async () => {
    const sim = await startGenesysSimulator({ eventsPerDay: 20 });
    try {
      const day = addDays(lastSettledDay(Date.now(), 120), -1);
      const out = path.join(dir, 'export');
      const loaded = await runRecorded(
        ['export', '--day', day, '--target', pathToFileURL(path.join(out, 'archive')).href],
        {
          AUDIT_ARCHIVE_STATE_DIR: path.join(out, 'state'),
          AUDIT_ARCHIVE_SIGNING_KEY_FILE: path.join(out, 'signing-key.pem'),
          AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
          AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
          AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
          AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
          AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
        },
      );
      // It wrote the day: the whole export path ran, copy step and all.
      expect(loaded.stderr).toContain(`${day}: archived ${sim.expectedEventCount(day)} events`);
      expect(loaded.code, loaded.stderr).toBe(0);
      await expectLean(loaded);
    } finally {
      await sim.close();
    }
  });
});
