/**
 * A demo archive for discovery tests: real exports from the Genesys simulator into a local folder
 * (prefix `org-a`), and an independent reading of what it holds (gunzip + JSON.parse of every
 * object the manifests name: no SQL), to compare query results with.
 *
 * Also Athena over the same archive (athena-double.ts): the table the engine's DDL describes, over
 * EVERY file under `audit-logs/`, orphans included, as Athena's table location reads them.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Day } from '../../../shared/day';
import { createDatabaseDdl, createTableDdl } from '../../../main/engine/discovery/athena-table';
import type { CacheSealKey } from '../../../main/engine/archive/cache-seal';
import { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import type { ResultRow } from '../../../shared/discovery/result-metadata';
import { archiveFixture, dayManifests, type ArchiveFixture } from '../archive/archive-fixture';
import { AthenaDouble, type AthenaResult } from './athena-double';

/** One archived event as a test reads it. */
export type ArchivedEvent = Record<string, unknown> & {
  id: string;
  eventDate: string;
  user: { id: string; name?: string };
  entity: { id: string; name: string };
  serviceName: string;
  action: string;
  entityType: string;
  status: string;
  propertyChanges: Array<{ property: string; oldValues: string[]; newValues: string[] }>;
};

export interface DemoArchive {
  readonly fixture: ArchiveFixture;
  readonly days: readonly Day[];
  /** Every event the manifests vouch for, read with gunzip + JSON.parse. */
  readonly events: readonly ArchivedEvent[];
  readonly cacheFolder: string;
  /**
   * The installation's cache seal key, kept for the archive's life as the app (keychain) and the
   * CLI (key file) keep theirs: what one engine cached, the next trusts while its seal holds.
   */
  readonly cacheSealKey: CacheSealKey;
  engine(reader?: 'columnar' | 'ndjson'): LocalQueryEngine;
  close(): Promise<void>;
}

export const DEMO_DAYS: readonly Day[] = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];

export async function demoArchive(
  options: { eventsPerDay?: number; days?: readonly Day[] } = {},
): Promise<DemoArchive> {
  const days = options.days ?? DEMO_DAYS;
  const fixture = await archiveFixture({
    now: '2026-03-20T12:00:00Z',
    sim: { eventsPerDay: options.eventsPerDay ?? 250 },
  });
  for (const day of days) await fixture.export(day);
  const cacheFolder = await mkdtemp(path.join(tmpdir(), 'aa-discovery-cache-'));
  const engines: LocalQueryEngine[] = [];
  const secret = randomBytes(32);
  const cacheSealKey: CacheSealKey = { description: 'the test installation', secret: async () => secret };
  return {
    fixture,
    days,
    events: await readVouchedEvents(fixture, days),
    cacheFolder,
    cacheSealKey,
    engine(reader = 'columnar') {
      const engine = new LocalQueryEngine({
        store: fixture.store,
        cacheFolder: path.join(cacheFolder, reader),
        reader,
        threads: 2,
        cacheSealKey,
      });
      engines.push(engine);
      return engine;
    },
    async close() {
      for (const e of engines) await e.close();
      await fixture.close();
      await rm(cacheFolder, { recursive: true, force: true });
    },
  };
}

/** The independent reading: every object every manifest of the days names, gunzipped and parsed line by line. */
export async function readVouchedEvents(fixture: ArchiveFixture, days: readonly Day[]): Promise<ArchivedEvent[]> {
  const events: ArchivedEvent[] = [];
  for (const day of days) {
    for (const { manifest } of await dayManifests(fixture.archive(), day)) {
      for (const o of manifest.objects) {
        const bytes = await fs.readFile(path.join(fixture.store.root, ...o.key.split('/')));
        for (const line of gunzipSync(bytes).toString('utf8').split('\n'))
          if (line) events.push(JSON.parse(line) as ArchivedEvent);
      }
    }
  }
  return events;
}

/**
 * A part an interrupted run leaves behind: a copy of a real part under a part number no manifest
 * names (what the crashed run wrote before the rerun wrote the same events again).
 */
export async function leaveOrphanPart(fixture: ArchiveFixture, day: Day): Promise<string> {
  const manifests = await dayManifests(fixture.archive(), day);
  const real = manifests[0]?.manifest.objects[0]?.key;
  if (!real) throw new Error(`${day} has no archived part to copy`);
  const orphan = real.replace(/events-\d+\.jsonl\.gz$/, 'events-0099.jsonl.gz');
  await fs.copyFile(
    path.join(fixture.store.root, ...real.split('/')),
    path.join(fixture.store.root, ...orphan.split('/')),
  );
  return orphan;
}

/** Where the Athena tests' engine is told the archive is (its table reads `s3://acme-audit-archive/genesys/audit-logs/`). */
export const ATHENA_ARCHIVE = { bucket: 'acme-audit-archive', prefix: 'genesys' } as const;

/**
 * Athena played over the fixture's archive folder, which stands for `s3://acme-audit-archive/genesys/`
 * (athena-double.ts: its table comes from the DDL it is sent, nothing from the engine's DuckDB code).
 */
export function athenaOver(fixture: ArchiveFixture): AthenaDouble {
  const { bucket, prefix } = ATHENA_ARCHIVE;
  return new AthenaDouble(
    { [`s3://${bucket}/${prefix}/`]: path.join(fixture.store.root, ...fixture.store.prefix.split('/')) },
    new Date(fixture.clock.now).toISOString().slice(0, 10).replaceAll('-', '/'),
  );
}

/**
 * Runs SQL with Athena's ExecutionParameters over EVERY part under the archive's `audit-logs/`
 * (orphans included), as Athena would after the engine created its table (athena-table.ts's DDL):
 * the columns and rows Athena answers with, numbers and booleans read back from Athena's text.
 */
export async function runAsAthenaWould(
  fixture: ArchiveFixture,
  sql: string,
  executionParameters: readonly string[],
): Promise<{ columns: Array<{ name: string; type: string }>; rows: ResultRow[] }> {
  const athena = athenaOver(fixture);
  const context = { QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'audit_archive' } };
  for (const ddl of [createDatabaseDdl('audit_archive'), createTableDdl('audit_archive', ATHENA_ARCHIVE)]) {
    const created = await athena.run({ QueryString: ddl, ...context });
    if (created.state !== 'SUCCEEDED') throw new Error(`Athena refused the engine's DDL: ${created.reason}`);
  }
  const outcome = await athena.run({ QueryString: sql, ExecutionParameters: [...executionParameters], ...context });
  if (outcome.state !== 'SUCCEEDED') throw new Error(`Athena failed the query: ${outcome.reason}`);
  const { columns, rows } = outcome.result as AthenaResult;
  const read = (text: string | null, type: string) =>
    text === null
      ? null
      : ['bigint', 'integer'].includes(type)
        ? Number(text)
        : type === 'boolean'
          ? text === 'true'
          : text;
  return { columns: [...columns], rows: rows.map((r) => r.map((v, i) => read(v, columns[i]?.type ?? ''))) };
}
