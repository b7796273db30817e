/**
 * Benchmark of the Genesys connector: `npm run bench -- genesys` or `npx tsx bench/genesys.ts` (no
 * flags; `--client-run` is its own child's role).
 *
 * The simulator runs in its own process (so its CPU and memory are not counted against the client),
 * and each client scenario runs in a fresh child process so its peak RSS is its own. The client child
 * runs this file bundled by esbuild, as the app ships it: under tsx the loader alone adds ~45 MB.
 * Scenarios:
 * - the simulator's event generation rate (the exporter bench pushes a million events through it);
 * - a 200,000-event day with no latency and a high rate limit: is the client the bottleneck?
 * - the same day with 20 ms latency per request;
 * - the same day within the default 300 requests/min budget, against the minimum time that budget
 *   allows (request k cannot leave before floor(k / 300) minutes).
 * Targets: >= 50,000 events/s at latency 0, peak RSS < 150 MB, budgeted run within 10% of minimum.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addDays, dayFromMs, dayInterval } from '../shared/day';
import { ClientCredentialsAuth, GenesysAuditClient, RateBudget } from '../main/engine/genesys';
import { SyntheticOrganisation, eventId } from '../main/engine/genesys/simulator/organisation';
import { bundleForNode } from './lib/bundle-for-node';

const EVENTS = Number(process.env.BENCH_GENESYS_EVENTS ?? 200_000);
const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../main/engine/genesys/simulator/cli.ts', import.meta.url));

interface RunSpec {
  readonly apiUrl: string;
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly day: string;
  readonly requestsPerMinute: number;
}

interface RunResult {
  readonly events: number;
  readonly requests: number;
  readonly retries: number;
  readonly elapsedMs: number;
  readonly maxRssMb: number;
  readonly cpuMs: number;
  readonly userCpuMs: number;
  readonly startRssMb: number;
}

/** One client export of a day (runs in a child process). */
async function clientRun(spec: RunSpec): Promise<RunResult> {
  const auth = new ClientCredentialsAuth({
    loginUrl: spec.loginUrl,
    clientId: spec.clientId,
    clientSecret: spec.clientSecret,
  });
  const client = new GenesysAuditClient({
    apiUrl: spec.apiUrl,
    loginUrl: spec.loginUrl,
    auth,
    budget: new RateBudget({ requestsPerMinute: spec.requestsPerMinute }),
    pollInitialMs: 50,
  });
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const run = client.queryInterval(dayInterval(spec.day));
  let events = 0;
  let bytes = 0;
  for await (const r of run.events) {
    events++;
    bytes += r.id.length;
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  if (bytes === 0 && events > 0) throw new Error('no ids');
  return {
    events,
    requests: run.progress.requests,
    retries: run.progress.retries,
    elapsedMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    userCpuMs: cpu.user / 1000,
    startRssMb,
  };
}

async function runChild(spec: RunSpec): Promise<RunResult> {
  const script = await bundleForNode(SELF, 'genesys-bench');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--client-run', JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as RunResult) : reject(new Error(`client run exited ${code}`)),
    );
  });
}

interface RunningSimulator {
  readonly apiUrl: string;
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  stop(): void;
}

