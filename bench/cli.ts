/**
 * The CLI's start-up and memory (issue 16): `npm run bench -- cli`.
 *
 *   npm run bench -- cli [flag]    (or npx tsx bench/cli.ts [flag]):
 *   npx tsx bench/cli.ts            start-up rows, a 50,000-event export, then queries beside zcat | jq
 *   npx tsx bench/cli.ts --quick    start-up rows only
 *   npx tsx bench/cli.ts --query    the queries beside zcat | jq only
 *
 * Runs the CLI as a user does (`node bin/audit-archive.mjs ...`, the bundle in dist/cli, built
 * first if it is stale) and prints, per command, the best and median wall time of RUNS starts, their
 * CPU time and peak RSS, beside `node -e 0` on the same Node. Targets: `--version` under 0.2 s and
 * 60 MB, each `--help` under 0.3 s. On a machine whose /usr/bin/node is older than the supported
 * ones, `--version` through it is printed too (the bin runs itself again on the supported Node: two
 * processes, so only the wall time is the pair's).
 * Then one 50,000-event day exported from the simulator (in a child of its own) into a local
 * folder, with its peak RSS.
 * Then, over the demo's year (`audit-archive demo`, about 390 archived days in a local folder), two
 * questions an officer asks, each answered by `audit-archive query` (a starter query, NDJSON out) and
 * by `zcat | jq` over the same archived files, with their row counts (they must agree): everything
 * one user did, and every deletion. The query's first run builds its discovery cache (derived data,
 * sealed, checked at every use: docs/THREAT-MODEL.md); its later runs use it. Without jq on PATH
 * the jq lines are skipped, saying so (Debian: `apt-get install jq`).
 *
 * Each figure is the child's own: a preload (`--require`) writes its process.resourceUsage() to
 * file descriptor 3 as it exits. Wall time is from spawn to exit, seen by this process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { addDays, lastSettledDay } from '../shared/day';
import { serveSimulator, simulatorInfo, type SimInfo } from './lib/bench-simulator';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.dirname(path.dirname(SELF));
const BIN = path.join(ROOT, 'bin', 'audit-archive.mjs');
const RUNS = 10;
const EXPORT_EVENTS = 50_000;
const QUERY_RUNS = 5;
const DEMO_DAYS = 394;
const COMMANDS = ['export', 'catch-up', 'status', 'verify', 'key', 'bucket', 'demo', 'query', 'report'];

interface Run {
  /** What the child said on stderr (for a failure's message). */
  stderr: string;
  seconds: number;
  cpuSeconds: number;
  peakMB: number;
  code: number | null;
}

/** The preload that reports a child's own resource usage on fd 3 as it exits. */
async function usagePreload(dir: string): Promise<string> {
  const file = path.join(dir, 'report-usage.cjs');
  await writeFile(
    file,
    "process.on('exit', () => { const u = process.resourceUsage(); try { require('node:fs').writeSync(3, JSON.stringify(u)); } catch {} });\n",
  );
  return file;
}

/** Runs `node ARGS` once with the preload; stdout is discarded, stderr kept for an error. */
function runOnce(node: string, preload: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, ['--require', preload, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env,
    });
    let usage = '';
    let stderr = '';
    child.stdio[3]?.on('data', (c: Buffer) => (usage += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (!usage) return reject(new Error(`no usage from ${args.join(' ')} (exit ${code}): ${stderr.trim()}`));
      const u = JSON.parse(usage) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
      resolve({ stderr, seconds, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, peakMB: u.maxRSS / 1024, code });
    });
  });
}

