/**
 * The archive benchmark (issue 4): one 1,000,000-event day from the Genesys simulator (no latency,
 * no rate limit) exported end to end into the local store and into a real Ceph RGW with Object Lock,
 * and seven years of calendar status from a real RGW listing.
 *
 *   npx tsx bench/archive.ts [events=1000000]
 *   npx tsx bench/archive.ts --status-only      (only the 7-year calendar)
 *
 * Each export runs in its own child process so its peak RSS is its own; the simulator runs in
 * another child (it is Genesys's work, not ours). Ceph is started here (about 20 s) unless
 * AUDIT_ARCHIVE_TEST_RGW points at a running one (`npx tsx test/servers/rgw-cli.ts`).
 * Targets: >= 30,000 events/s into the local store, peak RSS < 200 MB, 7 years of status < 2 s in
 * at most 10 S3 requests.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './lib/bundle-for-node';
import { dataKey, manifestKey } from '../shared/archive-layout';
import { addDays, eachDay, lastSettledDay } from '../shared/day';
import { defaultSettings } from '../shared/settings';
import type { ArchiveStore } from '../main/engine/archive/archive-store';
import { exportDay } from '../main/engine/archive/export-day';
import { ManifestChain } from '../main/engine/archive/manifest-chain';
import { computeDayStatuses, readCalendarIndex } from '../main/engine/archive/status';
import { initBucket } from '../main/engine/archive/stores/bucket-init';
import { LocalFolderStore } from '../main/engine/archive/stores/local-store';
import { S3ObjectLockStore } from '../main/engine/archive/stores/s3-store';
import { ClientCredentialsAuth } from '../main/engine/genesys/auth';
import { GenesysAuditClient } from '../main/engine/genesys/client';
import { RateBudget } from '../main/engine/genesys/rate-budget';

const SELF = fileURLToPath(import.meta.url);
const DAY = addDays(lastSettledDay(Date.now(), 120), -3);

interface SimInfo {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
}
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

const role = process.argv[2];
if (role === '--simulator') await runSimulator(Number(process.argv[3]));
else if (role === '--export') await runExport(JSON.parse(process.argv[3] as string));
else if (role === '--status-only') await orchestrate(0);
else await orchestrate(Number(process.argv[2] ?? 1_000_000));

/** Child: the simulator, until its parent closes stdin. */
async function runSimulator(events: number): Promise<void> {
  const { startGenesysSimulator } = await import('../main/engine/genesys/simulator/server');
  const sim = await startGenesysSimulator({ seed: 11, eventsPerDay: events, runningPolls: 0 });
  process.stdout.write(JSON.stringify({ apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, clientId: sim.clientId, clientSecret: sim.clientSecret }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

/** Child: one exportDay, measured from inside so RSS and CPU are the exporter's alone. */
async function runExport(job: { sim: SimInfo; target: 'local' | 's3'; root?: string; rgw?: Rgw; bucket?: string }): Promise<void> {
  const store: ArchiveStore =
    job.target === 'local'
      ? new LocalFolderStore({ root: job.root as string })
      : new S3ObjectLockStore({
          bucket: job.bucket as string,
          prefix: 'bench',
          endpoint: job.rgw?.endpoint,
          forcePathStyle: true,
          region: job.rgw?.region,
          credentials: { accessKeyId: job.rgw?.accessKeyId as string, secretAccessKey: job.rgw?.secretAccessKey as string },
        });
  const source = new GenesysAuditClient({
    apiUrl: job.sim.apiUrl,
    loginUrl: job.sim.loginUrl,
    auth: new ClientCredentialsAuth({ loginUrl: job.sim.loginUrl, clientId: job.sim.clientId, clientSecret: job.sim.clientSecret }),
    budget: new RateBudget({ requestsPerMinute: 1_000_000 }),
    pollInitialMs: 1,
    pollMaxMs: 5,
  });
  // Node + the AWS SDK loaded, before any event: what the exporter adds is the difference.
  const startRssMB = process.resourceUsage().maxRSS / 1024;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await exportDay(
    {
      store,
      source,
      chain: await ManifestChain.open(store),
      policy: { lockMode: 'COMPLIANCE', retentionDays: 1, settlementMinutes: 120, maxPartBytes: defaultSettings().archive.maxPartBytes },
      toolVersion: 'bench',
    },
    DAY,
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
  };
  process.stdout.write(JSON.stringify(figures) + '\n', () => process.exit(0)); // open S3 sockets must not keep it alive
}

/** Runs a role of this file in its own process, bundled as the app ships it (see bundleForNode). */
async function child(args: string[]): Promise<{ proc: ReturnType<typeof spawn>; firstLine: Promise<string> }> {
  const script = await bundleForNode(SELF, 'archive-bench');
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
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

/** `events` 0: only the calendar. */
async function orchestrate(events: number): Promise<void> {
  const rows: string[][] = [];
  const sim = events > 0 ? await child(['--simulator', String(events)]) : null;
  const root = await mkdtemp(join(tmpdir(), 'aa-bench-archive-'));
  let rgwHandle: { rgw: Rgw; stop: () => Promise<void> } | null = null;
  try {
    let local: ExportFigures | null = null;
    let s3: ExportFigures | null = null;
    const simInfo = sim ? (JSON.parse(await sim.firstLine) as SimInfo) : null;
    if (simInfo) {
      process.stderr.write(`Exporting ${events.toLocaleString('en')} events of ${DAY} into a local folder…\n`);
      local = await measureExport({ sim: simInfo, target: 'local', root });
      rows.push(exportRow('local folder', local));
    }
    process.stderr.write('Starting Ceph RGW…\n');
    rgwHandle = await startRgw();
    const { rgw } = rgwHandle;
    const admin = new S3Client({ endpoint: rgw.endpoint, forcePathStyle: true, region: rgw.region, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
    if (simInfo) {
      const bucket = `bench-${randomBytes(4).toString('hex')}`;
      await initBucket({ client: admin, bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
      process.stderr.write(`Exporting ${events.toLocaleString('en')} events of ${DAY} into RGW (Object Lock)…\n`);
      s3 = await measureExport({ sim: simInfo, target: 's3', rgw, bucket });
      rows.push(exportRow('Ceph RGW, COMPLIANCE', s3));
    }

    process.stderr.write('Writing 7 years of day listings (a manifest and a part per day) into RGW…\n');
    const status = await measureStatus(admin, rgw);
    console.log('');
    if (rows.length > 0) printTable(['export of one day', 'events', 'seconds', 'events/s', 'raw MB/s', 'stored MB', 'parts', 'CPU s', 'events/CPU-s', 'RSS at start MB', 'peak RSS MB'], rows);
    // On a shared machine wall time includes waiting for other processes; events per CPU-second is
    // what one core of the exporter sustains.
    console.log('');
    printTable(
      ['7 years of status', 'days', 'keys listed', 'S3 requests', 'listing s', 'calendar s', 'total s'],
      [['RGW listing + calendar', String(status.days), String(status.keys), String(status.requests), status.listingSeconds.toFixed(2), status.calendarSeconds.toFixed(3), status.seconds.toFixed(2)]],
    );
    console.log('');
    const checks: Array<readonly [string, boolean]> = [
      [`7 years of status < 2 s`, status.seconds < 2],
      [`7 years of status <= 10 S3 requests`, status.requests <= 10],
    ];
    if (local && s3) {
      checks.unshift(
        [`local export >= 30,000 events/s (wall clock)`, local.events / local.seconds >= 30_000],
        [`local export >= 30,000 events per CPU-second`, local.events / local.cpuSeconds >= 30_000],
        [`local export peak RSS < 200 MB`, local.peakRssMB < 200],
        [`RGW export peak RSS < 200 MB`, s3.peakRssMB < 200],
      );
    }
    for (const [what, ok] of checks) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}`);
  } finally {
    sim?.proc.stdin?.end();
    await rgwHandle?.stop();
    await rm(root, { recursive: true, force: true });
  }
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

/** A real RGW listing of 2,557 days (a manifest and a data part each), then the calendar over it. */
async function measureStatus(
  admin: S3Client,
  rgw: Rgw,
): Promise<{ days: number; keys: number; requests: number; seconds: number; listingSeconds: number; calendarSeconds: number }> {
  const bucket = `bench-status-${randomBytes(4).toString('hex')}`;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const to = lastSettledDay(Date.now(), 120);
  const days = [...eachDay(addDays(to, -2556), to)];
  // Tiny stand-ins: status reads only the listing, never the objects (verify reads those).
  const keys = days.flatMap((d, i) => [dataKey('bench', d, 1), manifestKey('bench', d, i + 1)]);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{}' }));
      }
    }),
  );
  const store = new S3ObjectLockStore({
    bucket,
    prefix: 'bench',
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  // What ArchiveSession.status does: one (concurrent) listing, then the pure calendar.
  const before = store.requestCount;
  const t0 = performance.now();
  const index = await readCalendarIndex(store);
  const t1 = performance.now();
  const statuses = computeDayStatuses({ index, from: days[0] as string, to, now: Date.now(), settlementMinutes: 120, genesysRetentionDays: 365 });
  const t2 = performance.now();
  const archived = statuses.filter((d) => d.state === 'archived').length;
  if (archived !== days.length) throw new Error(`expected ${days.length} archived days, the calendar shows ${archived}`);
  const seconds = (t2 - t0) / 1000;
  const listingSeconds = (t1 - t0) / 1000;
  const calendarSeconds = (t2 - t1) / 1000;
  return { days: statuses.length, keys: keys.length, requests: store.requestCount - before, seconds, listingSeconds, calendarSeconds };
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