function startSimulatorProcess(args: string[]): Promise<RunningSimulator> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const api = /API URL:\s+(\S+)/.exec(out)?.[1];
      const login = /Login URL:\s+(\S+)/.exec(out)?.[1];
      const id = /Client id:\s+(\S+)/.exec(out)?.[1];
      const secret = /Client secret:\s+(\S+)/.exec(out)?.[1];
      if (api && login && id && secret)
        resolve({
          apiUrl: api,
          loginUrl: login,
          clientId: id,
          clientSecret: secret,
          stop: () => child.kill('SIGTERM'),
        });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited ${code} before it was ready`)));
  });
}

function generationRate(): { eventsPerSecond: number; avgBytes: number } {
  const org = new SyntheticOrganisation(1);
  const n = 300_000;
  const dayStart = Date.parse('2026-11-20T00:00:00.000Z');
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    bytes += org.eventJson(20_412, i, dayStart + i * 288, 'eventDate').length;
    if (eventId(1, 20_412, i).length !== 36) throw new Error('bad id');
  }
  const s = (performance.now() - t) / 1000;
  return { eventsPerSecond: n / s, avgBytes: bytes / n };
}

/**
 * The least time `requests` cursor-paged requests can take within the budget: request k leaves no
 * sooner than the previous one's answer (`latencyMs` later; paging is sequential because each cursor
 * comes from the previous page) and no sooner than a minute after request k - rpm.
 */
function budgetMinimumMs(requests: number, rpm: number, latencyMs: number): number {
  const starts: number[] = [];
  for (let k = 0; k < requests; k++) {
    const afterPrevious = k === 0 ? 0 : (starts[k - 1] as number) + latencyMs;
    const afterWindow = k >= rpm ? (starts[k - rpm] as number) + 60_000 : 0;
    starts.push(Math.max(afterPrevious, afterWindow));
  }
  return (starts.at(-1) ?? 0) + latencyMs;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--client-run');
  if (flag >= 0) {
    const result = await clientRun(JSON.parse(process.argv[flag + 1] ?? '{}') as RunSpec);
    process.stdout.write(JSON.stringify(result));
    return;
  }

  const fmt = (n: number, d = 0): string =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const day = addDays(dayFromMs(Date.now()), -2);
  const rows: string[][] = [];

  const gen = generationRate();
  rows.push([
    'simulator: event generation',
    `${fmt(gen.eventsPerSecond)} events/s`,
    `${fmt(gen.avgBytes)} bytes/event`,
    '',
    '',
  ]);

  const fast = await startSimulatorProcess(['--events-per-day', String(EVENTS)]);
  try {
    const r = await runChild({ ...fast, day, requestsPerMinute: 1_000_000 });
    rows.push([
      `client: ${fmt(r.events)} events, latency 0`,
      `${fmt(r.events / (r.elapsedMs / 1000))} events/s`,
      `${fmt(r.requests)} requests`,
      `${fmt(r.maxRssMb)} MB peak RSS (${fmt(r.startRssMb)} at start)`,
      `client alone: ${fmt(r.events / (r.cpuMs / 1000))} events per CPU-s (${fmt(r.events / (r.userCpuMs / 1000))} per user CPU-s)`,
    ]);
  } finally {
    fast.stop();
  }

  const slow = await startSimulatorProcess(['--events-per-day', String(EVENTS), '--latency', '20']);
  try {
    const r = await runChild({ ...slow, day, requestsPerMinute: 1_000_000 });
    rows.push([
      `client: ${fmt(r.events)} events, latency 20 ms`,
      `${fmt(r.events / (r.elapsedMs / 1000))} events/s`,
      `${fmt(r.requests)} requests`,
      `${fmt(r.maxRssMb)} MB peak RSS`,
      `${fmt(r.elapsedMs / 1000, 1)} s`,
    ]);
    if (process.env.BENCH_GENESYS_SKIP_BUDGET === '1') return printTable(rows);
    const b = await runChild({ ...slow, day, requestsPerMinute: 300 });
    const min = budgetMinimumMs(b.requests, 300, 20);
    rows.push([
      `client: ${fmt(b.events)} events, 300 req/min budget`,
      `${fmt(b.elapsedMs / 1000, 1)} s (minimum ${fmt(min / 1000, 1)} s, +${fmt((b.elapsedMs / Math.max(1, min) - 1) * 100, 1)}%)`,
      `${fmt(b.requests)} requests`,
      `${fmt(b.maxRssMb)} MB peak RSS`,
      `${fmt(b.retries)} retries`,
    ]);
  } finally {
    slow.stop();
  }

  printTable(rows);
}

function printTable(rows: readonly string[][]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  process.stdout.write('Genesys connector benchmark\n');
  for (const r of rows)
    process.stdout.write(`  ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}\n`.replace(/\s+\n$/, '\n'));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
