/**
 * The discovery benchmark (issue 9): local query latency over a 10,000,000-event archive (seven years
 * at about 4,000 events a day, made once by the real exporter from the simulator and cached, see
 * lib/seven-year-archive.ts), next to the same question answered by `zcat | jq` over the same files.
 *
 *   npm run bench -- discovery [flags]         (or npx tsx bench/discovery.ts [flags]):
 *   npx tsx bench/discovery.ts                 all scenarios
 *   npx tsx bench/discovery.ts --quick         skip the slow comparisons (NDJSON.gz and jq over seven years)
 *   npx tsx bench/discovery.ts --rebuild-cache measure the Parquet cache's first build again
 *   npx tsx bench/discovery.ts --only TEXT     only the scenarios whose label holds TEXT ("seven years")
 *   npx tsx bench/discovery.ts --baseline DIR  also run DIR's engine (a checkout of another commit, e.g.
 *                                              `git worktree add /tmp/main main`), scenario by scenario
 *                                              beside this one, and print both with their ratio
 *
 * The question: "everything user X did", over one month and over all seven years. Each scenario runs
 * in its own child process (bundled for plain Node, as the app ships the engine) so its peak RSS is its
 * own; each query runs three times in that process (the first one cold for the process: a new DuckDB
 * instance, the manifests read and parsed), and the table shows the first and the fastest.
 * Engines: the local engine over its verified Parquet cache (what the app uses), and DuckDB reading
 * the archived NDJSON.gz directly (the alternative it was measured against). Every query checks the
 * cache it reads (each month's file hashed against its seal): `checks s` is what that costs.
 * Targets (2 cores): one month under 0.3 s, seven years under 10 s, peak RSS under 1 GB; with
 * --baseline, seven years and the full scan within 1.2x of the baseline's and peak RSS unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Day } from '../shared/day';
import type { QueryText } from '../shared/discovery/compile-query';
import { StructuredQuerySchema } from '../shared/discovery/structured-query';
import { fileCacheSealKey } from '../main/engine/archive/cache-seal';
import { LocalFolderStore } from '../main/engine/archive/stores/local-store';
import { LocalQueryEngine } from '../main/engine/discovery/local-engine';
import { runDiscoveryQuery } from '../main/engine/discovery/run-query';
import { listVouchedObjects } from '../main/engine/discovery/vouched-objects';
import { SyntheticOrganisation } from '../main/engine/genesys/simulator/organisation';
import { bundleForNode } from './lib/bundle-for-node';
import { benchCacheDir, ensureSevenYearArchive, SEVEN_YEARS, type BenchArchiveCard } from './lib/seven-year-archive';

const SELF = fileURLToPath(import.meta.url);
const ONE_MONTH = { from: '2025-03-01', to: '2025-03-31' } as const;
const SEVEN = { from: SEVEN_YEARS.from, to: SEVEN_YEARS.to } as const;

interface Scenario {
  readonly label: string;
  /** `user`: every event of one user (the form); `services`: events per service (SQL, a scan of every event). */
  readonly question: 'user' | 'services';
  readonly range: { from: Day; to: Day };
  readonly reader: 'columnar' | 'ndjson';
  readonly runs: number;
}

interface Figures {
  readonly rows: number;
  readonly firstSeconds: number;
  readonly bestSeconds: number;
  /** Of the best run: reading the manifests (listVouchedObjects), the rest is DuckDB. */
  readonly listingSeconds: number;
  /** Of the best run: checking the cached months against their seals (absent: an engine without seals). */
  readonly checkSeconds?: number;
  readonly cpuSeconds: number;
  readonly peakRssMB: number;
  readonly events: number;
  readonly objects: number;
}

/** The user the question is about: the organisation's first user, by id (the same in SQL and jq). */
function theUser(): { id: string; name: string } {
  const u = new SyntheticOrganisation(SEVEN_YEARS.seed).users[0];
  if (!u) throw new Error('the simulated organisation has no users');
  return { id: u.id, name: u.name };
}

/** The secret the cache's seals are keyed with: a key file outside the cache folder, as the CLI keeps it. */
function sealKeyOf(job: { sealKey: string }) {
  return fileCacheSealKey(job.sealKey);
}

