/**
 * Measures exportDay end to end: a day of N simulator events (no latency; the simulator runs in a
 * child process so this process's memory is the exporter's alone) into a local folder. Prints one
 * JSON line with events/s, the exporter's CPU seconds (zlib threads included), peak RSS and sampled
 * heap/external peaks, then one with the simulator's CPU seconds (Linux /proc).
 *
 *   npx tsx bench/export-local.ts [events=1000000] [maxPartBytes=67108864]
 *
 * tsx adds ~40 MB of RSS (its loader thread); for the engine's own figure bundle it first:
 *   npx esbuild bench/export-local.ts --bundle --platform=node --format=esm --outfile=/tmp/export-local.mjs \
 *     --banner:js="import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
 *   node /tmp/export-local.mjs 1000000
 *
 * A measuring aid for the exporter; the committed benchmark suite is bench/run.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportDay } from '../main/engine/archive/export-day';
import { ManifestChain } from '../main/engine/archive/manifest-chain';
import { LocalFolderStore } from '../main/engine/archive/stores/local-store';
import { ClientCredentialsAuth } from '../main/engine/genesys/auth';
import { GenesysAuditClient } from '../main/engine/genesys/client';
import { RateBudget } from '../main/engine/genesys/rate-budget';

const events = Number(process.argv[2] ?? 1_000_000);
const maxPartBytes = Number(process.argv[3] ?? 64 * 1024 * 1024);
const day = '2026-11-20';

if (process.argv[2] === '--simulator') {
  const { startGenesysSimulator } = await import('../main/engine/genesys/simulator/server');
  const sim = await startGenesysSimulator({ seed: 3, eventsPerDay: Number(process.argv[3]) });
  process.stdout.write(
    JSON.stringify({
      apiUrl: sim.apiUrl,
      loginUrl: sim.loginUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
    }) + '\n',
  );
} else {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--simulator', String(events)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ apiUrl: string; loginUrl: string; clientId: string; clientSecret: string }>(
    (resolve) => {
      let buf = '';
      child.stdout!.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('\n')) resolve(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
      });
    },
  );
  const root = await fs.mkdtemp(path.join(tmpdir(), 'aa-bench-'));
  try {
    const store = new LocalFolderStore({ root });
    const client = new GenesysAuditClient({
      apiUrl: info.apiUrl,
      loginUrl: info.loginUrl,
      auth: new ClientCredentialsAuth({
        loginUrl: info.loginUrl,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
      }),
      budget: new RateBudget({ requestsPerMinute: 1_000_000 }),
      pollInitialMs: 1,
      pollMaxMs: 5,
    });
    const peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], Math.round(m[k] / 1e6));
    }, 100);
    const rssBeforeMB = Math.round(process.memoryUsage().rss / 1e6);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await exportDay(
      {
        store,
        source: client,
        chain: await ManifestChain.open(store),
        policy: { lockMode: 'COMPLIANCE', retentionDays: 2557, settlementMinutes: 120, maxPartBytes },
        toolVersion: 'bench',
      },
      day,
    );
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const raw = result.manifest.objects.reduce((n, o) => n + o.rawSize, 0);
    console.log(
      JSON.stringify({
        events: result.events,
        seconds: +seconds.toFixed(2),
        eventsPerSecond: Math.round(result.events / seconds),
        exporterCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        parts: result.manifest.objects.length,
        rawMB: +(raw / 1e6).toFixed(1),
        storedMB: +(result.bytes / 1e6).toFixed(1),
        sampledPeakMB: peak,
        rssBeforeMB,
      }),
    );
  } finally {
    const stat = await fs.readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '');
    if (stat) {
      // utime + stime in clock ticks (100 per second on Linux): the simulator's share of the CPU.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      console.log(JSON.stringify({ simulatorCpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 }));
    }
    child.kill();
    await fs.rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}
