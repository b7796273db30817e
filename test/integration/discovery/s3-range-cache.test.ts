/**
 * The local engine over an S3 archive, against a real Ceph RADOS Gateway with Object Lock: the days
 * asked for are downloaded by version id into the cache, each object checked against the SHA-256
 * its manifest recorded, and queried there; a key an attacker wrote over still yields the vouched
 * version, and bytes that do not match their manifest are refused and never cached. The cache is
 * checked again at every use: a downloaded object rewritten there is found and downloaded again.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { compileQuery, type QueryText } from '../../../shared/discovery/compile-query';
import type { ResultRow } from '../../../shared/discovery/result-metadata';
import { SettingsSchema } from '../../../shared/settings';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import type { S3ObjectLockStore } from '../../../main/engine/archive/stores/s3-store';
import { fileCacheSealKey } from '../../../main/engine/archive/cache-seal';
import { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { listVouchedObjects } from '../../../main/engine/discovery/vouched-objects';
import { openArchiveSession, simulatorSource } from '../../../main/engine/archive/archive-session';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { openStore, rawClient, readAll, uniqueBucket } from '../stores/rgw-fixtures';

// Real time: the lock's retain-until must lie in the future for the gateway to accept it.
const NOW = Date.now();
const LAST = lastSettledDay(NOW, 120);
const DAYS: Day[] = [addDays(LAST, -1), LAST];
const RANGE = { from: DAYS[0] as Day, to: DAYS[1] as Day };
let sim: GenesysSimulator;
let store: S3ObjectLockStore;
let bucket: string;
let tmp: string;
/** The installation's state folder of the session that filled the archive. */
let state: string;
let events: Array<{ id: string; action: string }>;