/** The 1, 5 and 15 minute load averages now: on a shared machine, every figure is read beside them. */
function load(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface Row {
  label: string;
  best: number;
  median: number;
  /** Null when the figure would be only one of two processes' (the bin run again on another Node). */
  cpu: number | null;
  peakMB: number | null;
  target: string;
  met: boolean | null;
}

async function measure(
  label: string,
  node: string,
  preload: string,
  args: string[],
  target: { seconds: number; mb?: number } | null,
  { wallOnly = false } = {},
): Promise<Row> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(node, preload, args));
  const best = Math.min(...runs.map((r) => r.seconds));
  const peakMB = wallOnly ? null : Math.max(...runs.map((r) => r.peakMB));
  return {
    label,
    best,
    median: median(runs.map((r) => r.seconds)),
    cpu: wallOnly ? null : median(runs.map((r) => r.cpuSeconds)),
    peakMB,
    target: target ? `< ${target.seconds} s${target.mb && !wallOnly ? `, ${target.mb} MB` : ''}` : '',
    met: target ? best < target.seconds && (target.mb === undefined || peakMB === null || peakMB < target.mb) : null,
  };
}

function printRows(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`${'command'.padEnd(width)}  best s  median s  CPU s  peak RSS  target`);
  console.log('-'.repeat(width + 58));
  for (const r of rows) {
    const verdict = r.met === null ? '' : `${r.target} ${r.met ? 'met' : 'MISSED'}`;
    const cpu = r.cpu === null ? '-' : r.cpu.toFixed(2);
    const peak = r.peakMB === null ? '-' : `${r.peakMB.toFixed(0)} MB`;
    console.log(
      `${r.label.padEnd(width)}  ${r.best.toFixed(3).padStart(6)}  ${r.median.toFixed(3).padStart(8)}  ${cpu.padStart(
        5,
      )}  ${peak.padStart(8)}  ${verdict}`,
    );
  }
}

/** /usr/bin/node when it is older than the supported Nodes (the bin then runs itself again). */
function olderSystemNode(): { path: string; version: string } | null {
  const r = spawnSync('/usr/bin/node', ['-p', 'process.version'], { encoding: 'utf8' });
  const version = r.status === 0 ? r.stdout.trim() : '';
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major)) return null;
  return major < 22 || (major === 22 && minor < 12) ? { path: '/usr/bin/node', version } : null;
}

async function ensureBundle(): Promise<void> {
  // @ts-expect-error: plain ESM script without type declarations
  const bundle = (await import('../scripts/cli-bundle.mjs')) as { cliBundleProblem: () => string | null };
  if (bundle.cliBundleProblem() === null) return;
  console.log('(building the CLI bundle first: it was missing or stale)');
  // @ts-expect-error: plain ESM script without type declarations
  const build = (await import('../scripts/build.mjs')) as { buildCli: (o: { quiet: boolean }) => Promise<void> };
  await build.buildCli({ quiet: true });
}

async function startupRows(preload: string): Promise<Row[]> {
  const node = process.execPath;
  const rows = [
    await measure(`node -e 0 (${process.version})`, node, preload, ['-e', '0'], null),
    await measure('audit-archive --version', node, preload, [BIN, '--version'], { seconds: 0.2, mb: 60 }),
    await measure('audit-archive --help', node, preload, [BIN, '--help'], { seconds: 0.3 }),
  ];
  for (const command of COMMANDS) {
    rows.push(
      await measure(`audit-archive ${command} --help`, node, preload, [BIN, command, '--help'], { seconds: 0.3 }),
    );
  }
  const older = olderSystemNode();
  if (older) {
    rows.push(await measure(`node -e 0 (${older.version}, ${older.path})`, older.path, preload, ['-e', '0'], null));
    // Two processes (this Node, then the supported one): wall time only; each one's memory is its row's.
    rows.push(
      await measure(
        `audit-archive --version via ${older.version}`,
        older.path,
        preload,
        [BIN, '--version'],
        { seconds: 0.2 },
        { wallOnly: true },
      ),
    );
  }
  return rows;
}

