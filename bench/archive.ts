/**
 * The archive benchmark (issues 4 and 18): one 1,000,000-event day from the Genesys simulator (no
 * latency, no rate limit) exported end to end into the local store and into a real Ceph RGW with
 * Object Lock; seven years of calendar status from a real RGW listing, and verify over them; and the
 * second locked copy: the cost of writing a day to the copy beside writing it to the primary, and
 * catch-up's copy pass and `verify --copy` over the seven years (bench/lib/copy-bench.ts).
 *
 *   npm run bench -- archive [flags]     (or npx tsx bench/archive.ts [flags])
 *   --only PARTS              export, status and/or copy, comma-separated or repeated (default: all three)
 *   --events N                events of the exported day (default 1,000,000)
 *   --copy-days N             the copy's realistic days, each 4,780 events (default 20)
 *   --status-only             the same as --only status
 *
 * `--only copy` writes its own seven years; with status it uses the status part's archive. The
 * seven years are 2,557 days (one small part and one manifest a day).
 *
 * AUDIT_ARCHIVE_BENCH_MEMORY=1 adds the export's peak heap, external and array-buffer figures (sampled
 * every 20 ms); AUDIT_ARCHIVE_BENCH_PART_BYTES overrides the part size (default: the setting's).
 *
 * Each export, each verify and each pass over the copy runs in its own child process so its peak RSS
 * is its own; the simulator runs in another child (it is Genesys's work, not ours). Ceph is started
 * here (about 20 s) unless AUDIT_ARCHIVE_TEST_RGW points at a running one
 * (`npx tsx test/servers/rgw-cli.ts`).
 * Targets: >= 30,000 events/s into the local store, peak RSS < 200 MB, 7 years of status < 2 s in
 * at most 10 S3 requests once the local manifest cache is warm (the cold first look is printed too,
 * and a first look from the signed monthly checkpoints under 2 s), verify over the seven years in
 * bounded memory (its peak RSS is printed), and `verify --copy` over them finding the copy whole.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './lib/bundle-for-node';
import { dataKey } from '../shared/archive-layout';
import { addDays, eachDay, lastSettledDay } from '../shared/day';
import { defaultSettings } from '../shared/settings';
import type { ArchiveStore, ObjectLock } from '../main/engine/archive/archive-store';
import { Archive, type ManifestDraft } from '../main/engine/archive/archive';
import { writeCheckpoints } from '../main/engine/archive/checkpoint-writer';
import { exportDay } from '../main/engine/archive/export-day';
import { FileSigningKeyStore } from '../main/engine/archive/signing-keys';
import { computeDayStatuses } from '../main/engine/archive/status';
import { initBucket } from '../main/engine/archive/stores/bucket-init';
import { LocalFolderStore } from '../main/engine/archive/stores/local-store';
import { S3ObjectLockStore } from '../main/engine/archive/stores/s3-store';
import { benchAuditClient, serveSimulator, type SimInfo } from './lib/bench-simulator';
import {
  benchStore,
  measureCopyPerDay,
  newBenchBucket,
  runCopyPass,
  type CopyPassFigures,
  type CopyPassJob,
  type CopyPerDayFigures,
} from './lib/copy-bench';
import { benchDayManifest } from './lib/signed-days';

const SELF = fileURLToPath(import.meta.url);
const DAY = addDays(lastSettledDay(Date.now(), 120), -3);

interface Rgw {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}
interface ExportFigures {
  events: number;
  seconds: number;
  rawMB: number;
  storedMB: number;
  parts: number;
  cpuSeconds: number;
  peakRssMB: number;
  startRssMB: number;
}

const PARTS = ['export', 'status', 'copy'] as const;
type Part = (typeof PARTS)[number];

interface BenchArgs {
  readonly parts: ReadonlySet<Part>;
  readonly events: number;
  readonly copyDays: number;
}

/** The flags of the header; a flag it does not know stops the bench before anything runs. */
function benchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true },
      events: { type: 'string' },
      'copy-days': { type: 'string' },
      'status-only': { type: 'boolean' },
    },
  });
  const only = [...(values.only ?? []).flatMap((v) => v.split(',')), ...(values['status-only'] ? ['status'] : [])];
  const unknown = only.find((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown) throw new Error(`--only ${unknown}: the parts are ${PARTS.join(', ')}`);
  const count = (name: string, v: string | undefined, fallback: number) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${v} is not a positive whole number`);
    return n;
  };
  return {
    parts: new Set(only.length > 0 ? (only as Part[]) : PARTS),
    events: count('events', values.events, 1_000_000),
    copyDays: count('copy-days', values['copy-days'], 20),
  };
}

const role = process.argv[2];
if (role === '--simulator') await runSimulator(Number(process.argv[3]));
else if (role === '--export') await runExport(JSON.parse(process.argv[3] as string));
else if (role === '--verify') await runVerify(JSON.parse(process.argv[3] as string));
else if (role === '--copy-pass') answer(await runCopyPass(JSON.parse(process.argv[3] as string) as CopyPassJob));
else await orchestrate(benchArgs(process.argv.slice(2)));

/** A child's figures, as its one line of stdout (open S3 sockets must not keep it alive). */
function answer(figures: unknown): void {
  process.stdout.write(JSON.stringify(figures) + '\n', () => process.exit(0));
}

/** Child: the simulator, until its parent closes stdin. */
async function runSimulator(events: number): Promise<void> {
  await serveSimulator({ seed: 11, eventsPerDay: events, runningPolls: 0 });
}

/** Child: one exportDay, measured from inside so RSS and CPU are the exporter's alone. */
async function runExport(job: {
  sim: SimInfo;
  target: 'local' | 's3';
  root?: string;
  rgw?: Rgw;
  bucket?: string;
}): Promise<void> {
  const store: ArchiveStore =
    job.target === 'local'
      ? new LocalFolderStore({ root: job.root as string })
      : new S3ObjectLockStore({
          bucket: job.bucket as string,
          prefix: 'bench',
          endpoint: job.rgw?.endpoint,
          forcePathStyle: true,
          region: job.rgw?.region,
          credentials: {
            accessKeyId: job.rgw?.accessKeyId as string,
            secretAccessKey: job.rgw?.secretAccessKey as string,
          },
        });
  const source = benchAuditClient(job.sim);
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-bench-state-'));
  const archive = new Archive({
    store,
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'the archive benchmark' },
    toolVersion: 'bench',
  });
  const identity = await source.identify();
  // Node + the AWS SDK loaded, before any event: what the exporter adds is the difference.
  const startRssMB = process.resourceUsage().maxRSS / 1024;
  const peaks = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, rss: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[k] = Math.max(peaks[k], Math.round(m[k] / 1e6));
  }, 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await archive.withWriter(
    {
      purpose: 'production',
      organisation: { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost },
    },
    (writer) =>
      exportDay(
        {
          writer,
          source,
          sourceRecord: { demo: false, ...identity, perServiceQueries: false },
          policy: {
            settlementMinutes: 120,
            maxPartBytes: Number(process.env.AUDIT_ARCHIVE_BENCH_PART_BYTES ?? defaultSettings().archive.maxPartBytes),
            genesysRetentionDays: 365,
          },
          toolVersion: 'bench',
        },
        DAY,
      ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const figures: ExportFigures = {
    events: result.events,
    seconds,
    rawMB: result.manifest.objects.reduce((n, o) => n + o.rawSize, 0) / 1e6,
    storedMB: result.bytes / 1e6,
    parts: result.manifest.objects.length,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    startRssMB,
    ...(process.env.AUDIT_ARCHIVE_BENCH_MEMORY ? { peaks } : {}),
  };
  clearInterval(sampler);
  process.stdout.write(JSON.stringify(figures) + '\n', () => process.exit(0)); // open S3 sockets must not keep it alive
}

/** Child: verify (fast) of the seven-year archive, measured from inside. */
async function runVerify(job: { rgw: Rgw; bucket: string }): Promise<void> {
  const { verifyArchive } = await import('../main/engine/archive/verify');
  const store = new S3ObjectLockStore({
    bucket: job.bucket,
    prefix: 'bench',
    endpoint: job.rgw.endpoint,
    forcePathStyle: true,
    region: job.rgw.region,
    credentials: { accessKeyId: job.rgw.accessKeyId, secretAccessKey: job.rgw.secretAccessKey },
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-bench-verify-'));
  const archive = new Archive({
    store,
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'bench' },
    toolVersion: 'bench',
  });
  const startRssMB = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  const result = await verifyArchive({
    archive,
    full: false,
    now: Date.now(),
    settlementMinutes: 120,
    genesysRetentionDays: 365,
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!result.ok) process.stderr.write(JSON.stringify(result.problems.slice(0, 5)) + '\n');
  const figures = {
    ok: result.ok,
    manifests: result.manifestsChecked,
    objects: result.objectsChecked,
    requests: result.requests,
    seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    startRssMB,
  };
  process.stdout.write(JSON.stringify(figures) + '\n', () => process.exit(0));
}

async function measureVerify(job: { rgw: Rgw; bucket: string }): Promise<{
  ok: boolean;
  manifests: number;
  objects: number;
  requests: number;
  seconds: number;
  peakRssMB: number;
  startRssMB: number;
}> {
  const c = await child(['--verify', JSON.stringify(job)]);
  return JSON.parse(await c.firstLine) as Awaited<ReturnType<typeof measureVerify>>;
}

/** Runs a role of this file in its own process, bundled as the app ships it (see bundleForNode). */
async function child(args: string[]): Promise<{ proc: ReturnType<typeof spawn>; firstLine: Promise<string> }> {
  const script = await bundleForNode(SELF, 'archive-bench');
  // The engine's roles run as `audit-archive` runs them, with V8's young generation capped
  // (scripts/engine-heap.mjs); the simulator is Genesys's work, not ours.
  // @ts-expect-error: plain ESM script without type declarations
  const { ENGINE_HEAP_FLAGS } = (await import('../scripts/engine-heap.mjs')) as { ENGINE_HEAP_FLAGS: string[] };
  const flags = args[0] === '--simulator' ? [] : ENGINE_HEAP_FLAGS;
  const proc = spawn(process.execPath, [...flags, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.on('exit', (code) => reject(new Error(`bench child ${args[0]} exited with ${code} before answering`)));
  });
  return { proc, firstLine };
}

async function startRgw(): Promise<{ rgw: Rgw; stop: () => Promise<void> }> {
  const reuse = process.env.AUDIT_ARCHIVE_TEST_RGW;
  if (reuse) {
    const { parseRgwUrl } = await import('../test/servers/global-setup');
    return { rgw: parseRgwUrl(reuse), stop: async () => undefined };
  }
  const { startCephRgw } = await import('../test/servers/ceph-rgw');
  const running = await startCephRgw();
  return { rgw: running, stop: () => running.stop() };
}

type Check = readonly [what: string, ok: boolean];

/** What the measurements that need RGW share. */
interface RgwRun {
  readonly rgw: Rgw;
  readonly admin: S3Client;
  readonly args: BenchArgs;
  /** Null without the export part: no export is measured. */
  readonly simInfo: SimInfo | null;
  /** The local export's figures, measured before RGW started. */
  readonly local: ExportFigures | null;
}

async function orchestrate(args: BenchArgs): Promise<void> {
  const events = args.parts.has('export') ? args.events : 0;
  const sim = events > 0 ? await child(['--simulator', String(events)]) : null;
  const root = await mkdtemp(join(tmpdir(), 'aa-bench-archive-'));
  let rgwHandle: { rgw: Rgw; stop: () => Promise<void> } | null = null;
  try {
    const simInfo = sim ? (JSON.parse(await sim.firstLine) as SimInfo) : null;
    let local: ExportFigures | null = null;
    if (simInfo) {
      process.stderr.write(`Exporting ${events.toLocaleString('en')} events of ${DAY} into a local folder…\n`);
      local = await measureExport({ sim: simInfo, target: 'local', root });
    }
    process.stderr.write('Starting Ceph RGW…\n');
    rgwHandle = await startRgw();
    const { rgw } = rgwHandle;
    const checks = await measureOnRgw({ rgw, admin: adminClient(rgw), args, simInfo, local });
    for (const [what, ok] of checks) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}`);
  } finally {
    sim?.proc.stdin?.end();
    await rgwHandle?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Everything measured against RGW, each part printing its table; returns the PASS/MISS checks in the
 * order they print. A new figure: measure it here (in its own function), print its table, and add
 * its checks to the list.
 */
async function measureOnRgw(run: RgwRun): Promise<Check[]> {
  const checks: Check[] = [];
  if (run.simInfo) {
    const s3 = await measureRgwExport(run, run.simInfo);
    // On a shared machine wall time includes waiting for other processes; events per CPU-second is
    // what one core of the exporter sustains.
    console.log('');
    printExportTable(run.local, s3);
    checks.push(...exportChecks(run.local, s3));
  }
  let sevenYears: string | null = null;
  if (run.args.parts.has('status')) {
    const status = await measureStatusAndVerify(run);
    sevenYears = status.bucket;
    checks.push(...status.checks);
  }
  if (run.args.parts.has('copy')) checks.push(...(await measureCopy(run, sevenYears)));
  console.log('');
  return checks;
}

/** Seven years of status, cold and warm, then verify (fast) over them in its own process. */
async function measureStatusAndVerify(run: RgwRun): Promise<{ bucket: string; checks: Check[] }> {
  process.stderr.write(
    'Writing 7 years of a signed archive (a root, and per day a part and a chained manifest) into RGW…\n',
  );
  const status = await measureStatus(run.admin, run.rgw);
  console.log('');
  printStatusTable(status);
  process.stderr.write('Verifying the 7 years (fast mode) in its own process…\n');
  const verify = await measureVerify({ rgw: run.rgw, bucket: status.bucket });
  console.log('');
  printVerifyTable(verify);
  return {
    bucket: status.bucket,
    checks: [
      [`7 years of status (warm) < 2 s`, status.warm.seconds < 2],
      [`7 years of status (warm) <= 10 S3 requests`, status.warm.requests <= 10],
      [`7 years, a first open from the signed monthly checkpoints < 2 s`, status.checkpointed.seconds < 2],
      [`7 years of verify passes`, verify.ok],
    ],
  };
}

/**
 * The second locked copy: a realistic day written to the copy beside the primary, then catch-up's
 * copy pass and `verify --copy` over seven years (`sevenYears`: the status part's archive, else
 * written here), each pass in its own process.
 */
async function measureCopy(run: RgwRun, sevenYears: string | null): Promise<Check[]> {
  process.stderr.write(`Writing ${run.args.copyDays} realistic days to a primary and to its copy…\n`);
  console.log('');
  printCopyDayTable(await measureCopyPerDay(run.rgw, run.args.copyDays)); // printed at once: the 7 years take long
  let primaryBucket = sevenYears;
  if (!primaryBucket) {
    process.stderr.write('Writing 7 years of a signed archive into RGW for the copy…\n');
    primaryBucket = await newBenchBucket(run.rgw, 'copy-7y');
    const to = lastSettledDay(Date.now(), 120);
    await writeSevenYears(benchStore(run.rgw, primaryBucket, 'bench'), [...eachDay(addDays(to, -2556), to)]);
  }
  const job = { rgw: run.rgw, primaryBucket, copyBucket: await newBenchBucket(run.rgw, 'copy-c'), prefix: 'bench' };
  process.stderr.write("Catch-up's copy pass over the 7 years, in its own process…\n");
  const fill = await measureCopyPass({ ...job, mode: 'repair' });
  process.stderr.write('verify --copy over the 7 years, in its own process…\n');
  const verify = await measureCopyPass({ ...job, mode: 'verify' });
  console.log('');
  printCopyPassTable([fill, verify]);
  return [
    [`catch-up's copy pass wrote every object of the 7 years`, fill.repaired === fill.objects && fill.ok],
    [`7 years of verify --copy find the copy whole`, verify.ok],
  ];
}

async function measureCopyPass(job: CopyPassJob): Promise<CopyPassFigures> {
  const c = await child(['--copy-pass', JSON.stringify(job)]);
  const figures = JSON.parse(await c.firstLine) as CopyPassFigures;
  if (figures.firstProblem)
    process.stderr.write(`${job.mode}: ${figures.problems} problem(s), the first: ${figures.firstProblem}\n`);
  return figures;
}

function printCopyDayTable(f: CopyPerDayFigures): void {
  const ms = (s: number) => (s * 1000).toFixed(0);
  printTable(
    [
      `writing one day (${f.days} days, part ${f.partKB.toFixed(0)} kB of gzip + manifest)`,
      'wall ms/day',
      'CPU ms/day',
    ],
    [
      ['primary (part, manifest, each lock read back)', ms(f.primary.wall), ms(f.primary.cpu)],
      ['copy, write mode (read + SHA-256 from the primary, write, lock read back)', ms(f.copy.wall), ms(f.copy.cpu)],
    ],
  );
}

function printCopyPassTable(passes: readonly CopyPassFigures[]): void {
  printTable(
    [
      'the copy over 7 years',
      'objects',
      'written',
      'problems',
      'S3 requests',
      'wall s',
      'CPU s',
      'peak RSS MB',
      'RSS at start MB',
    ],
    passes.map((p) => [
      p.mode === 'repair' ? "catch-up's copy pass (empty copy)" : 'verify --copy (bytes hashed, locks read)',
      String(p.objects),
      String(p.repaired),
      String(p.problems),
      String(p.requests),
      p.wall.toFixed(1),
      p.cpu.toFixed(1),
      p.peakRssMB.toFixed(0),
      p.startRssMB.toFixed(0),
    ]),
  );
}

function adminClient(rgw: Rgw): S3Client {
  return new S3Client({
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
}

/** The export of one day into a new COMPLIANCE bucket. */
async function measureRgwExport(run: RgwRun, sim: SimInfo): Promise<ExportFigures> {
  const bucket = `bench-${randomBytes(4).toString('hex')}`;
  await initBucket({ client: run.admin, bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
  process.stderr.write(`Exporting ${run.args.events.toLocaleString('en')} events of ${DAY} into RGW (Object Lock)…\n`);
  return measureExport({ sim, target: 's3', rgw: run.rgw, bucket });
}

function printExportTable(local: ExportFigures | null, s3: ExportFigures | null): void {
  const rows: string[][] = [];
  if (local) rows.push(exportRow('local folder', local));
  if (s3) rows.push(exportRow('Ceph RGW, COMPLIANCE', s3));
  if (rows.length === 0) return;
  printTable(
    [
      'export of one day',
      'events',
      'seconds',
      'events/s',
      'raw MB/s',
      'stored MB',
      'parts',
      'CPU s',
      'events/CPU-s',
      'RSS at start MB',
      'peak RSS MB',
    ],
    rows,
  );
}

function exportChecks(local: ExportFigures | null, s3: ExportFigures | null): Check[] {
  if (!local || !s3) return [];
  return [
    [`local export >= 30,000 events/s (wall clock)`, local.events / local.seconds >= 30_000],
    [`local export >= 30,000 events per CPU-second`, local.events / local.cpuSeconds >= 30_000],
    [`local export peak RSS < 200 MB`, local.peakRssMB < 200],
    [`RGW export peak RSS < 200 MB`, s3.peakRssMB < 200],
  ];
}

function printStatusTable(status: Awaited<ReturnType<typeof measureStatus>>): void {
  const row = (name: string, f: StatusFigures): string[] => [
    name,
    String(status.days),
    String(status.keys),
    String(f.requests),
    String(f.manifestReads),
    f.seconds.toFixed(2),
  ];
  printTable(
    ['7 years of status', 'days', 'keys', 'S3 requests', 'manifests read', 'seconds'],
    [
      row('cold (new installation)', status.cold),
      row('cold, from the signed monthly checkpoints', status.checkpointed),
      row('warm (local manifest cache)', status.warm),
    ],
  );
}

function printVerifyTable(verify: Awaited<ReturnType<typeof measureVerify>>): void {
  printTable(
    [
      '7 years of verify (fast)',
      'manifests',
      'objects',
      'S3 requests',
      'seconds',
      'peak RSS MB',
      'RSS at start MB',
      'ok',
    ],
    [
      [
        'RGW, GOVERNANCE',
        String(verify.manifests),
        String(verify.objects),
        String(verify.requests),
        verify.seconds.toFixed(1),
        verify.peakRssMB.toFixed(0),
        verify.startRssMB.toFixed(0),
        String(verify.ok),
      ],
    ],
  );
}

async function measureExport(job: Parameters<typeof runExport>[0]): Promise<ExportFigures> {
  const c = await child(['--export', JSON.stringify(job)]);
  return JSON.parse(await c.firstLine) as ExportFigures;
}

function exportRow(name: string, f: ExportFigures): string[] {
  return [
    name,
    f.events.toLocaleString('en'),
    f.seconds.toFixed(1),
    Math.round(f.events / f.seconds).toLocaleString('en'),
    (f.rawMB / f.seconds).toFixed(1),
    f.storedMB.toFixed(1),
    String(f.parts),
    f.cpuSeconds.toFixed(1),
    Math.round(f.events / f.cpuSeconds).toLocaleString('en'),
    f.startRssMB.toFixed(0),
    f.peakRssMB.toFixed(0),
  ];
}

/**
 * Seven years of a real, signed archive in RGW (a root, and per day one small data part and one
 * signed manifest chained to the one before), then the calendar over it as ArchiveSession.status
 * runs it: cold (a new installation reads every manifest once, in parallel) and warm (the local
 * manifest cache knows them: the listing alone).
 */
async function measureStatus(
  admin: S3Client,
  rgw: Rgw,
): Promise<{
  days: number;
  keys: number;
  cold: StatusFigures;
  checkpointed: StatusFigures;
  warm: StatusFigures;
  stateDir: string;
  bucket: string;
}> {
  const bucket = `bench-status-${randomBytes(4).toString('hex')}`;
  await initBucket({ client: admin, bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  const to = lastSettledDay(Date.now(), 120);
  const days = [...eachDay(addDays(to, -2556), to)];
  const store = new S3ObjectLockStore({
    bucket,
    prefix: 'bench',
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  const written = await writeSevenYears(store, days);
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-bench-status-'));
  const archive = new Archive({
    store,
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'bench' },
    toolVersion: 'bench',
  });
  const run = async (reader = archive, checkpoints = false): Promise<StatusFigures> => {
    const before = store.requestCount;
    const t0 = performance.now();
    const snapshot = await reader.read({ scope: 'layout', checkpoints });
    const statuses = computeDayStatuses({
      assessment: snapshot.assessment,
      from: days[0] as string,
      to,
      now: Date.now(),
      settlementMinutes: 120,
      genesysRetentionDays: 365,
    });
    const seconds = (performance.now() - t0) / 1000;
    const archived = statuses.filter((d) => d.state === 'archived').length;
    if (archived !== days.length)
      throw new Error(`expected ${days.length} archived days, the calendar shows ${archived}`);
    return { seconds, requests: store.requestCount - before, manifestReads: snapshot.manifestReads };
  };
  // A first open on another new installation, from the signed monthly checkpoints (checkpoint-reader.ts).
  const otherState = await mkdtemp(join(tmpdir(), 'aa-bench-status-checkpointed-'));
  const checkpointed = await run(Archive.forReading(store, otherState), true);
  await rm(otherState, { recursive: true, force: true });
  const cold = await run();
  const warm = await run();
  return { days: days.length, keys: written, cold, checkpointed, warm, stateDir, bucket };
}

interface StatusFigures {
  seconds: number;
  requests: number;
  manifestReads: number;
}

/** The one small part every day of the seven-year archive holds. */
interface BenchPart {
  readonly body: Buffer;
  readonly raw: Buffer;
  readonly sha: string;
  readonly lock: ObjectLock;
}

/** Writes the seven-year archive as the exporter would, without Genesys: parts first (their version ids go into the manifests). */
async function writeSevenYears(store: S3ObjectLockStore, days: readonly string[]): Promise<number> {
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-bench-writer-'));
  const archive = new Archive({
    store,
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'bench' },
    toolVersion: 'bench',
  });
  const body = gzipSync('{"id":"00000000-0000-4000-8000-000000000000","eventDate":"2020-01-01T00:00:00.000Z"}\n');
  const part: BenchPart = {
    body,
    raw: gunzipSync(body),
    sha: createHash('sha256').update(body).digest('hex'),
    lock: { mode: 'GOVERNANCE', retainUntil: new Date(Date.now() + 86_400_000).toISOString() },
  };
  // Under the writer, which creates the root object first: a writer refuses a target that holds
  // data but no root (its signing key would be unknown).
  await archive.withWriter(
    { purpose: 'production', organisation: { id: 'bench-org', name: 'Bench', apiHost: 'api.example.com' } },
    async (writer) => {
      const versions = await putParts(store, days, part);
      // Appends are serialised by the writer (one chain); each is written, read back and linked.
      for (const day of days) await writer.append(benchManifest(day, versions.get(day) ?? null, part), part.lock);
    },
  );
  // Every complete month's signed checkpoint, as catch-up writes them.
  const checkpoints = await writeCheckpoints(archive, {
    settlementMinutes: 120,
    toolVersion: 'bench',
    thorough: false,
  });
  await rm(stateDir, { recursive: true, force: true });
  return days.length * 2 + 1 + checkpoints.written.length;
}

/** Every day's part, 32 at a time; returns each day's version id. */
async function putParts(
  store: S3ObjectLockStore,
  days: readonly string[],
  part: BenchPart,
): Promise<Map<string, string | null>> {
  const versions = new Map<string, string | null>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < days.length) {
        const day = days[next++] as string;
        const put = await store.putObject({
          key: dataKey('bench', day, 1),
          body: part.body,
          sha256: part.sha,
          contentType: 'application/gzip',
          lock: part.lock,
        });
        versions.set(day, put.versionId);
      }
    }),
  );
  return versions;
}

/** The manifest of one day holding the one part, as the exporter would write it. */
function benchManifest(day: string, versionId: string | null, part: BenchPart): ManifestDraft {
  return benchDayManifest(day, {
    key: dataKey('bench', day, 1),
    versionId,
    sha256Raw: createHash('sha256').update(part.raw).digest('hex'),
    sha256: part.sha,
    size: part.body.length,
    rawSize: part.raw.length,
    events: 1,
    lockMode: 'GOVERNANCE',
    retainUntil: part.lock.retainUntil,
  });
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