beforeAll(async () => {
  bucket = uniqueBucket('discovery');
  await initBucket({ client: rawClient(), bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  store = openStore(bucket);
  sim = await startGenesysSimulator({ seed: 5, now: () => NOW, eventsPerDay: 150, runningPolls: 0 });
  state = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-s3-cache-state-'));
  const session = await openArchiveSession(
    SettingsSchema.parse({
      demo: true,
      archive: { lockMode: 'GOVERNANCE', retentionDays: 1, maxPartBytes: 64 * 1024 },
    }),
    {},
    { env: {}, stateDir: state, now: () => NOW, store, demoSource: simulatorSource(sim, () => NOW) },
  );
  for (const day of DAYS) await session.exportDay(day);
  // The independent reading: every vouched object, by version, gunzipped and parsed.
  events = [];
  for (const o of await listVouchedObjects(store, { from: DAYS[0] as Day, to: DAYS[1] as Day })) {
    const text = gunzipSync(await readAll(store.getObject(o.key, o.versionId))).toString('utf8');
    for (const line of text.split('\n')) if (line) events.push(JSON.parse(line));
  }
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-s3-cache-'));
});

afterAll(async () => {
  await sim?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  if (state) await fs.rm(state, { recursive: true, force: true });
});

async function rowsOf(engine: LocalQueryEngine, query: QueryText): Promise<ResultRow[]> {
  const execution = await engine.execute(compileQuery(query, 'local'));
  const rows: ResultRow[] = [];
  for await (const page of execution.pages) rows.push(...page);
  return rows;
}

const deletions = (): QueryText => ({
  kind: 'sql',
  sql: "SELECT id FROM audit_events WHERE strpos(lower(action), 'delete') > 0 ORDER BY id",
  parameters: [],
  range: RANGE,
});
const expectedDeletions = () =>
  events
    .filter((e) => e.action.toLowerCase().includes('delete'))
    .map((e) => [e.id])
    .sort();

describe('an S3 range cached locally', () => {
  it('is downloaded by version, checked against its manifests, queried from the cache, and not downloaded again', async () => {
    const cache = path.join(tmp, 'first');
    const engine = new LocalQueryEngine({ store, cacheFolder: cache });
    const before = store.requestCount;
    expect(await rowsOf(engine, deletions())).toEqual(expectedDeletions());
    const firstRun = store.requestCount - before;

    const objects = await listVouchedObjects(store, RANGE);
    const cached = (await fs.readdir(path.join(cache, 'objects'), { recursive: true })).filter((f) =>
      String(f).endsWith('.jsonl.gz'),
    );
    expect(cached).toHaveLength(objects.length);
    for (const o of objects) {
      const bytes = await fs.readFile(path.join(cache, 'objects', ...o.day.split('-'), `${o.sha256}.jsonl.gz`));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(o.sha256);
    }

    const again = store.requestCount;
    expect(await rowsOf(engine, deletions())).toEqual(expectedDeletions());
    // The second query only lists the archive and reads its root: no data object is fetched
    // again, and the manifests, read once, come from the engine's manifest cache. The requests: the
    // version listings of the root, `manifests/`, `key-succession/` and `holds/` (an answer names
    // the matters holding its days), the data parts of each month of the range (one listing per
    // month for a range of up to three: archive-listing.ts), and the root's GET. The key-succession
    // listing is a check, not a repeat: a rotation or a lost-key restart recorded since the first
    // query changes which key must have signed each manifest (manifest-catalog.ts checks every one
    // against the key in effect at its sequence), and verify names every restart on every run.
    const months = new Set(DAYS.map((d) => d.slice(0, 7))).size;
    expect(store.requestCount - again).toBeLessThanOrEqual(firstRun - objects.length);
    expect(store.requestCount - again).toBe(5 + months);
    await engine.close();
  });

  it('reads the version the manifest names even after someone wrote a new version over the key', async () => {
    const [target] = await listVouchedObjects(store, { from: DAYS[0] as Day, to: DAYS[0] as Day });
    if (!target) throw new Error('no archived object');
    const forged = gzipSync(Buffer.from(`{"id":"forged","eventDate":"${DAYS[0]}T00:00:00Z","action":"Delete"}\n`));
    await rawClient().send(new PutObjectCommand({ Bucket: bucket, Key: target.key, Body: forged }));
    const engine = new LocalQueryEngine({ store, cacheFolder: path.join(tmp, 'after-overwrite') });
    const rows = await rowsOf(engine, deletions());
    expect(rows).toEqual(expectedDeletions());
    expect(rows.flat()).not.toContain('forged');
    await engine.close();
  });

  it('refuses an object whose bytes do not match the SHA-256 its manifest recorded, and caches nothing of it', async () => {
    const cache = path.join(tmp, 'mismatch');
    const engine = new LocalQueryEngine({ store, cacheFolder: cache });
    const [o] = await listVouchedObjects(store, { from: DAYS[1] as Day, to: DAYS[1] as Day });
    if (!o) throw new Error('no archived object');
    const claimed = { ...o, sha256: createHash('sha256').update('something else').digest('hex') };
    await expect(engine.cache.gzipFiles([claimed])).rejects.toMatchObject({
      code: 'ARCHIVE_INTEGRITY',
      message: expect.stringContaining(`${o.key} (version ${o.versionId}) of ${DAYS[1]} does not match its manifest`),
    });
    const left = (await fs.readdir(cache, { recursive: true })).filter((f) => /\.(gz|parquet)$/.test(String(f)));
    expect(left).toEqual([]);
    await engine.close();
  });

  it('a downloaded object rewritten in the cache is found at its next use and downloaded again: the forged bytes never reach an answer', async () => {
    const cache = path.join(tmp, 'rewritten-download');
    const cacheSealKey = fileCacheSealKey(path.join(tmp, 'keys', 'cache-seal.key'));
    const first = new LocalQueryEngine({ store, cacheFolder: cache, cacheSealKey });
    expect(await rowsOf(first, deletions())).toEqual(expectedDeletions());
    await first.close();

    // Whoever holds the cache folder rewrites one download (same events, every action now a deletion)
    // and removes the months built from it, so the next query builds them from the downloads again.
    const [o] = await listVouchedObjects(store, { from: DAYS[0] as Day, to: DAYS[0] as Day });
    if (!o) throw new Error('no archived object');
    const file = path.join(cache, 'objects', ...o.day.split('-'), `${o.sha256}.jsonl.gz`);
    const forged = gunzipSync(await fs.readFile(file))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.stringify({ ...JSON.parse(line), action: 'Delete' }));
    await fs.writeFile(file, gzipSync(`${forged.join('\n')}\n`));
    for (const entry of await fs.readdir(cache)) {
      if (entry.startsWith('columnar-')) await fs.rm(path.join(cache, entry), { recursive: true });
    }

    const second = new LocalQueryEngine({ store, cacheFolder: cache, cacheSealKey });
    const rows: ResultRow[] = [];
    const metadata = await runDiscoveryQuery({
      engine: second,
      query: deletions(),
      archive: store.url,
      onPage: (page) => void rows.push(...page),
    });
    await second.close();
    expect(rows).toEqual(expectedDeletions());
    expect(metadata.warnings).toEqual([
      expect.stringContaining(`the downloaded copy of ${o.key} (${o.day}), no longer matches its manifest`),
    ]);
    expect(
      createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex'),
    ).toBe(o.sha256);
  });
});
