/**
 * The second locked copy's figures for the archive benchmark (bench/archive.ts, `--only copy`), on a
 * real Ceph RGW with Object Lock:
 *
 * - per day, with a part of 4,780 events of about 1 kB of JSON: the wall and CPU time of writing the
 *   day to the primary (its part and its signed manifest, each lock read back) beside the wall and
 *   CPU time of writing that day to the copy as write mode does (each object read from the primary
 *   at its version and hashed, written with the primary's lock, read back);
 * - over a seven-year archive (written by bench/archive.ts), catch-up's copy pass (every object
 *   written to an empty copy) and then `verify --copy`, each in a process of its own
 *   (`runCopyPass`) so its peak RSS is its own.
 *
 * Buckets use GOVERNANCE with one day of retention (so the bench's buckets can be emptied).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dataKey } from '../../shared/archive-layout';
import { addDays, eachDay, type Day } from '../../shared/day';
import { Archive, type ArchiveWriter } from '../../main/engine/archive/archive';
import { copyObject, manifestObjects } from '../../main/engine/archive/copy/copy-objects';
import type { CopyTarget } from '../../main/engine/archive/copy/copy-target';
import { repairCopy, verifyCopy } from '../../main/engine/archive/copy/verify-copy';
import { FileSigningKeyStore } from '../../main/engine/archive/signing-keys';
import { sha256Hex } from '../../main/engine/archive/signing';
import { confirmLock } from '../../main/engine/archive/stores/confirm-lock';
import { initBucket } from '../../main/engine/archive/stores/bucket-init';
import { S3ObjectLockStore } from '../../main/engine/archive/stores/s3-store';
import { BENCH_ORGANISATION as ORGANISATION, benchDayManifest } from './signed-days';

export interface BenchRgw {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

export interface WallCpu {
  /** Seconds. */
  wall: number;
  cpu: number;
}

export interface CopyPerDayFigures {
  readonly days: number;
  /** The part's gzip size, kB (mean). */
  readonly partKB: number;
  /** Per day, seconds. */
  readonly primary: WallCpu;
  readonly copy: WallCpu;
}

/** One pass of the copy over a seven-year archive, measured in its own process. */
export interface CopyPassFigures {
  readonly mode: 'repair' | 'verify';
  readonly ok: boolean;
  readonly objects: number;
  readonly repaired: number;
  readonly problems: number;
  readonly firstProblem: string | null;
  readonly requests: number;
  readonly wall: number;
  readonly cpu: number;
  readonly peakRssMB: number;
  readonly startRssMB: number;
}

export interface CopyPassJob {
  readonly mode: 'repair' | 'verify';
  readonly rgw: BenchRgw;
  readonly primaryBucket: string;
  readonly copyBucket: string;
  readonly prefix: string;
}

