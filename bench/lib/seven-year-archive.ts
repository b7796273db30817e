/**
 * The discovery benchmark's archive: seven years (2019-01-01 to 2025-12-31, 2,557 UTC days) of a
 * synthetic organisation, about 10,000,000 events, made ONCE by the real exporter (`exportDay`, real
 * parts and signed-off manifests in a local folder) from the Genesys simulator over HTTP, and cached
 * for every later run (`AUDIT_ARCHIVE_BENCH_CACHE`, default ~/.cache/audit-archive-bench).
 *
 * The simulator runs in its own process so it and the exporter each get one of the two cores.
 *
 *   npx tsx bench/lib/seven-year-archive.ts            make (or reuse) the archive and print its card
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachDay, type Day } from '../../shared/day';
import { Archive } from '../../main/engine/archive/archive';
import { exportDay } from '../../main/engine/archive/export-day';
import { FileSigningKeyStore } from '../../main/engine/archive/signing-keys';
import { LocalFolderStore } from '../../main/engine/archive/stores/local-store';
import { type SimInfo, benchAuditClient, serveSimulator, simulatorInfo } from './bench-simulator';

export const SEVEN_YEARS = { from: '2019-01-01', to: '2025-12-31', seed: 11, dayVolumeBase: 4780 } as const;
// 2: manifests are signed (issue 7): an archive made by version 1 is made again.
const VERSION = 2;

export interface BenchArchiveCard {
  /** The folder that holds the archive (a LocalFolderStore root, prefix ''). */
  readonly root: string;
  readonly from: Day;
  readonly to: Day;
  readonly days: number;
  readonly events: number;
  readonly storedBytes: number;
  readonly parts: number;
  /** How it was made, in one sentence. */
  readonly made: string;
  readonly createdAt: string;
  readonly generationSeconds: number;
  /** True when this run found it in the cache. */
  readonly reused: boolean;
}

export function benchCacheDir(): string {
  return process.env.AUDIT_ARCHIVE_BENCH_CACHE ?? join(homedir(), '.cache', 'audit-archive-bench');
}

/** Makes the archive unless a complete one is cached; `log` gets progress lines. */
export async function ensureSevenYearArchive(log: (line: string) => void): Promise<BenchArchiveCard> {
  const dir = join(
    benchCacheDir(),
    `discovery-7y-seed${SEVEN_YEARS.seed}-base${SEVEN_YEARS.dayVolumeBase}-v${VERSION}`,
  );
  const cardFile = join(dir, 'bench-archive.json');
  if (existsSync(cardFile)) {
    return { ...(JSON.parse(await readFile(cardFile, 'utf8')) as BenchArchiveCard), reused: true };
  }
  // An incomplete earlier attempt is thrown away: the card is written only after the last day.
  await rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(async () => {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  });
  const root = join(dir, 'archive');
  await mkdir(root, { recursive: true });

  const sim = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--simulator'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await simulatorInfo(sim);
  try {
    const totals = await exportSevenYears({ root, stateDir: join(dir, 'state'), info, log });
    const card: BenchArchiveCard = {
      root,
      from: SEVEN_YEARS.from,
      to: SEVEN_YEARS.to,
      days: totals.days,
      events: totals.events,
      storedBytes: totals.storedBytes,
      parts: totals.parts,
      made: `the Genesys simulator (seed ${SEVEN_YEARS.seed}, weekday/weekend volume around ${SEVEN_YEARS.dayVolumeBase} a weekday) over HTTP, archived day by day by the real exportDay into a local folder with manifests`,
      createdAt: new Date().toISOString(),
      generationSeconds: totals.generationSeconds,
      reused: false,
    };
    await writeFile(cardFile, JSON.stringify(card, null, 2) + '\n');
    return card;
  } finally {
    sim.stdin.end();
  }
}

/** Every day of the seven years exported from the simulator by the real exportDay into `root`. */
async function exportSevenYears(job: {
  root: string;
  stateDir: string;
  info: SimInfo;
  log: (line: string) => void;
}): Promise<{ days: number; events: number; storedBytes: number; parts: number; generationSeconds: number }> {
  const source = benchAuditClient(job.info);
  const archive = new Archive({
    store: new LocalFolderStore({ root: job.root }),
    stateDir: job.stateDir,
    keys: new FileSigningKeyStore(job.stateDir),
    policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'the discovery benchmark' },
    toolVersion: 'bench',
  });
  const identity = await source.identify();
  const policy = { settlementMinutes: 120, maxPartBytes: 16 * 1024 * 1024, genesysRetentionDays: 36_500 };
  const days = [...eachDay(SEVEN_YEARS.from, SEVEN_YEARS.to)];
  const t0 = performance.now();
  const totals = { days: days.length, events: 0, storedBytes: 0, parts: 0 };
  let next = 0;
  let done = 0;
  // Two days at a time under one writer: the writer serialises the appends, the parts overlap.
  await archive.withWriter(
    {
      purpose: 'production',
      organisation: { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost },
    },
    (writer) =>
      Promise.all(
        [0, 1].map(async () => {
          while (next < days.length) {
            const day = days[next++] as Day;
            const sourceRecord = { demo: false, ...identity, perServiceQueries: false };
            const r = await exportDay({ writer, source, sourceRecord, policy, toolVersion: 'bench' }, day);
            totals.events += r.events;
            totals.storedBytes += r.bytes;
            totals.parts += r.manifest.objects.length;
            if (++done % 100 === 0 || done === days.length) {
              const s = (performance.now() - t0) / 1000;
              job.log(
                `  ${done}/${days.length} days, ${totals.events.toLocaleString('en')} events, ${Math.round(totals.events / s).toLocaleString('en')} events/s`,
              );
            }
          }
        }),
      ),
  );
  return { ...totals, generationSeconds: (performance.now() - t0) / 1000 };
}

async function makeWritable(dir: string): Promise<void> {
  const { readdir, chmod } = await import('node:fs/promises');
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) await chmod(join(e.parentPath, e.name), 0o644).catch(() => undefined);
  }
}

/** Child: the simulator, until its parent closes stdin. */
async function runSimulator(): Promise<void> {
  const { realisticDayVolume } = await import('../../main/engine/genesys/simulator/organisation');
  await serveSimulator({
    seed: SEVEN_YEARS.seed,
    eventsPerDay: realisticDayVolume(SEVEN_YEARS.seed, SEVEN_YEARS.dayVolumeBase),
    runningPolls: 0,
    retentionDays: 100_000,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--simulator') await runSimulator();
  else {
    const card = await ensureSevenYearArchive((l) => process.stderr.write(l + '\n'));
    process.stdout.write(JSON.stringify(card, null, 2) + '\n');
  }
}