/** Child: build the Parquet cache for all seven years (cold unless it already exists). */
async function runPrepareChild(job: { root: string; cache: string; sealKey: string }): Promise<void> {
  const store = new LocalFolderStore({ root: job.root });
  const engine = new LocalQueryEngine({ store, cacheFolder: job.cache, threads: 2, cacheSealKey: sealKeyOf(job) });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const objects = await listVouchedObjects(store, SEVEN);
  await engine.cache.columnarMonths(objects, { onProgress: (p) => process.stderr.write(`\r  ${p.message}   `) });
  process.stderr.write('\n');
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  const out = {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    objects: objects.length,
  };
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
}

/** Child: one scenario, `runs` times in this process. */
async function runQueryChild(job: { root: string; cache: string; sealKey: string; scenario: Scenario }): Promise<void> {
  const store = new LocalFolderStore({ root: job.root });
  const engine = new LocalQueryEngine({
    store,
    cacheFolder: job.cache,
    reader: job.scenario.reader,
    threads: 2,
    cacheSealKey: sealKeyOf(job),
  });
  const user = theUser();
  const query: QueryText =
    job.scenario.question === 'user'
      ? { kind: 'structured', structured: StructuredQuerySchema.parse({ range: job.scenario.range, users: [user.id] }) }
      : {
          kind: 'sql',
          sql: 'SELECT servicename, count(*) AS events FROM audit_events GROUP BY servicename ORDER BY events DESC',
          parameters: [],
          range: job.scenario.range,
        };
  const cpu0 = process.cpuUsage();
  const times: Array<{ total: number; listing: number; checks: number }> = [];
  let rows = 0;
  let population = { events: 0, objects: 0 };
  for (let i = 0; i < job.scenario.runs; i++) {
    let listedAt = 0;
    let checkedAt = 0;
    const t0 = performance.now();
    rows = 0;
    const metadata = await runDiscoveryQuery({
      engine,
      query,
      archive: store.url,
      onProgress: (p) => {
        if (p.phase !== 'listing' && listedAt === 0) listedAt = performance.now();
        if (p.phase === 'preparing' && p.message.startsWith('Checking')) checkedAt = performance.now();
      },
      onPage: (page) => void (rows += page.length),
    });
    times.push({
      total: (performance.now() - t0) / 1000,
      listing: (listedAt - t0) / 1000,
      checks: checkedAt ? (checkedAt - listedAt) / 1000 : 0,
    });
    population = { events: metadata.population?.events ?? 0, objects: metadata.population?.objects ?? 0 };
  }
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  const best = times.reduce((a, b) => (b.total < a.total ? b : a));
  const out: Figures = {
    rows,
    firstSeconds: times[0]?.total ?? 0,
    bestSeconds: best.total,
    listingSeconds: best.listing,
    checkSeconds: best.checks,
    cpuSeconds: (cpu.user + cpu.system) / 1e6 / job.scenario.runs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    events: population.events,
    objects: population.objects,
  };
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
}