export function benchStore(rgw: BenchRgw, bucket: string, prefix: string): S3ObjectLockStore {
  return new S3ObjectLockStore({
    bucket,
    prefix,
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
}

/** A new GOVERNANCE bucket (one day of retention) named `bench-<label>-<random>`. */
export async function newBenchBucket(rgw: BenchRgw, label: string): Promise<string> {
  const bucket = `bench-${label}-${randomBytes(3).toString('hex')}`;
  const connection = { endpoint: rgw.endpoint, forcePathStyle: true, region: rgw.region };
  const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  await initBucket({ connection: { ...connection, credentials }, bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  return bucket;
}

/** The bench's archive over `bucket`, its state (manifest cache, key) in `stateDir`. */
export function benchArchive(rgw: BenchRgw, bucket: string, prefix: string, stateDir: string): Archive {
  return new Archive({
    store: benchStore(rgw, bucket, prefix),
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
    lease: { ttlMs: 600_000, waitMs: 0, program: 'the copy benchmark' },
    toolVersion: 'bench',
  });
}

export function benchCopyTarget(rgw: BenchRgw, bucket: string, prefix: string): CopyTarget {
  return { store: benchStore(rgw, bucket, prefix), mode: 'write', copyKey: (k) => k };
}

/** CPU (user + system) and wall seconds of `fn`. */
export async function measure(fn: () => Promise<void>): Promise<WallCpu> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** 4,780 events of about 1 kB of JSON (ids varied, text repeated as real changes repeat it). */
function realisticPart(day: Day): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 4780; i++)
    lines.push(
      JSON.stringify({
        id: `${randomBytes(16).toString('hex')}`,
        eventDate: `${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
        user: { id: randomBytes(16).toString('hex'), name: `User ${i % 300}` },
        serviceName: 'Architect',
        action: 'Update',
        propertyChanges: [
          {
            property: 'name',
            oldValues: [`Queue ${i % 97} (${randomBytes(6).toString('hex')})`],
            newValues: [`Queue ${(i + 1) % 97} (${randomBytes(6).toString('hex')})`],
          },
        ],
        context: { note: 'Changed by the routing administrator through the admin UI. '.repeat(8) },
      }),
    );
  return gzipSync(lines.join('\n') + '\n');
}

async function writeDay(archive: Archive, writer: ArchiveWriter, day: Day, body: Buffer): Promise<void> {
  const store = archive.store;
  const lock = archive.lockFor(Date.now());
  const key = dataKey(store.prefix, day, 1);
  const hash = sha256Hex(body);
  const put = await store.putObject({ key, body, sha256: hash, contentType: 'application/gzip', lock });
  await confirmLock(store, put, { lock, size: body.length });
  const object = { key, versionId: put.versionId, sha256Raw: hash, sha256: hash, size: body.length };
  await writer.append(
    benchDayManifest(day, {
      ...object,
      rawSize: body.length,
      events: 4780,
      lockMode: lock.mode,
      retainUntil: lock.retainUntil,
    }),
    lock,
  );
}

/** `days` realistic days written to a new primary, each then written to a new copy as write mode does. */
export async function measureCopyPerDay(rgw: BenchRgw, days: number): Promise<CopyPerDayFigures> {
  const prefix = 'bench/copy';
  const state = await mkdtemp(join(tmpdir(), 'bench-copy-'));
  const archive = benchArchive(rgw, await newBenchBucket(rgw, 'day-p'), prefix, state);
  const copy = benchCopyTarget(rgw, await newBenchBucket(rgw, 'day-c'), prefix);
  const primary: WallCpu = { wall: 0, cpu: 0 };
  const copied: WallCpu = { wall: 0, cpu: 0 };
  let bytes = 0;
  try {
    await archive.withWriter({ purpose: 'production', organisation: ORGANISATION }, async (writer) => {
      for (const day of eachDay('2024-01-01', addDays('2024-01-01', days - 1))) {
        const body = realisticPart(day);
        bytes += body.length;
        const p = await measure(() => writeDay(archive, writer, day, body));
        const objects = manifestObjects(writer.dayManifests(day).at(-1)!);
        const c = await measure(async () => {
          for (const o of objects) await copyObject(archive.store, copy, o);
        });
        primary.wall += p.wall;
        primary.cpu += p.cpu;
        copied.wall += c.wall;
        copied.cpu += c.cpu;
      }
    });
  } finally {
    await rm(state, { recursive: true, force: true });
  }
  const perDay = (f: WallCpu): WallCpu => ({ wall: f.wall / days, cpu: f.cpu / days });
  return { days, partKB: bytes / days / 1024, primary: perDay(primary), copy: perDay(copied) };
}

/** Child: catch-up's copy pass (`repair`) or `verify --copy` over the whole archive, measured from inside. */
export async function runCopyPass(job: CopyPassJob): Promise<CopyPassFigures> {
  const state = await mkdtemp(join(tmpdir(), 'bench-copy-pass-'));
  const archive = benchArchive(job.rgw, job.primaryBucket, job.prefix, state);
  const copy = benchCopyTarget(job.rgw, job.copyBucket, job.prefix);
  const startRssMB = process.resourceUsage().maxRSS / 1024;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await (job.mode === 'repair' ? repairCopy : verifyCopy)({ archive, copy });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await rm(state, { recursive: true, force: true });
  return {
    mode: job.mode,
    ok: r.ok,
    objects: r.objectsChecked,
    repaired: r.repaired,
    problems: r.problems.length,
    firstProblem: r.problems[0]?.detail ?? null,
    requests: archive.store.requestCount + copy.store.requestCount,
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    startRssMB,
  };
}