/** One 50,000-event day from the simulator, exported by the CLI into a local folder. */
async function exportRow(preload: string, dir: string): Promise<void> {
  const sim = spawn(process.execPath, ['--import', 'tsx', SELF, '--simulator'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const info: SimInfo = await simulatorInfo(sim);
    const day = addDays(lastSettledDay(Date.now(), 120), -3);
    const env = {
      ...process.env,
      AUDIT_ARCHIVE_GENESYS_API_URL: info.apiUrl,
      AUDIT_ARCHIVE_GENESYS_LOGIN_URL: info.loginUrl,
      AUDIT_ARCHIVE_GENESYS_CLIENT_ID: info.clientId,
      AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: info.clientSecret,
    };
    const runs: Run[] = [];
    for (let i = 0; i < 3; i++) {
      const target = path.join(dir, `export-${i}`);
      const args = [
        BIN,
        'export',
        '--day',
        day,
        '--target',
        `file://${target}/archive`,
        '--state-dir',
        `${target}/state`,
      ];
      // A machine without an OS keychain (a server, this bench's CI) keeps the new archive's key in a file.
      const keyFile = { AUDIT_ARCHIVE_SIGNING_KEY_FILE: `${target}/signing-key.pem` };
      const r = await runOnce(process.execPath, preload, args, { ...env, ...keyFile });
      if (r.code !== 0) throw new Error(`audit-archive export exited ${r.code}: ${r.stderr.trim()}`);
      runs.push(r);
    }
    console.log(
      `\naudit-archive export of one ${EXPORT_EVENTS.toLocaleString('en')}-event day (simulator in its own process, local folder), 3 runs:\n` +
        `  wall ${runs.map((r) => r.seconds.toFixed(1)).join(', ')} s; CPU ${runs.map((r) => r.cpuSeconds.toFixed(1)).join(', ')} s; ` +
        `peak RSS ${runs.map((r) => r.peakMB.toFixed(0)).join(', ')} MB`,
    );
  } finally {
    sim.stdin?.end();
  }
}

/** A demo archive of DEMO_DAYS days, made by `audit-archive demo`: its folders and its calendar's first and last day. */
async function demoArchive(preload: string, dir: string) {
  const demoDir = path.join(dir, 'demo');
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config') };
  const made = spawnSync(process.execPath, [BIN, 'demo', '--dir', demoDir, '--days', String(DEMO_DAYS)], {
    encoding: 'utf8',
    env,
  });
  const calendar = /Calendar (\S+) to (\S+):/.exec(made.stdout ?? '');
  if (made.status !== 0 || !calendar) throw new Error(`audit-archive demo failed: ${made.stderr}`);
  const archive = path.join(demoDir, 'archive');
  const files = (readdirSync(archive, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.jsonl.gz'))
    .map((f) => path.join(archive, f))
    .sort();
  return {
    env,
    preload,
    archive,
    state: path.join(demoDir, 'state'),
    files,
    from: calendar[1] as string,
    to: calendar[2] as string,
  };
}

type Demo = Awaited<ReturnType<typeof demoArchive>>;

/** The two questions, as the starter queries ask them and as jq would. */
function questions(demo: Demo) {
  const first = gunzipSync(readFileSync(demo.files[0] as string))
    .toString('utf8')
    .split('\n')[0] as string;
  const user = (JSON.parse(first) as { user: { id: string } }).user.id;
  return [
    {
      label: 'everything one user did',
      query: ['--saved', 'everything-one-user-did', '--param', `user=${user}`],
      jq: `select((.user.id // "") == "${user}" or ((.user.name // "") | ascii_downcase) == ("${user}" | ascii_downcase))`,
    },
    {
      label: 'every deletion',
      query: ['--saved', 'deletions'],
      jq: 'select((.action // "") | ascii_downcase | contains("delete"))',
    },
  ];
}

/** Runs `node BIN query …` once: its time and how many rows it printed. */
async function timedQuery(demo: Demo, query: string[], out: string): Promise<Run & { rows: number }> {
  const target = pathToFileURL(demo.archive).href;
  const args = [BIN, 'query', '--target', target, '--state-dir', demo.state, '--from', demo.from, '--to', demo.to];
  const run = await runOnce(
    process.execPath,
    demo.preload,
    [...args, ...query, '--format', 'json', '--out', out],
    demo.env,
  );
  if (run.code !== 0) throw new Error(`audit-archive query exited ${run.code}: ${run.stderr.trim()}`);
  const rows = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  await rm(out, { force: true });
  await rm(`${out}.query.json`, { force: true });
  return { ...run, rows };
}

/** Runs `zcat FILES | jq -c FILTER` once: its wall time, the CPU time of zcat and jq, and how many rows it printed. */
function timedJq(demo: Demo, filter: string): { seconds: number; cpuSeconds: number; rows: number } {
  const started = performance.now();
  // `times` (POSIX) prints the shell's own user and system time, then its children's.
  const r = spawnSync('sh', ['-c', 'zcat "$@" | jq -c "$JQ_FILTER"; times >&2', 'sh', ...demo.files], {
    encoding: 'utf8',
    env: { ...process.env, JQ_FILTER: filter },
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`zcat | jq failed: ${r.stderr}`);
  const children = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(r.stderr.trim());
  const cpuSeconds = children
    ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])
    : NaN;
  return { seconds, cpuSeconds, rows: r.stdout.split('\n').filter(Boolean).length };
}

function hasJq(): boolean {
  return spawnSync('jq', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `audit-archive query` beside `zcat | jq` over the demo's year: best and median of QUERY_RUNS each. */
async function queryRows(preload: string, dir: string): Promise<void> {
  const demo = await demoArchive(preload, dir);
  const jq = hasJq();
  console.log(
    `\naudit-archive query beside zcat | jq over the demo's year (${demo.files.length} archived objects, ${demo.from} to ${demo.to}), ${QUERY_RUNS} runs each:`,
  );
  if (!jq) console.log('  (jq is not on PATH: the zcat | jq lines are skipped; on Debian, `apt-get install jq`)');
  for (const q of questions(demo)) {
    const out = path.join(dir, 'result.ndjson');
    const cold = await timedQuery(demo, q.query, out);
    const warm: Run[] = [];
    let rows = cold.rows;
    for (let i = 0; i < QUERY_RUNS; i++) {
      const r = await timedQuery(demo, q.query, out);
      warm.push(r);
      rows = r.rows;
    }
    const best = Math.min(...warm.map((r) => r.seconds));
    console.log(
      `  ${q.label}: query ${rows} rows, best ${best.toFixed(3)} s, median ${median(warm.map((r) => r.seconds)).toFixed(3)} s, ` +
        `CPU ${median(warm.map((r) => r.cpuSeconds)).toFixed(2)} s, peak ${Math.max(...warm.map((r) => r.peakMB)).toFixed(0)} MB ` +
        `(first run, building its cache: ${cold.seconds.toFixed(2)} s; ${load()})`,
    );
    if (!jq) continue;
    const jqRuns = Array.from({ length: QUERY_RUNS }, () => timedJq(demo, q.jq));
    const jqBest = Math.min(...jqRuns.map((r) => r.seconds));
    const jqCpu = median(jqRuns.map((r) => r.cpuSeconds));
    const cpuRatio = median(warm.map((r) => r.cpuSeconds)) / jqCpu;
    const agree = jqRuns[0]?.rows === rows ? 'same rows' : `ROWS DIFFER (${jqRuns[0]?.rows})`;
    console.log(
      `  ${' '.repeat(q.label.length)}  zcat | jq ${jqRuns[0]?.rows} rows, best ${jqBest.toFixed(3)} s, median ${median(jqRuns.map((r) => r.seconds)).toFixed(3)} s, CPU ${jqCpu.toFixed(2)} s; ` +
        `query / jq: wall ${(best / jqBest).toFixed(2)} (target < 0.5 ${best / jqBest < 0.5 ? 'met' : 'MISSED'}), CPU ${cpuRatio.toFixed(2)}; ${agree}; ${load()}`,
    );
  }
}

async function main(): Promise<void> {
  await ensureBundle();
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-bench-'));
  try {
    const preload = await usagePreload(dir);
    if (process.argv.includes('--query')) return await queryRows(preload, dir);
    console.log(`CLI start-up on Node ${process.version}, ${RUNS} runs each (the bundle in dist/cli; ${load()}):\n`);
    printRows(await startupRows(preload));
    console.log(`(${load()} after the start-up rows)`);
    if (process.argv.includes('--quick')) return;
    await exportRow(preload, dir);
    await queryRows(preload, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
if (process.argv[2] === '--simulator') {
  await serveSimulator({ seed: 11, eventsPerDay: EXPORT_EVENTS, runningPolls: 0 });
} else {
  await main();
}
