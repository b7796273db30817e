/**
 * Derived data is never evidence: what discovery, status and the calendar keep in the state and
 * cache folders is checked at every use, against something whoever holds those folders cannot
 * forge (the archive's signature, a seal keyed by a secret kept elsewhere). Each attack here is
 * made with nothing but the folders, as someone holding them would make it, and the answer must
 * never be the forged one: the forged file is found, said, and rebuilt from the archive.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryText } from '../../../shared/discovery/compile-query';
import type { ResultMetadata, ResultRow } from '../../../shared/discovery/result-metadata';
import { Archive } from '../../../main/engine/archive/archive';
import { fileCacheSealKey, type CacheSealKey } from '../../../main/engine/archive/cache-seal';
import { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { demoArchive, type ArchivedEvent, type DemoArchive } from './discovery-fixture';

const DAYS = ['2026-03-02', '2026-03-03'];
const RANGE = { from: '2026-03-02', to: '2026-03-03' };
let demo: DemoArchive;
let tmp: string;
let sealKey: CacheSealKey;

beforeAll(async () => {
  demo = await demoArchive({ days: DAYS, eventsPerDay: 60 });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-derived-'));
  // The secret lives apart from the cache folder, as the app's keychain or the CLI's key file.
  sealKey = fileCacheSealKey(path.join(tmp, 'keys', 'cache-seal.key'));
});
afterAll(async () => {
  await demo?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const everyEvent: QueryText = {
  kind: 'sql',
  sql: 'SELECT id, "user"."name" AS user_name, action FROM audit_events ORDER BY id',
  parameters: [],
  range: RANGE,
};

function truth(): ResultRow[] {
  return [...demo.events]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((e: ArchivedEvent & { action?: string }) => [e.id, e.user.name ?? null, e.action ?? null]);
}

/** One query in a fresh engine (a new process's view of the same cache folder). */
async function query(cacheFolder: string, key: CacheSealKey | null = sealKey) {
  const engine = new LocalQueryEngine({ store: demo.fixture.store, cacheFolder, threads: 2, cacheSealKey: key });
  const rows: ResultRow[] = [];
  try {
    const metadata: ResultMetadata = await runDiscoveryQuery({
      engine,
      query: everyEvent,
      archive: demo.fixture.store.url,
      onPage: (page) => void rows.push(...page),
    });
    return { rows, metadata };
  } finally {
    await engine.close();
  }
}

async function monthFiles(cacheFolder: string): Promise<string[]> {
  const all = await fs.readdir(cacheFolder, { recursive: true });
  return all
    .map(String)
    .filter((f) => f.endsWith('.parquet') && !f.startsWith('staging'))
    .map((f) => path.join(cacheFolder, f));
}