/** Runs a role of `entry` (this file, or the baseline's) bundled in its own process; its last stdout line. */
async function child<T>(entry: string, args: string[]): Promise<T> {
  const script = await bundleForNode(entry, entry === SELF ? 'discovery-bench' : 'discovery-bench-baseline', [
    '@duckdb/node-api',
  ]);
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`bench child ${args[0]} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1) as string) as T;
}

/** `zcat <files> | jq` answering the same question: the events of one user id. */
async function zcatJq(
  card: BenchArchiveCard,
  range: { from: Day; to: Day },
  userId: string,
): Promise<{ rows: number; seconds: number; files: number }> {
  const store = new LocalFolderStore({ root: card.root });
  const files = (await listVouchedObjects(store, range)).map((o) => join(card.root, ...o.key.split('/')));
  const t0 = performance.now();
  // xargs keeps the command line within limits over 2,500 files; jq reads the concatenated stream.
  const proc = spawn('sh', ['-c', `xargs zcat | jq -c --arg id "$USER_ID" 'select(.user.id == $id)' | wc -l`], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, USER_ID: userId },
  });
  proc.stdin.end(files.join('\n') + '\n');
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => proc.on('exit', resolve));
  return { rows: Number(out.trim()), seconds: (performance.now() - t0) / 1000, files: files.length };
}

/** One engine under test: this tree's, or the baseline's (`--baseline DIR`), with its own cache. */
interface Tree {
  readonly name: string;
  readonly entry: string;
  readonly cache: string;
}

type Prepared = { seconds: number; cpuSeconds: number; peakRssMB: number; objects: number };

const SCENARIOS: readonly Scenario[] = [
  { label: 'one month, one user (Parquet cache)', question: 'user', range: ONE_MONTH, reader: 'columnar', runs: 3 },
  { label: 'seven years, one user (Parquet cache)', question: 'user', range: SEVEN, reader: 'columnar', runs: 3 },
  { label: 'one month, one user (DuckDB on NDJSON.gz)', question: 'user', range: ONE_MONTH, reader: 'ndjson', runs: 2 },
  {
    label: 'seven years, events per service (Parquet)',
    question: 'services',
    range: SEVEN,
    reader: 'columnar',
    runs: 2,
  },
];
const SLOW_SCENARIOS: readonly Scenario[] = [
  { label: 'seven years, one user (DuckDB on NDJSON.gz)', question: 'user', range: SEVEN, reader: 'ndjson', runs: 1 },
];

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function orchestrate(quick: boolean): Promise<void> {
  process.stderr.write('The seven-year archive (made once, then reused from the bench cache)…\n');
  const card = await ensureSevenYearArchive((l) => process.stderr.write(l + '\n'));
  console.log(
    `Archive: ${card.events.toLocaleString('en')} events, ${card.days.toLocaleString('en')} days (${card.from} to ${card.to}), ` +
      `${card.parts.toLocaleString('en')} parts, ${(card.storedBytes / 1e6).toFixed(0)} MB gzip; ` +
      `${card.reused ? `reused from ${card.root} (made ${card.createdAt} in ${Math.round(card.generationSeconds)} s)` : `made now in ${Math.round(card.generationSeconds)} s`}: ${card.made}.`,
  );
  const baseline = argValue('--baseline');
  const trees: Tree[] = [{ name: 'this tree', entry: SELF, cache: join(benchCacheDir(), 'discovery-columnar-cache') }];
  if (baseline) {
    trees.push({
      name: `baseline (${baseline})`,
      entry: join(resolve(baseline), 'bench', 'discovery.ts'),
      cache: join(benchCacheDir(), 'discovery-columnar-cache-baseline'),
    });
  }
  const sealKey = join(benchCacheDir(), 'discovery-cache-seal.key');
  for (const tree of trees) await prepareTree(tree, card, sealKey);

  const only = argValue('--only');
  const scenarios = (quick ? SCENARIOS : [...SCENARIOS, ...SLOW_SCENARIOS]).filter(
    (s) => !only || s.label.includes(only),
  );
  const results = new Map<string, Figures[]>();
  for (const s of scenarios) {
    // Tree by tree within a scenario, so a change in the machine's load falls on both alike.
    const figures: Figures[] = [];
    for (const tree of trees) {
      process.stderr.write(`Running: ${s.label} (${tree.name})…\n`);
      const job = { root: card.root, cache: tree.cache, sealKey, scenario: s };
      figures.push(await child<Figures>(tree.entry, ['--query', JSON.stringify(job)]));
    }
    results.set(s.label, figures);
  }
  const jqRows = only ? [] : await jqComparisons(card, quick);
  printFigures(scenarios, results, jqRows, trees.length > 1);
  printVerdicts(results);
}

/** Builds (or checks) a tree's Parquet cache for all seven years, and prints what it took. */
async function prepareTree(tree: Tree, card: BenchArchiveCard, sealKey: string): Promise<void> {
  if (process.argv.includes('--rebuild-cache')) await rm(tree.cache, { recursive: true, force: true });
  await mkdir(tree.cache, { recursive: true });
  process.stderr.write(`Preparing the Parquet cache of ${tree.name} (only missing or changed months are built)…\n`);
  const job = { root: card.root, cache: tree.cache, sealKey };
  const prepared = await child<Prepared>(tree.entry, ['--prepare', JSON.stringify(job)]);
  console.log(
    `Columnar cache (${tree.name}): ${prepared.objects.toLocaleString('en')} objects ready in ${prepared.seconds.toFixed(1)} s (${prepared.cpuSeconds.toFixed(1)} CPU s, peak RSS ${prepared.peakRssMB.toFixed(0)} MB)` +
      ` — a first build hashes every object and converts it once${tree.entry === SELF ? "; later runs check each month's file against its seal" : ''}.`,
  );
}

async function jqComparisons(card: BenchArchiveCard, quick: boolean): Promise<string[][]> {
  const user = theUser();
  const jqScenarios: Array<{ label: string; range: { from: Day; to: Day } }> = [
    { label: 'one month, one user: zcat | jq', range: ONE_MONTH },
  ];
  if (!quick) jqScenarios.push({ label: 'seven years, one user: zcat | jq', range: SEVEN });
  const rows: string[][] = [];
  for (const j of jqScenarios) {
    process.stderr.write(`Running: ${j.label}…\n`);
    const r = await zcatJq(card, j.range, user.id);
    rows.push([j.label, r.rows.toLocaleString('en'), '', r.seconds.toFixed(2), r.seconds.toFixed(2)]);
  }
  return rows;
}

function printFigures(
  scenarios: readonly Scenario[],
  results: ReadonlyMap<string, Figures[]>,
  jqRows: string[][],
  withBaseline: boolean,
): void {
  const user = theUser();
  console.log(
    `\nQuestions: every event of user ${user.name} (${user.id}), as the form asks it; events per service (SQL over every event). ` +
      `2 DuckDB threads; each engine row: the first run in a fresh process, then the fastest of its runs; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} at the end.`,
  );
  const head = ['scenario', 'rows', 'events read', 'first s', 'best s', 'manifests s', 'checks s', 'DuckDB s'];
  head.push('CPU s/run', 'peak RSS MB');
  if (withBaseline) head.push('baseline best s', 'x', 'baseline CPU s/run', 'CPU x', 'baseline RSS MB', 'RSS x');
  const rows = scenarios.map((s) => {
    const [f, b] = results.get(s.label) as [Figures, Figures | undefined];
    const row = [
      s.label,
      f.rows.toLocaleString('en'),
      f.events.toLocaleString('en'),
      f.firstSeconds.toFixed(2),
      f.bestSeconds.toFixed(2),
      f.listingSeconds.toFixed(2),
      (f.checkSeconds ?? 0).toFixed(2),
      (f.bestSeconds - f.listingSeconds - (f.checkSeconds ?? 0)).toFixed(2),
      f.cpuSeconds.toFixed(1),
      f.peakRssMB.toFixed(0),
    ];
    if (b) {
      row.push(b.bestSeconds.toFixed(2), (f.bestSeconds / b.bestSeconds).toFixed(2));
      row.push(b.cpuSeconds.toFixed(1), (f.cpuSeconds / b.cpuSeconds).toFixed(2));
      row.push(b.peakRssMB.toFixed(0), (f.peakRssMB / b.peakRssMB).toFixed(2));
    }
    return row;
  });
  printTable(head, [...rows, ...jqRows.map((r) => [...r, ...new Array(head.length - r.length).fill('')])]);
}

function printVerdicts(results: ReadonlyMap<string, Figures[]>): void {
  const of = (i: number) => results.get(SCENARIOS[i]?.label as string) ?? [];
  const [month, monthBase] = of(0);
  const [seven, sevenBase] = of(1);
  const [ndjson] = of(2);
  const [scan, scanBase] = of(3);
  const peak = Math.max(...[...results.values()].map((f) => (f[0] as Figures).peakRssMB));
  // A verdict whose scenario did not run (--only) is not printed.
  const verdicts: Array<[string, boolean | null]> = [
    ['one month, one user < 0.3 s (best run)', month ? month.bestSeconds < 0.3 : null],
    ['seven years, one user < 10 s (best run)', seven ? seven.bestSeconds < 10 : null],
    ['seven years, every event (events per service) < 10 s (best run)', scan ? scan.bestSeconds < 10 : null],
    ['peak RSS < 1 GB (every scenario)', peak < 1024],
    ['the Parquet cache and the NDJSON.gz give the same rows', month && ndjson ? month.rows === ndjson.rows : null],
    [
      'seven years, one user within 1.2x of the baseline',
      seven && sevenBase ? seven.bestSeconds <= 1.2 * sevenBase.bestSeconds : null,
    ],
    [
      'seven years, every event within 1.2x of the baseline',
      scan && scanBase ? scan.bestSeconds <= 1.2 * scanBase.bestSeconds : null,
    ],
    [
      'one month, one user within 1.2x of the baseline',
      month && monthBase ? month.bestSeconds <= 1.2 * monthBase.bestSeconds : null,
    ],
    [
      'peak RSS unchanged (each scenario within 5% of the baseline)',
      monthBase || sevenBase || scanBase
        ? [...results.values()].every(([f, b]) => !b || (f as Figures).peakRssMB <= 1.05 * b.peakRssMB)
        : null,
    ],
  ];
  console.log('');
  for (const [what, ok] of verdicts) if (ok !== null) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}`);
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// Last: every constant above is initialised before a role runs.
const role = process.argv[2];
if (role === '--query') await runQueryChild(JSON.parse(process.argv[3] as string));
else if (role === '--prepare') await runPrepareChild(JSON.parse(process.argv[3] as string));
else await orchestrate(process.argv.includes('--quick'));
