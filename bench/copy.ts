/**
 * The second locked copy's benchmark (issue 18), on a real Ceph RGW with Object Lock:
 *
 * 1. per day, with a part of 4,780 events of about 1 kB of JSON (its gzip size is printed): the wall and CPU time
 *    of writing the day to the primary (its part and its signed manifest, each lock read back)
 *    beside the wall and CPU time of writing that day to the copy as write mode does (each object
 *    read from the primary at its version and hashed, written with the primary's lock, read back);
 * 2. `verify --copy` over seven years of synthetic days (2,557 days of one small part each: the cost
 *    per object), after catch-up's copy pass filled the copy; its requests and peak RSS.
 *
 *   npx tsx bench/copy.ts [days=2557] [realistic-days=20]
 *
 * Ceph is started here unless AUDIT_ARCHIVE_TEST_RGW points at a running one
 * (`npx tsx test/servers/rgw-cli.ts`). Buckets use GOVERNANCE with one day of retention.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dataKey } from '../shared/archive-layout';
import { addDays, eachDay, type Day } from '../shared/day';
import { Archive, type ArchiveWriter } from '../main/engine/archive/archive';
import { copyObject, manifestObjects } from '../main/engine/archive/copy/copy-objects';
import type { CopyTarget } from '../main/engine/archive/copy/copy-target';
import { repairCopy, verifyCopy } from '../main/engine/archive/copy/verify-copy';
import { FileSigningKeyStore } from '../main/engine/archive/signing-keys';
import { sha256Hex } from '../main/engine/archive/signing';
import { confirmLock } from '../main/engine/archive/stores/confirm-lock';
import { initBucket } from '../main/engine/archive/stores/bucket-init';
import { S3ObjectLockStore } from '../main/engine/archive/stores/s3-store';
import { BENCH_ORGANISATION as ORGANISATION, benchDayManifest, writeSignedDays } from './lib/signed-days';

const PREFIX = 'bench/copy';

interface Rgw {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

async function connect(): Promise<{ rgw: Rgw; stop: () => Promise<void> }> {
  const reuse = process.env.AUDIT_ARCHIVE_TEST_RGW;
  if (reuse) {
    const { parseRgwUrl } = await import('../test/servers/global-setup');
    return { rgw: parseRgwUrl(reuse), stop: async () => undefined };
  }
  const { startCephRgw } = await import('../test/servers/ceph-rgw');
  const running = await startCephRgw();
  return { rgw: running, stop: () => running.stop() };
}

async function pair(rgw: Rgw, label: string): Promise<{ archive: Archive; copy: CopyTarget; state: string }> {
  const connection = { endpoint: rgw.endpoint, forcePathStyle: true, region: rgw.region };
  const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  const [primary, copy] = [
    `bench-${label}-p-${randomBytes(3).toString('hex')}`,
    `bench-${label}-c-${randomBytes(3).toString('hex')}`,
  ];
  for (const bucket of [primary, copy])
    await initBucket({ connection: { ...connection, credentials }, bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  const store = (bucket: string) => new S3ObjectLockStore({ bucket, prefix: PREFIX, ...connection, credentials });
  const state = await mkdtemp(join(tmpdir(), 'bench-copy-'));
  const archive = new Archive({
    store: store(primary),
    stateDir: state,
    keys: new FileSigningKeyStore(state),
    policy: { lockMode: 'GOVERNANCE', retentionDays: 1 },
    lease: { ttlMs: 600_000, waitMs: 0, program: 'bench/copy.ts' },
    toolVersion: 'bench',
  });
  return { archive, copy: { store: store(copy), mode: 'write', copyKey: (k) => k }, state };
}

/** CPU (user + system) and wall seconds of `fn`. */
async function measure(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
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
  const put = await store.putObject({ key, body, sha256: sha256Hex(body), contentType: 'application/gzip', lock });
  await confirmLock(store, put, { lock, size: body.length });
  const hash = sha256Hex(body);
  const object = {
    key,
    versionId: put.versionId,
    sha256Raw: hash,
    sha256: hash,
    size: body.length,
    rawSize: body.length,
  };
  await writer.append(
    benchDayManifest(day, { ...object, events: 4780, lockMode: lock.mode, retainUntil: lock.retainUntil }),
    lock,
  );
}

async function perDay(rgw: Rgw, days: number): Promise<void> {
  const { archive, copy, state } = await pair(rgw, 'day');
  const list = [...eachDay('2024-01-01', addDays('2024-01-01', days - 1))];
  const primary = { wall: 0, cpu: 0 };
  const copied = { wall: 0, cpu: 0 };
  let bytes = 0;
  await archive.withWriter({ purpose: 'production', organisation: ORGANISATION }, async (writer) => {
    for (const day of list) {
      const body = realisticPart(day);
      bytes += body.length;
      const p = await measure(() => writeDay(archive, writer, day, body));
      const landed = writer.dayManifests(day).at(-1)!;
      const objects = manifestObjects(landed);
      const c = await measure(async () => {
        for (const o of objects) await copyObject(archive.store, copy, o);
      });
      primary.wall += p.wall;
      primary.cpu += p.cpu;
      copied.wall += c.wall;
      copied.cpu += c.cpu;
    }
  });
  const f = (n: number) => ((n / days) * 1000).toFixed(0);
  console.log(`per day (${days} days, part ${(bytes / days / 1024).toFixed(0)} kB of gzip + manifest):`);
  console.log(
    `  primary write (part, manifest, locks read back): ${f(primary.wall)} ms wall, ${f(primary.cpu)} ms CPU`,
  );
  console.log(
    `  copy write (read + SHA-256 from primary, write, lock read back): ${f(copied.wall)} ms wall, ${f(copied.cpu)} ms CPU (${((copied.wall / primary.wall) * 100).toFixed(0)}% of the primary's wall)`,
  );
  await rm(state, { recursive: true, force: true });
}

async function sevenYears(rgw: Rgw, days: number): Promise<void> {
  const { archive, copy, state } = await pair(rgw, '7y');
  const list = [...eachDay('2019-01-01', addDays('2019-01-01', days - 1))];
  const made = await measure(() => writeSignedDays(archive, list));
  console.log(`${days} synthetic days written to the primary in ${made.wall.toFixed(1)} s`);
  const before = copy.store.requestCount + archive.store.requestCount;
  const filled = await measure(async () => {
    const r = await repairCopy({ archive, copy });
    console.log(`catch-up's copy pass: ${r.repaired} objects written to the copy`);
  });
  console.log(`  in ${filled.wall.toFixed(1)} s wall, ${filled.cpu.toFixed(1)} s CPU`);
  const mid = copy.store.requestCount + archive.store.requestCount;
  let checked = 0;
  const verified = await measure(async () => {
    const r = await verifyCopy({ archive, copy });
    checked = r.objectsChecked;
    if (!r.ok) throw new Error(`verify --copy found ${r.problems.length} problems: ${r.problems[0]?.detail}`);
  });
  const requests = copy.store.requestCount + archive.store.requestCount - mid;
  console.log(
    `verify --copy over ${days} days (${checked} objects, bytes hashed, locks read): ${verified.wall.toFixed(1)} s wall, ${verified.cpu.toFixed(1)} s CPU, ${requests} requests (${(requests / checked).toFixed(1)} per object); fill took ${mid - before} requests; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  await rm(state, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const days = Number(process.argv[2] ?? 2557);
  const realistic = Number(process.argv[3] ?? 20);
  const { rgw, stop } = await connect();
  try {
    await perDay(rgw, realistic);
    await sevenYears(rgw, days);
  } finally {
    await stop();
  }
}

await main();