/** Rewrites a month's Parquet file in place: one event dropped, every user renamed. */
async function forgeMonth(file: string, dropId: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const forged = `${file}.forged`;
  try {
    await c.run(
      `COPY (SELECT * REPLACE (struct_update("user", name := 'Mallory Forger') AS "user") FROM read_parquet('${file}') WHERE id <> '${dropId}') TO '${forged}' (FORMAT parquet)`,
    );
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  await fs.rename(forged, file);
}

describe('the columnar cache, attacked by whoever holds the cache folder', () => {
  it('a month rewritten in place (an event dropped, names changed) is found at the next query and rebuilt; the forged rows are never answered', async () => {
    const cache = path.join(tmp, 'rewritten');
    const first = await query(cache);
    expect(first.rows).toEqual(truth());
    const [file] = await monthFiles(cache);
    if (!file) throw new Error('no month was cached');
    const victim = truth()[3]?.[0] as string;
    await forgeMonth(file, victim);

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.rows.flat()).not.toContain('Mallory Forger');
    expect(second.metadata.engine).toMatchObject({ kind: 'local', reads: 'verified-parquet-cache' });
    expect(second.metadata.warnings).toEqual([
      expect.stringMatching(/was changed after it was built.*rebuilt from the archive/),
    ]);
    expect(second.metadata.warnings?.[0]).toContain(path.basename(file));
  });

  it('a named pipe put in place of a sealed month is never read: the query ends, says so, and answers from the rebuilt month', async () => {
    const cache = path.join(tmp, 'fifo');
    await query(cache);
    const cached = await monthFiles(cache);
    const [file] = cached;
    if (!file) throw new Error('no month was cached');
    await fs.rm(file);
    execFileSync('mkfifo', [file]);

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.warnings).toEqual([
      expect.stringMatching(
        /is not a regular file \(a named pipe.*it was not read, and the month was rebuilt from the archive/,
      ),
    ]);
    expect(second.metadata.warnings?.[0]).toContain(path.basename(file));
    // The pipe is gone: the rebuilt month took its name (the same bytes) or was written beside it,
    // and the name its old seal gave removed.
    const left = await fs.lstat(file).catch(() => null);
    expect(left === null || left.isFile()).toBe(true);
    const months = await monthFiles(cache);
    expect(months).toHaveLength(cached.length);
    for (const month of months) expect((await fs.lstat(month)).isFile()).toBe(true);
  });

  it("a named pipe put in place of a month's seal is never read: the query ends, says so, and answers from the rebuilt month", async () => {
    const cache = path.join(tmp, 'fifo-seal');
    await query(cache);
    const [file] = await monthFiles(cache);
    if (!file) throw new Error('no month was cached');
    const sealFile = path.join(
      path.dirname(file),
      (await fs.readdir(path.dirname(file))).find((f) => f.endsWith('.seal.json')) as string,
    );
    await fs.rm(sealFile);
    execFileSync('mkfifo', [sealFile]);

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.warnings).toEqual([
      `${sealFile} is not a seal this installation wrote; the month was rebuilt from the archive.`,
    ]);
    expect((await fs.lstat(sealFile)).isFile()).toBe(true);
  });

  it('a named pipe put in place of the cached manifests is never opened: the query reads them from the archive and says so', async () => {
    const cache = path.join(tmp, 'fifo-manifests');
    await query(cache);
    const stateDir = path.join(cache, 'archive-state');
    const [name] = (await fs.readdir(stateDir)).filter((f) => f.startsWith('manifests-'));
    if (!name) throw new Error('no manifest cache was written');
    const file = path.join(stateDir, name);
    await fs.rm(file);
    execFileSync('mkfifo', [file]);

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.warnings).toContain(
      `The manifest cache ${file} is a named pipe (FIFO), not a file; manifests are read from the archive instead.`,
    );
  });

  it('a rewritten month whose seal was edited to its new SHA-256 and size is still refused: the seal cannot be remade without the key', async () => {
    const cache = path.join(tmp, 'reseal');
    await query(cache);
    const [file] = await monthFiles(cache);
    if (!file) throw new Error('no month was cached');
    await forgeMonth(file, truth()[0]?.[0] as string);
    const sealFile = (await fs.readdir(path.dirname(file))).find((f) => f.endsWith('.seal.json')) as string;
    const seal = JSON.parse(await fs.readFile(path.join(path.dirname(file), sealFile), 'utf8'));
    const { createHash } = await import('node:crypto');
    const bytes = await fs.readFile(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The forged file under the name its new hash gives, and a seal naming it.
    await fs.rename(file, path.join(path.dirname(file), `${seal.monthKey}-${sha256}.parquet`));
    await fs.writeFile(
      path.join(path.dirname(file), sealFile),
      JSON.stringify({ ...seal, sha256, size: bytes.length }),
    );

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.warnings?.join('\n')).toMatch(/seal that does not match it/);
  });

  it('without a kept seal key, nothing an earlier process cached is used: a forged month is rebuilt', async () => {
    const cache = path.join(tmp, 'no-key');
    await query(cache, null);
    const [file] = await monthFiles(cache);
    if (!file) throw new Error('no month was cached');
    await forgeMonth(file, truth()[1]?.[0] as string);
    expect((await query(cache, null)).rows).toEqual(truth());
  });

  it("a named pipe (mode 0600) in the seal key file's place is never opened: the query ends and says the key cannot be read", async () => {
    const cache = path.join(tmp, 'fifo-key');
    const keyFile = path.join(tmp, 'fifo-key-folder', 'cache-seal.key');
    await fs.mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', keyFile]);
    const answered = await query(cache, fileCacheSealKey(keyFile));
    expect(answered.rows).toEqual(truth());
    expect(answered.metadata.warnings?.join('\n')).toContain(
      `The cache seal key cannot be read from ${keyFile} (it is a named pipe (FIFO), not a file)`,
    );
  });

  it('a seal made with another key (another installation, or a guess) is not trusted', async () => {
    const cache = path.join(tmp, 'other-key');
    await query(cache, fileCacheSealKey(path.join(tmp, 'other', 'cache-seal.key')));
    const [file] = await monthFiles(cache);
    if (!file) throw new Error('no month was cached');
    await forgeMonth(file, truth()[2]?.[0] as string);
    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.warnings?.join('\n')).toMatch(/sealed by another key/);
  });
});

