/**
 * The local engine over a real archive exported from the Genesys simulator: an examiner's question
 * answered exactly as an independent reading of the files answers it, each event once, values never
 * becoming SQL, and nothing read that the manifests do not vouch for.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, EVENT_ROW_COLUMNS, type QueryText } from '../../../shared/discovery/compile-query';
import { ResultMetadataSchema, type ResultRow } from '../../../shared/discovery/result-metadata';
import { findQuery, queryTextFor } from '../../../shared/discovery/query-library';
import { StructuredQuerySchema } from '../../../shared/discovery/structured-query';
import { defaultSettings } from '../../../shared/settings';
import type { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { filesIn } from '../archive/archive-fixture';
import {
  demoArchive,
  leaveOrphanPart,
  runAsAthenaWould,
  type ArchivedEvent,
  type DemoArchive,
} from './discovery-fixture';

let demo: DemoArchive;
beforeAll(async () => {
  demo = await demoArchive();
});
afterAll(async () => {
  await demo?.close();
});

async function rowsOf(engine: LocalQueryEngine, query: QueryText): Promise<{ rows: ResultRow[]; columns: string[] }> {
  const execution = await engine.execute(compileQuery(query, 'local'));
  const rows: ResultRow[] = [];
  for await (const page of execution.pages) rows.push(...page);
  return { rows, columns: execution.columns.map((c) => c.name) };
}

const ID = EVENT_ROW_COLUMNS.findIndex(([name]) => name === 'id');
const byTime = (a: ArchivedEvent, b: ArchivedEvent) =>
  Date.parse(a.eventDate) - Date.parse(b.eventDate) || (a.id < b.id ? -1 : 1);

async function hashesOf(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await filesIn(root))
    out.set(
      f,
      createHash('sha256')
        .update(await fs.readFile(path.join(root, f)))
        .digest('hex'),
    );
  return out;
}

describe('the local engine', () => {
  it('answers "every time user X changed queue Y" with exactly the events an independent reading of the files finds, in time order, on either reader', async () => {
    const queueEvent = demo.events.find((e) => e.entityType === 'Queue' && e.user.name) as ArchivedEvent;
    const user = queueEvent.user.name as string;
    const queue = queueEvent.entity.name;
    const expected = demo.events
      .filter(
        (e) =>
          e.entityType === 'Queue' &&
          e.entity.name.toLowerCase() === queue.toLowerCase() &&
          (e.user.id === user || e.user.name?.toLowerCase() === user.toLowerCase()),
      )
      .sort(byTime);
    expect(expected.length).toBeGreaterThan(0);

    const structured = StructuredQuerySchema.parse({
      range: { from: demo.days[0], to: demo.days.at(-1) },
      users: [user.toUpperCase()],
      entityType: 'queue',
      entity: queue,
    });
    const columnar = await rowsOf(demo.engine('columnar'), { kind: 'structured', structured });
    const ndjson = await rowsOf(demo.engine('ndjson'), { kind: 'structured', structured });

    expect(columnar.columns).toEqual(EVENT_ROW_COLUMNS.map(([name]) => name));
    expect(columnar.rows.map((r) => r[ID])).toEqual(expected.map((e) => e.id));
    expect(ndjson.rows).toEqual(columnar.rows);
    const first = expected[0] as ArchivedEvent;
    expect(columnar.rows[0]?.slice(0, 9)).toEqual([
      first.eventDate,
      first.user.name,
      first.user.id,
      first.serviceName,
      first.action,
      first.entityType,
      first.entity.name,
      first.entity.id,
      first.status,
    ]);
    expect(JSON.parse(columnar.rows[0]?.[9] as string)).toEqual(
      first.propertyChanges.map((p) => ({ property: p.property, oldvalues: p.oldValues, newvalues: p.newValues })),
    );
  });

  it('finds free text in names and property changes, without case', async () => {
    const structured = StructuredQuerySchema.parse({
      range: { from: demo.days[0], to: demo.days.at(-1) },
      text: 'ACWSETTINGS',
    });
    const expected = demo.events.filter(
      (e) =>
        JSON.stringify(e.propertyChanges).toLowerCase().includes('acwsettings') ||
        e.user.name?.toLowerCase().includes('acwsettings') ||
        e.entity.name.toLowerCase().includes('acwsettings'),
    );
    const { rows } = await rowsOf(demo.engine(), { kind: 'structured', structured });
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => r[ID]).sort()).toEqual(expected.map((e) => e.id).sort());
  });

  it('every result carries its exact query, parameters, engine, archive, days, the population it read, run time and row count', async () => {
    const engine = demo.engine();
    const query = queryTextFor(findQuery(defaultSettings(), 'deletions'), {
      range: { from: demo.days[1] as string, to: demo.days[2] as string },
    });
    const metadata = await runDiscoveryQuery({
      engine,
      query,
      archive: demo.fixture.store.url,
      savedQuery: { id: 'deletions', name: 'Deletions' },
    });
    ResultMetadataSchema.parse(metadata);
    const inRange = demo.events.filter(
      (e) =>
        e.eventDate.slice(0, 10) >= (demo.days[1] as string) && e.eventDate.slice(0, 10) <= (demo.days[2] as string),
    );
    expect(metadata.rowCount).toBe(inRange.filter((e) => e.action.toLowerCase().includes('delete')).length);
    expect(metadata.query).toMatchObject({
      kind: 'sql',
      sql: compileQuery(query, 'local').sql,
      savedQuery: { id: 'deletions', name: 'Deletions' },
    });
    expect(metadata.query.positionalParameters).toEqual([
      { name: 'range.from', type: 'string', value: (demo.days[1] as string).replaceAll('-', '/') },
      { name: 'range.to', type: 'string', value: (demo.days[2] as string).replaceAll('-', '/') },
    ]);
    expect(metadata.engine).toMatchObject({ kind: 'local', reads: 'verified-parquet-cache' });
    expect(metadata.archive).toBe(demo.fixture.store.url);
    expect(metadata.population).toEqual({
      firstDay: demo.days[1],
      lastDay: demo.days[2],
      days: 2,
      objects: 2,
      events: inRange.length,
    });
    expect(metadata.cost).toBeNull();
  });

  it('a value that tries to be SQL matches nothing and changes nothing; an integer that is not one is refused', async () => {
    const before = await hashesOf(demo.fixture.root);
    const starter = findQuery(defaultSettings(), 'everything-one-user-did');
    for (const attempt of ["x' OR '1'='1", "'; DROP VIEW audit_events_raw; --", '" OR 1=1 --']) {
      const { rows } = await rowsOf(
        demo.engine(),
        queryTextFor(starter, { parameters: { user: attempt }, range: null }),
      );
      expect(rows).toEqual([]);
    }
    const { rows } = await rowsOf(demo.engine(), {
      kind: 'sql',
      sql: 'SELECT count(*) AS n FROM audit_events',
      parameters: [],
      range: null,
    });
    expect(rows).toEqual([[demo.events.length]]);
    expect(() =>
      compileQuery(
        {
          kind: 'sql',
          sql: 'SELECT * FROM audit_events LIMIT :n',
          parameters: [{ name: 'n', type: 'integer', value: '1 OR 1=1' as unknown as number }],
          range: null,
        },
        'local',
      ),
    ).toThrow(/:n must be a whole number/);
    expect(await hashesOf(demo.fixture.root)).toEqual(before);
  });

  it('SQL cannot read other files on the machine', async () => {
    const attempt = rowsOf(demo.engine(), {
      kind: 'sql',
      sql: "SELECT * FROM read_text('/etc/hostname')",
      parameters: [],
      range: null,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'QUERY_INVALID',
      message: expect.stringMatching(/disabled by configuration/),
    });
  });

  it('a query that cannot run says why with QUERY_INVALID; a cancelled one stops with QUERY_CANCELLED', async () => {
    await expect(
      rowsOf(demo.engine(), {
        kind: 'sql',
        sql: 'SELECT nonsense_column FROM audit_events',
        parameters: [],
        range: null,
      }),
    ).rejects.toMatchObject({
      code: 'QUERY_INVALID',
      message: expect.stringMatching(/nonsense_column/),
    });
    const controller = new AbortController();
    const engine = demo.engine();
    const running = engine.execute(
      compileQuery({ kind: 'sql', sql: 'SELECT * FROM audit_events', parameters: [], range: null }, 'local'),
      { signal: controller.signal },
    );
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
  });
});

describe('each event once', () => {
  it('an orphan part of an interrupted run doubles no row, neither locally nor in what Athena reads, though Athena sees the copy', async () => {
    const local = await demoArchive({ days: ['2026-03-09', '2026-03-10'], eventsPerDay: 120 });
    try {
      const count = compileQuery(
        {
          kind: 'sql',
          sql: 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM audit_events',
          parameters: [],
          range: { from: '2026-03-09', to: '2026-03-10' },
        },
        'athena',
      );
      const params = count.parameters.map((p) => `'${p.value}'`);
      const vouched = local.events.length;
      await leaveOrphanPart(local.fixture, '2026-03-10');

      const localRows = await rowsOf(local.engine(), count.source);
      expect(localRows.rows).toEqual([[vouched, vouched]]);
      const athena = await runAsAthenaWould(local.fixture, count.sql, params);
      expect(athena.rows).toEqual([[vouched, vouched]]);
      // The copy is really there: without the deduplication Athena would count it.
      const raw = await runAsAthenaWould(
        local.fixture,
        'SELECT count(*) FROM audit_events_raw WHERE dt BETWEEN ? AND ?',
        params,
      );
      expect(raw.rows[0]?.[0]).toBeGreaterThan(vouched);
    } finally {
      await local.close();
    }
  });
});

describe('only vouched bytes', () => {
  it('an archived object whose bytes no longer match its manifest is refused by day and key, and nothing of it is cached', async () => {
    const local = await demoArchive({ days: ['2026-03-11'], eventsPerDay: 60 });
    try {
      const key = (await filesIn(local.fixture.root)).find((f) => f.includes('audit-logs')) as string;
      const file = path.join(local.fixture.root, key);
      const lines = (await fs.readFile(file)).length;
      await fs.chmod(file, 0o644);
      await fs.writeFile(file, gzipSync(Buffer.from(`{"id":"forged","eventDate":"2026-03-11T00:00:00Z"}\n`)));
      expect(lines).toBeGreaterThan(0);
      const engine = local.engine();
      await expect(
        rowsOf(engine, { kind: 'sql', sql: 'SELECT * FROM audit_events', parameters: [], range: null }),
      ).rejects.toMatchObject({
        code: 'ARCHIVE_INTEGRITY',
        message: expect.stringContaining(`${key} of 2026-03-11 does not match its manifest`),
      });
      const cached = (await fs.readdir(engine.cache.folder, { recursive: true })).filter((f) =>
        /\.(parquet|gz)$/.test(String(f)),
      );
      expect(cached).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
