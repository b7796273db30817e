/**
 * A report never says "verified" over rows it did not check in that run, and never leaves out a
 * day it does not hold. Over a demo archive real exports filled:
 * - the local engine's columnar cache rewritten (one event dropped, one written twice, a user's name changed) and
 *   sealed again by someone holding the cache seal secret, so the engine answers the cited query
 *   with forged rows: the report names the day whose events the engine miscounts and the row whose
 *   values are not the archived line's (it re-reads the archived bytes), and does not call itself
 *   verified;
 * - an archived object rewritten with one name changed (re-gzipped, so every line still parses):
 *   the finding is said once, and each event taken from it is marked in the table and the CSV;
 * - a period reaching past the archived days: each day not archived is named, with why, on the
 *   cover, in the summary and in evidence.json.
 */
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Day } from '../../../shared/day';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { CacheSeal } from '../../../main/engine/archive/cache-seal';
import { hashFile } from '../../../main/engine/discovery/file-hashes';
import { sqlString } from '../../../main/engine/discovery/duckdb-dialect';
import { dayManifests } from '../archive/archive-fixture';
import { DEMO_DAYS, demoArchive, type DemoArchive } from '../discovery/discovery-fixture';
import { flat, generate, pdfPages, removeScratchFolders } from './report-fixture';

afterAll(removeScratchFolders);

const RANGE = { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS.at(-1) as Day };
const QUEUES: CitedSource = {
  kind: 'query',
  query: { kind: 'structured', structured: { range: RANGE, users: [], actions: [], entityType: 'Queue' } },
  savedQuery: null,
};

async function evidenceOf(receipt: ReportReceipt): Promise<ReportEvidence> {
  return ReportEvidenceSchema.parse(JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')));
}

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile() && e.name.endsWith(suffix)) found.push(path.join(e.parentPath, e.name));
  return found;
}

/**
 * Rewrites a month's sealed Parquet file as `forge` says and seals it again with the installation's
 * secret, as its holder could: same month key, the seal's hash and size the forged file's.
 */
async function forgeSealedMonth(demo: DemoArchive, forge: (parquet: string, forged: string) => Promise<void>) {
  const [sealFile] = await filesUnder(path.join(demo.cacheFolder, 'columnar'), '.seal.json');
  const record = JSON.parse(await fs.readFile(sealFile as string, 'utf8'));
  const folder = path.dirname(sealFile as string);
  const parquet = path.join(folder, `${record.monthKey}-${record.sha256}.parquet`);
  const forged = `${parquet}.forged`;
  await forge(parquet, forged);
  const made = await hashFile(forged);
  await fs.rm(parquet);
  await fs.rename(forged, path.join(folder, `${record.monthKey}-${made.sha256}.parquet`));
  const seal = await CacheSeal.open(demo.cacheSealKey, () => undefined);
  const mac = seal.mac('columnar-month', record.monthKey, made.sha256, String(made.size));
  await fs.writeFile(sealFile as string, JSON.stringify({ ...record, sha256: made.sha256, size: made.size, mac }));
}