/** A cache entry as an attacker edits it: untyped JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Entry = [string, any];

/** The manifest cache's entries, edited in place: the header line (if any) kept, the entries changed. */
async function editManifestCache(file: string, edit: (entries: Entry[]) => void): Promise<void> {
  const text = await fs.readFile(file, 'utf8');
  const newline = text.indexOf('\n');
  const hasHeader = newline > 0 && newline < text.length - 1;
  const body = JSON.parse(hasHeader ? text.slice(newline + 1) : text);
  edit(body.entries);
  await fs.writeFile(file, (hasHeader ? text.slice(0, newline + 1) : '') + JSON.stringify(body));
}

describe('the manifest cache, attacked by whoever holds the state folder', () => {
  it('an entry given a new SHA-256, size and event count (signedBy left as it was) is found at use: status and queries state what the archive signed', async () => {
    const cache = path.join(tmp, 'manifests');
    const first = await query(cache);
    const stateDir = path.join(cache, 'archive-state');
    const [cacheFile] = (await fs.readdir(stateDir)).filter((f) => f.startsWith('manifests-'));
    if (!cacheFile) throw new Error('no manifest cache was written');
    const day = DAYS[1] as string;
    const trueTotal = demo.events.filter((e) => e.eventDate.startsWith(day)).length;
    await editManifestCache(path.join(stateDir, cacheFile), (entries) => {
      for (const [, cached] of entries) {
        if (!cached.ok || cached.manifest.day !== day) continue;
        const o = cached.manifest.objects[0];
        o.sha256 = 'f'.repeat(64);
        o.size += 100;
        o.events += 1;
        cached.manifest.dayEventsTotal += 1;
        cached.manifest.events += 1;
      }
    });

    // The calendar's read of the same state folder.
    const archive = Archive.forReading(demo.fixture.store, stateDir, { cacheSealKey: sealKey });
    const snapshot = await archive.read({ scope: 'layout' });
    const manifests = snapshot.assessment.days.get(day)?.manifests ?? [];
    expect(manifests.map((m) => m.manifest.dayEventsTotal)).toEqual([trueTotal]);
    expect(snapshot.assessment.problems).toEqual([]);

    const second = await query(cache);
    expect(second.rows).toEqual(truth());
    expect(second.metadata.population).toEqual(first.metadata.population);
    expect(second.metadata.population?.events).toBe(demo.events.length);
  });

  it('a cache sealed by this installation and then edited is said to have changed', async () => {
    const stateDir = path.join(tmp, 'sealed-state');
    const read = (key: CacheSealKey | null = sealKey, warnings: string[] = []) =>
      Archive.forReading(demo.fixture.store, stateDir, { cacheSealKey: key, onWarning: (m) => warnings.push(m) }).read({
        scope: 'layout',
      });
    await read();
    const [cacheFile] = (await fs.readdir(stateDir)).filter((f) => f.startsWith('manifests-'));
    await editManifestCache(path.join(stateDir, cacheFile as string), (entries) => {
      const [, cached] = entries.find(([, c]) => c.ok) as Entry;
      cached.manifest.dayEventsTotal += 5;
    });
    const warnings: string[] = [];
    const snapshot = await read(sealKey, warnings);
    expect(warnings).toEqual([expect.stringMatching(/was changed after this installation wrote it/)]);
    for (const [, evidence] of snapshot.assessment.days) {
      expect(evidence.manifests.map((m) => m.manifest.dayEventsTotal)).toEqual([
        demo.events.filter((e) => e.eventDate.startsWith(evidence.day)).length,
      ]);
    }
  });

  it('a cached "invalid" verdict is not taken on trust from an unsealed cache: the manifest is read again', async () => {
    const stateDir = path.join(tmp, 'invalid-verdict');
    await Archive.forReading(demo.fixture.store, stateDir).read({ scope: 'layout' });
    const [cacheFile] = (await fs.readdir(stateDir)).filter((f) => f.startsWith('manifests-'));
    await editManifestCache(path.join(stateDir, cacheFile as string), (entries) => {
      for (const entry of entries) entry[1] = { ok: false, detail: 'forged: said to be invalid' };
    });
    const snapshot = await Archive.forReading(demo.fixture.store, stateDir).read({ scope: 'layout' });
    expect(snapshot.assessment.problems).toEqual([]);
    expect(snapshot.assessment.chain).toHaveLength(DAYS.length);
  });
});
