/**
 * The Athena double (athena-double.ts) plays what Athena documents, so the Athena engine's tests
 * can fail for the reasons Athena would fail them: its table is only what the DDL says (a wrong
 * type or location shows in the answers), ExecutionParameters replace `?` as literal text (and
 * nothing else), and answers come back as Athena's text. Over a real demo archive, the engine's own
 * DDL (athena-table.ts) against an independent reading of the files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseDdl, createTableDdl } from '../../../main/engine/discovery/athena-table';
import { parseDdl, substituteParameters, type AthenaDouble } from './athena-double';
import { ATHENA_ARCHIVE, athenaOver, demoArchive, leaveOrphanPart, type DemoArchive } from './discovery-fixture';

let demo: DemoArchive;
beforeAll(async () => {
  demo = await demoArchive({ days: ['2026-03-02', '2026-03-03'], eventsPerDay: 60 });
});
afterAll(async () => {
  await demo?.close();
});

const context = { QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'audit_archive' } };

/** Athena over the demo archive, after the statements the engine sends to set up its table. */
async function athenaWith(tableDdl: string = createTableDdl('audit_archive', ATHENA_ARCHIVE)): Promise<AthenaDouble> {
  const athena = athenaOver(demo.fixture);
  for (const sql of [createDatabaseDdl('audit_archive'), tableDdl]) {
    const created = await athena.run({ QueryString: sql, ...context });
    if (created.state !== 'SUCCEEDED') throw new Error(created.reason);
  }
  return athena;
}

async function answer(athena: AthenaDouble, sql: string, parameters: string[] = []) {
  return athena.run({ QueryString: sql, ExecutionParameters: parameters, ...context });
}

describe('the table is the DDL', () => {
  it('reads the engine DDL: every column typed, every event of every part, keys matched without case, dt from the folder', async () => {
    const ddl = parseDdl(createTableDdl('audit_archive', ATHENA_ARCHIVE));
    expect(ddl).toMatchObject({
      kind: 'table',
      ifNotExists: true,
      table: {
        database: 'audit_archive',
        name: 'audit_events_raw',
        serde: 'org.apache.hive.hcatalog.data.JsonSerDe',
        location: 's3://acme-audit-archive/genesys/audit-logs/',
        partitions: [{ name: 'dt', type: { kind: 'string' } }],
      },
    });
    const athena = await athenaWith();
    const result = await answer(
      athena,
      'SELECT id, "user".name AS user_name, servicename, dt FROM audit_events_raw ORDER BY id',
    );
    if (result.state !== 'SUCCEEDED' || !result.result) throw new Error(JSON.stringify(result));
    expect(result.result.columns.map((c) => c.type)).toEqual(['varchar', 'varchar', 'varchar', 'varchar']);
    const expected = [...demo.events]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((e) => [e.id, e.user.name ?? null, e.serviceName, e.eventDate.slice(0, 10).replaceAll('-', '/')]);
    expect(result.result.rows).toEqual(expected);
  });

  it('a query before the database or the table exists fails as Athena fails it', async () => {
    const athena = athenaOver(demo.fixture);
    expect(await answer(athena, 'SELECT count(*) FROM audit_events_raw')).toEqual({
      state: 'FAILED',
      reason: expect.stringMatching(/^SCHEMA_NOT_FOUND: /),
    });
    await athena.run({ QueryString: createDatabaseDdl('audit_archive'), ...context });
    expect(await answer(athena, 'SELECT count(*) FROM audit_events_raw')).toEqual({
      state: 'FAILED',
      reason: expect.stringMatching(/^TABLE_NOT_FOUND: /),
    });
  });

  it('an eventdate typed timestamp fails every read, as Hive rejects ISO-8601 with a trailing Z', async () => {
    const wrong = createTableDdl('audit_archive', ATHENA_ARCHIVE).replace(
      '`eventdate` string',
      '`eventdate` timestamp',
    );
    const athena = await athenaWith(wrong);
    expect(await answer(athena, 'SELECT count(*) FROM audit_events_raw')).toEqual({
      state: 'FAILED',
      reason: expect.stringMatching(/^HIVE_BAD_DATA: Error parsing field value '"2026-03-0\d.*Z"' for .*\.eventdate$/),
    });
  });

  it('a LOCATION elsewhere reads nothing; an orphan part under it is read like any other', async () => {
    const elsewhere = createTableDdl('audit_archive', { bucket: 'acme-audit-archive', prefix: 'other' });
    expect(await answer(await athenaWith(elsewhere), 'SELECT count(*) AS n FROM audit_events_raw')).toMatchObject({
      state: 'SUCCEEDED',
      result: { rows: [['0']] },
    });
    const before = await answer(await athenaWith(), 'SELECT count(*) AS n FROM audit_events_raw');
    await leaveOrphanPart(demo.fixture, '2026-03-03');
    const after = await answer(await athenaWith(), 'SELECT count(*) AS n FROM audit_events_raw');
    expect(before).toMatchObject({ result: { rows: [[String(demo.events.length)]] } });
    if (after.state !== 'SUCCEEDED') throw new Error(after.reason);
    expect(Number(after.result?.rows[0]?.[0])).toBeGreaterThan(demo.events.length);
  });
});

describe('ExecutionParameters', () => {
  it('replace each ? outside quotes and comments, in order, with the literal text', () => {
    expect(
      substituteParameters('SELECT \'?\' AS q, "a?" -- why?\n FROM t /* ? */ WHERE a = ? AND b = ?', ["'it''s'", '42']),
    ).toBe("SELECT '?' AS q, \"a?\" -- why?\n FROM t /* ? */ WHERE a = 'it''s' AND b = 42");
  });

  it.each([
    [['1'], 'more ? placeholders'],
    [['1', '2', '3'], '3 ExecutionParameters for 2'],
    [["x' OR '1'='1", '2'], 'is not one literal'],
    [['1; DROP TABLE t', '2'], 'is not one literal'],
  ])('%j for two placeholders fails the query (%s)', async (values, why) => {
    expect(() => substituteParameters('SELECT ? + ?', values)).toThrow(why);
    expect(await answer(await athenaWith(), 'SELECT ? + ? AS n', values)).toEqual({
      state: 'FAILED',
      reason: expect.stringContaining(why),
    });
  });
});

describe('answers', () => {
  it('come back as Athena text: numbers and booleans as text, NULL absent, arrays [a, b], rows {k=v}', async () => {
    const result = await answer(
      await athenaWith(),
      `SELECT count(*) AS n, true AS yes, NULL AS nothing, ['a', 'b'] AS list, {'k': 'v'} AS record FROM audit_events_raw WHERE dt BETWEEN ? AND ?`,
      ["'2026/03/02'", "'2026/03/02'"],
    );
    expect(result).toEqual({
      state: 'SUCCEEDED',
      result: {
        columns: [
          { name: 'n', type: 'bigint' },
          { name: 'yes', type: 'boolean' },
          { name: 'nothing', type: expect.any(String) },
          { name: 'list', type: 'array' },
          { name: 'record', type: 'row' },
        ],
        rows: [
          [
            String(demo.events.filter((e) => e.eventDate.startsWith('2026-03-02')).length),
            'true',
            null,
            '[a, b]',
            '{k=v}',
          ],
        ],
      },
    });
  });
});
