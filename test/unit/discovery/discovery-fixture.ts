/**
 * A demo archive for discovery tests: real exports from the Genesys simulator into a local folder
 * (prefix `org-a`), and an independent reading of what it holds (gunzip + JSON.parse of every
 * object the manifests name: no SQL), to compare query results with.
 *
 * Also "Athena's view" of the same archive: DuckDB reading EVERY file under `audit-logs/`, orphans
 * included, exactly as Athena's table location does, to run the SQL and ExecutionParameters the
 * Athena engine sent (the mocked client answers with it).
 */
import * as fs from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Day } from '../../../shared/day';
import { dataFolder } from '../../../shared/archive-layout';
import { NDJSON_READ_OPTIONS, NDJSON_TABLE_SELECT } from '../../../main/engine/discovery/archive-object-cache';
import {
  resultValueConverter,
  sqlString,
  TRINO_COMPATIBILITY_MACROS,
} from '../../../main/engine/discovery/duckdb-dialect';
import { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import type { ResultRow } from '../../../shared/discovery/result-metadata';
import { archiveFixture, dayManifests, type ArchiveFixture } from '../archive/archive-fixture';

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
  return {
    fixture,
    days,
    events: await readVouchedEvents(fixture, days),
    cacheFolder,
    engine(reader = 'columnar') {
      const engine = new LocalQueryEngine({
        store: fixture.store,
        cacheFolder: path.join(cacheFolder, reader),
        reader,
        threads: 2,
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

/** Parses one ExecutionParameters literal back to its value (the inverse of sqlLiteral). */
export function parseAthenaLiteral(literal: string): string | number | boolean {
  if (literal === 'true' || literal === 'false') return literal === 'true';
  if (literal.startsWith("'") && literal.endsWith("'")) return literal.slice(1, -1).replaceAll("''", "'");
  const n = Number(literal);
  if (!Number.isFinite(n)) throw new Error(`not a literal Athena would accept: ${literal}`);
  return n;
}

/**
 * Runs SQL with Athena's ExecutionParameters over EVERY part under the archive's `audit-logs/`
 * (orphans included), as Athena would: the columns and rows Athena would answer with.
 */
export async function runAsAthenaWould(
  fixture: ArchiveFixture,
  sql: string,
  executionParameters: readonly string[],
): Promise<{ columns: Array<{ name: string; type: string }>; rows: ResultRow[] }> {
  const folder = path.join(fixture.store.root, ...dataFolder(fixture.store.prefix).split('/'));
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    for (const macro of TRINO_COMPATIBILITY_MACROS) await c.run(macro);
    await c.run(
      `CREATE TEMP VIEW audit_events_raw AS SELECT ${NDJSON_TABLE_SELECT} FROM read_json(${sqlString(`${folder}/**/*.jsonl.gz`)}, ${NDJSON_READ_OPTIONS})`,
    );
    const values = executionParameters.map(parseAthenaLiteral);
    const reader = await c.runAndReadAll(sql, values);
    const columns = reader
      .columnNames()
      .map((name, i) => ({ name, type: reader.columnType(i).toString().toLowerCase() }));
    return { columns, rows: reader.convertRows(resultValueConverter) as ResultRow[] };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