describe('a discovery cache rewritten and sealed again by a holder of the cache seal secret', () => {
  let demo: DemoArchive;
  let dropped: { id: string; day: Day };
  let renamed: { id: string; name: string };
  let doubled: { id: string; day: Day };

  beforeAll(async () => {
    demo = await demoArchive();
    // The cache is built as Discovery builds it: by a first query.
    await generate(demo, [QUEUES]);
    const queueEvents = demo.events.filter((e) => e.entityType === 'Queue' && e.user.name);
    const victim = queueEvents[0]!;
    const gone = queueEvents[1]!;
    renamed = { id: victim.id, name: victim.user.name as string };
    dropped = { id: gone.id, day: gone.eventDate.slice(0, 10) };
    // The local audit_events does not deduplicate again (its months are written one row per event): a row written twice.
    const twice = demo.events.find((e) => e.entityType !== 'Queue' && e.eventDate.slice(0, 10) !== dropped.day)!;
    doubled = { id: twice.id, day: twice.eventDate.slice(0, 10) };
    // One event dropped, one written twice, one user's name changed, the seal made to match: what the secret's holder can do.
    await forgeSealedMonth(demo, async (parquet, forged) => {
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      await c.run(
        `COPY (SELECT * REPLACE (CASE WHEN "id" = ${sqlString(victim.id)} THEN struct_update("user", name := 'Mallory Forged') ELSE "user" END AS "user") FROM read_parquet(${sqlString(parquet)}) WHERE "id" <> ${sqlString(gone.id)} UNION ALL SELECT * FROM read_parquet(${sqlString(parquet)}) WHERE "id" = ${sqlString(twice.id)}) TO ${sqlString(forged)} (FORMAT parquet)`,
      );
      c.closeSync();
      instance.closeSync();
    });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('is named, by day and by row, and the report is not called verified', async () => {
    const { receipt } = await generate(demo, [QUEUES]);
    expect(receipt.verified).toBe(false);
    const evidence = await evidenceOf(receipt);
    expect(evidence.engineDays).toEqual([
      {
        engine: 'local',
        days: DEMO_DAYS.length,
        mismatches: [
          { day: dropped.day, engine: 249, archived: 250 },
          { day: doubled.day, engine: 251, archived: 250 },
        ].sort((a, b) => a.day.localeCompare(b.day)),
        error: null,
      },
    ]);
    expect(evidence.results[0]?.fieldCheck).toMatchObject({
      mismatches: 1,
      examples: [{ id: renamed.id, column: 'user_name', result: 'Mallory Forged', archived: renamed.name }],
    });
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain('VERIFICATION FAILED');
    expect(cover).toContain(
      `${dropped.day}: the local query engine holds 249 events for the day, its signed manifests 250 events`,
    );
    expect(cover).toContain(
      `${doubled.day}: the local query engine holds 251 events for the day, its signed manifests 250 events`,
    );
    expect(cover).toContain(
      `Result 1: 1 row differs from the archived event it names (${renamed.id}: user_name "Mallory Forged", archived "${renamed.name}")`,
    );
    // The event's own line, as the archive holds it, is what the report prints, marked.
    const events = (await fs.readFile(path.join(receipt.folder, 'events.ndjson'), 'utf8')).split('\n');
    expect(events.find((l) => l.includes(renamed.id))).toContain(JSON.stringify(renamed.name));
    const text = flat((await pdfPages(receipt.pdf)).join('\n'));
    expect(text).toContain("CHECK FAILED: the query engine's row differs from this archived line");
  });
});

describe('an archived object rewritten with one name changed', () => {
  let demo: DemoArchive;
  const day = DEMO_DAYS[1] as Day;
  let key: string;

  beforeAll(async () => {
    demo = await demoArchive();
    // The query engine's cache was built (and sealed with the installation's kept key) before the object was rewritten.
    await generate(demo, [QUEUES]);
    const [first] = await dayManifests(demo.fixture.archive(), day);
    key = first?.manifest.objects[0]?.key as string;
    const file = path.join(demo.fixture.store.root, ...key.split('/'));
    const lines = gunzipSync(await fs.readFile(file)).toString('utf8');
    const name = demo.events.find((e) => e.eventDate.startsWith(day) && e.user.name)?.user.name as string;
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, gzipSync(Buffer.from(lines.replace(JSON.stringify(name), '"Someone Else"'))));
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('is one finding, and every event taken from it is marked in the table and in events.csv', async () => {
    const { receipt } = await generate(demo, [QUEUES]);
    const evidence = await evidenceOf(receipt);
    const about = evidence.verdict.findings.filter((f) => f.includes(key));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(new RegExp(`^${day}: hash-mismatch \\(${key}\\)`));
    expect(evidence.citedObjects.find((o) => o.key === key)).toMatchObject({ matches: false });
    const fromIt = evidence.days.find((d) => d.day === day)?.cited as number;
    expect(fromIt).toBeGreaterThan(0);
    const text = flat((await pdfPages(receipt.pdf)).join('\n'));
    // Every marked row starts "CHECK FAILED" (the reason wraps within its cell); the table's introduction says it once more.
    expect(text.split('CHECK FAILED').length - 1).toBe(fromIt + 1);
    expect(text).toContain('CHECK FAILED: its archived object');
    let marked = 0;
    for await (const line of createReadStream(path.join(receipt.folder, 'events.csv'), 'utf8'))
      marked += (line as string).split('its archived object does not match its manifest').length - 1;
    expect(marked).toBe(fromIt);
  });
});

describe('a period reaching past the archived days', () => {
  let demo: DemoArchive;
  beforeAll(async () => {
    demo = await demoArchive();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('names every day not archived, and why, on the cover, in the summary and in evidence.json', async () => {
    const period = { from: '2026-03-01' as Day, to: '2026-03-06' as Day };
    const { receipt } = await generate(demo, [QUEUES], { period });
    const evidence = await evidenceOf(receipt);
    expect(evidence.gaps).toEqual([
      { day: '2026-03-01', state: 'missing', detail: 'not archived; Genesys still holds it: catch-up can archive it' },
      { day: '2026-03-06', state: 'missing', detail: 'not archived; Genesys still holds it: catch-up can archive it' },
    ]);
    expect(receipt.gaps).toEqual(evidence.gaps);
    const pages = (await pdfPages(receipt.pdf)).map(flat);
    const sentence =
      '2 days of the period are not archived (or not as the archive should hold them): 2026-03-01: missing, not archived; Genesys still holds it: catch-up can archive it; 2026-03-06: missing, not archived; Genesys still holds it: catch-up can archive it.';
    expect(pages[0]).toContain(sentence);
    expect(pages.find((p) => p.includes('2. Summary'))).toContain(sentence);
  });
});
