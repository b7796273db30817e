/**
 * The key rotation benchmark: what a rotated signing key costs the calendar. Seven years of days
 * (2019-2025) written as the exporter writes them, into one archive never rotated and one whose key
 * was rotated after its first day (so 2,556 manifests verify with the successor's key), then the
 * archive read as the calendar reads it (`Archive.read`, layout), by a new installation (cold: every
 * manifest read and checked once) and again (warm: the manifest cache knows which key signed each).
 *
 *   npm run bench -- keys              (or npx tsx bench/keys.ts; no flags)
 *
 * Target: warm, the rotated archive's CPU time within 1.2x of the one never rotated (CPU time, as
 * wall time on a shared machine follows its load; both are printed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachDay } from '../shared/day';
import { Archive } from '../main/engine/archive/archive';
import { rotateSigningKey } from '../main/engine/archive/key-change';
import { FileSigningKeyStore } from '../main/engine/archive/signing-keys';
import { LocalFolderStore } from '../main/engine/archive/stores/local-store';
import { writeSignedDays } from './lib/signed-days';

const RUNS = 5;
const days = [...eachDay('2019-01-01', '2025-12-31')];
const work = await mkdtemp(join(tmpdir(), 'aa-bench-keys-'));

function archiveAt(dir: string, stateDir: string): Archive {
  return new Archive({
    store: new LocalFolderStore({ root: join(dir, 'archive') }),
    stateDir,
    // Bench only: a throwaway key beside the archive (the CLI keeps real keys in the keychain or key file).
    keys: new FileSigningKeyStore(join(dir, 'bench-keys')),
    policy: { lockMode: 'COMPLIANCE', retentionDays: 2557 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'the key rotation benchmark' },
    toolVersion: 'bench',
  });
}

/** Writes the seven years (rotated after the first day, or not) and returns a reader of it. */
async function build(rotated: boolean): Promise<() => Promise<{ ms: number; cpuMs: number }>> {
  const dir = join(work, rotated ? 'rotated' : 'plain');
  const writer = join(dir, 'writer-state');
  await writeSignedDays(archiveAt(dir, writer), days.slice(0, 1));
  if (rotated) await rotateSigningKey(archiveAt(dir, writer), { reason: 'bench', toolVersion: 'bench' });
  await writeSignedDays(archiveAt(dir, writer), days.slice(1));
  const reader = join(dir, 'reader-state');
  return async () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const snapshot = await archiveAt(dir, reader).read({ scope: 'layout' });
    const used = process.cpuUsage(cpu);
    if (snapshot.assessment.chain.length !== days.length) throw new Error('the chain is not whole');
    return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  const readPlain = await build(false);
  const readRotated = await build(true);
  const cold = { plain: await readPlain(), rotated: await readRotated() };
  // Warm reads alternate, so the machine's load falls on both alike.
  const warm = {
    plain: [] as Array<{ ms: number; cpuMs: number }>,
    rotated: [] as Array<{ ms: number; cpuMs: number }>,
  };
  for (let i = 0; i < RUNS; i++) {
    warm.plain.push(await readPlain());
    warm.rotated.push(await readRotated());
  }
  const row = (name: string, r: { ms: number; cpuMs: number }) =>
    `${name.padEnd(56)}${r.ms.toFixed(0).padStart(7)} ms  (CPU ${r.cpuMs.toFixed(0)} ms)`;
  const med = (rs: Array<{ ms: number; cpuMs: number }>) => ({
    ms: median(rs.map((r) => r.ms)),
    cpuMs: median(rs.map((r) => r.cpuMs)),
  });
  console.log(`Seven years: ${days.length} days, one manifest each, in a local folder`);
  console.log(row('never rotated: read by a new installation (cold)', cold.plain));
  console.log(row(`never rotated: read again (warm, median of ${RUNS})`, med(warm.plain)));
  console.log(row('rotated after its first day: cold', cold.rotated));
  console.log(row(`rotated after its first day: warm (median of ${RUNS})`, med(warm.rotated)));
  console.log(
    `Load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${availableParallelism()} cores`,
  );
  const ratio = med(warm.rotated).cpuMs / med(warm.plain).cpuMs;
  console.log(
    `${ratio <= 1.2 ? 'PASS' : 'MISS'}  warm CPU time, the rotated archive within 1.2x of the one never rotated: ${ratio.toFixed(2)}x`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
