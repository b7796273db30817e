/**
 * The Athena engine: the real @aws-sdk/client-athena client under aws-sdk-client-mock (nothing here
 * runs Athena). The mock plays Athena from its documentation (athena-double.ts), with nothing taken
 * from the engine's DuckDB code: its table is the DDL the engine sends (Hive types, the JSON SerDe,
 * partition projection), read over every part under the archive's `audit-logs/` (orphans included,
 * as Athena's table location does); ExecutionParameters are substituted for the `?` as Athena does;
 * and it answers in Athena's result format (every value as text, the first row repeating the
 * column names, pages with NextToken).
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, type QueryText } from '../../../shared/discovery/compile-query';
import { sqlLiteral } from '../../../shared/discovery/parameters';
import { findQuery, queryTextFor } from '../../../shared/discovery/query-library';
import { athenaCost, ResultMetadataSchema, type ResultRow } from '../../../shared/discovery/result-metadata';
import { StructuredQuerySchema } from '../../../shared/discovery/structured-query';
import { calendarRulesOf, defaultSettings } from '../../../shared/settings';
import { AthenaQueryEngine } from '../../../main/engine/discovery/athena-engine';
import { EVERY_DAY, listVouchedObjects, readVouchedArchive } from '../../../main/engine/discovery/vouched-objects';
import type { QueryEngine } from '../../../main/engine/discovery/query-engine';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { athenaOver, demoArchive, leaveOrphanPart, type DemoArchive } from './discovery-fixture';

const client = new AthenaClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test-access-key-id', secretAccessKey: 'not-a-secret' },
});
const athena = mockClient(client);
let demo: DemoArchive;

beforeAll(async () => {
  demo = await demoArchive({ days: ['2026-03-02', '2026-03-03'], eventsPerDay: 200 });
  await leaveOrphanPart(demo.fixture, '2026-03-03');
});
afterAll(async () => {
  await demo?.close();
});
afterEach(() => athena.reset());

function engine(overrides: Partial<ConstructorParameters<typeof AthenaQueryEngine>[0]> = {}): AthenaQueryEngine {
  return new AthenaQueryEngine({
    client,
    region: 'eu-west-1',
    workgroup: 'audit-archive',
    database: 'audit_archive',
    outputLocation: 's3://acme-athena-results/audit/',
    location: { bucket: 'acme-audit-archive', prefix: 'genesys' },
    polling: { initialMs: 1, maxMs: 4, factor: 2 },
    pageSize: 7,
    ...overrides,
  });
}

/**
 * Athena, played over the demo archive (athena-double.ts): the DDL the engine sends makes its table,
 * queries run over it with their ExecutionParameters substituted as Athena does.
 */
function playAthena(options: { bytesScanned?: number; runningPolls?: number } = {}): StartQueryExecutionCommandInput[] {
  return athenaOver(demo.fixture).play(athena, options);
}

async function rowsOf(e: QueryEngine, query: QueryText, confirmUnboundedScan = false): Promise<ResultRow[]> {
  const execution = await e.execute(compileQuery(query, 'athena'), { confirmUnboundedScan });
  const rows: ResultRow[] = [];
  for await (const page of execution.pages) rows.push(...page);
  return rows;
}

describe('Athena', () => {
  it('gets the same SQL text as DuckDB, every value as a typed ExecutionParameter, and answers with the same rows (paged)', async () => {
    const started = playAthena();
    const someone = demo.events.find((e) => e.user.name && e.entityType === 'Queue') as (typeof demo.events)[number];
    const query: QueryText = {
      kind: 'structured',
      structured: StructuredQuerySchema.parse({
        range: { from: '2026-03-02', to: '2026-03-03' },
        users: [someone.user.name],
        entityType: 'Queue',
      }),
    };
    const compiled = compileQuery(query, 'athena');
    const local = await rowsOf(demo.engine(), query);
    const fromAthena = await rowsOf(engine({ pageSize: 2 }), query);

    expect(local.length).toBeGreaterThan(2); // more than one Athena page
    expect(fromAthena).toEqual(local);
    const sent = started.at(-1) as StartQueryExecutionCommandInput;
    expect(sent.QueryString).toBe(compiled.sql);
    expect(sent.ExecutionParameters).toEqual(compiled.parameters.map((p) => sqlLiteral(p.type, p.value)));
    expect(sent.ExecutionParameters?.slice(0, 2)).toEqual(["'2026/03/02'", "'2026/03/03'"]);
    expect(sent.QueryString).not.toContain(someone.user.name as string);
    expect(sent).toMatchObject({
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'audit_archive' },
      WorkGroup: 'audit-archive',
      ResultConfiguration: { OutputLocation: 's3://acme-athena-results/audit/' },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
    });
    expect(athena.commandCalls(GetQueryResultsCommand).length).toBeGreaterThan(1);
  });

  it('creates its database and table idempotently: Hive JSON SerDe, typed nested fields, `user` quoted, eventDate a string, dt projected on yyyy/MM/dd', async () => {
    const started = playAthena();
    const e = engine();
    await rowsOf(e, {
      kind: 'sql',
      sql: 'SELECT count(*) AS n FROM audit_events',
      parameters: [],
      range: { from: '2026-03-02', to: '2026-03-02' },
    });
    await rowsOf(e, {
      kind: 'sql',
      sql: 'SELECT count(*) AS n FROM audit_events',
      parameters: [],
      range: { from: '2026-03-02', to: '2026-03-02' },
    });
    const ddl = started.map((s) => s.QueryString as string).filter((q) => q.startsWith('CREATE'));
    expect(ddl).toHaveLength(2); // once per engine, however many queries
    expect(ddl[0]).toBe('CREATE DATABASE IF NOT EXISTS `audit_archive`');
    const table = ddl[1] as string;
    expect(table).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `audit_archive`\.`audit_events_raw` \(/);
    expect(table).toContain("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'");
    expect(table).toContain('`user` struct<id:string,name:string,selfuri:string>');
    expect(table).toContain('`eventdate` string');
    expect(table).toContain(
      '`propertychanges` array<struct<property:string,oldvalues:array<string>,newvalues:array<string>>>',
    );
    expect(table).toContain('`context` map<string,string>');
    expect(table).toContain('PARTITIONED BY (`dt` string)');
    expect(table).toContain("LOCATION 's3://acme-audit-archive/genesys/audit-logs/'");
    expect(table).toContain("'projection.dt.format'='yyyy/MM/dd'");
    expect(table).toContain("'storage.location.template'='s3://acme-audit-archive/genesys/audit-logs/${dt}/'");
    expect(
      started.filter((s) => s.QueryString?.startsWith('CREATE')).every((s) => s.ExecutionParameters === undefined),
    ).toBe(true);
  });

  it('an orphan part Athena reads doubles no row', async () => {
    playAthena();
    const rows = await rowsOf(engine(), {
      kind: 'sql',
      sql: 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM audit_events',
      parameters: [],
      range: { from: '2026-03-02', to: '2026-03-03' },
    });
    expect(rows).toEqual([[demo.events.length, demo.events.length]]);
  });

  it('an injection attempt is one quoted literal that matches nothing', async () => {
    const started = playAthena();
    const starter = findQuery(defaultSettings(), 'everything-one-user-did');
    const rows = await rowsOf(
      engine(),
      queryTextFor(starter, { parameters: { user: "x' OR '1'='1" }, range: { from: '2026-03-02', to: '2026-03-03' } }),
    );
    expect(rows).toEqual([]);
    expect(started.at(-1)?.ExecutionParameters).toEqual([
      "'2026/03/02'",
      "'2026/03/03'",
      "'x'' OR ''1''=''1'",
      "'x'' OR ''1''=''1'",
    ]);
  });

  it('refuses a query without a date range unless the scan is confirmed, before calling Athena', async () => {
    const started = playAthena();
    const unbounded: QueryText = {
      kind: 'sql',
      sql: 'SELECT count(*) AS n FROM audit_events',
      parameters: [],
      range: null,
    };
    await expect(rowsOf(engine(), unbounded)).rejects.toMatchObject({
      code: 'QUERY_UNBOUNDED_SCAN',
      message: expect.stringMatching(/every day under s3:\/\/acme-audit-archive\/genesys\/audit-logs\//),
    });
    expect(started).toEqual([]);
    expect(await rowsOf(engine(), unbounded, true)).toEqual([[demo.events.length]]);
  });

  it('reports bytes scanned and their cost ($5/TB, at least 10 MB) with the result', async () => {
    playAthena({ bytesScanned: 3 * 1024 ** 3, runningPolls: 3 });
    const progress: string[] = [];
    const metadata = await runDiscoveryQuery({
      engine: engine(),
      query: {
        kind: 'sql',
        sql: 'SELECT action, count(*) AS n FROM audit_events GROUP BY action',
        parameters: [],
        range: { from: '2026-03-02', to: '2026-03-03' },
      },
      archive: 's3://acme-audit-archive/genesys',
      onProgress: (p) => progress.push(p.message),
    });
    ResultMetadataSchema.parse(metadata);
    expect(metadata.cost).toEqual({ bytesScanned: 3 * 1024 ** 3, billedBytes: 3 * 1024 ** 3, costUsd: (3 / 1024) * 5 });
    expect(metadata.engine).toMatchObject({
      kind: 'athena',
      workgroup: 'audit-archive',
      queryExecutionId: 'qe-3',
      outputLocation: 's3://acme-athena-results/audit/qe-3.csv',
    });
    expect(metadata.columns).toEqual([
      { name: 'action', type: 'varchar' },
      { name: 'n', type: 'bigint' },
    ]);
    expect(progress).toContain('Athena: queued, 0.0 MB scanned');
    expect(athenaCost(1)).toEqual({ bytesScanned: 1, billedBytes: 10 * 1024 * 1024, costUsd: (10 / 1024 / 1024) * 5 });
  });

  it("states the population and the gaps of the range from the archive's manifests, as the local engine does", async () => {
    playAthena();
    const metadata = await runDiscoveryQuery({
      engine: engine({
        readArchive: (range, o) =>
          readVouchedArchive(demo.fixture.store, range ?? EVERY_DAY, range, {
            ...o,
            calendar: { rules: calendarRulesOf(defaultSettings()), now: () => demo.fixture.clock.now },
          }),
      }),
      query: {
        kind: 'sql',
        sql: 'SELECT count(*) AS n FROM audit_events',
        parameters: [],
        range: { from: '2026-03-01', to: '2026-03-04' },
      },
      archive: 's3://acme-audit-archive/genesys',
    });
    ResultMetadataSchema.parse(metadata);
    const objects = await listVouchedObjects(demo.fixture.store, { from: '2026-03-01', to: '2026-03-04' });
    expect(metadata.population).toEqual({
      firstDay: '2026-03-02',
      lastDay: '2026-03-03',
      days: 2,
      objects: objects.length,
      events: demo.events.length,
    });
    // The part an interrupted run left on 2026-03-03 is what Athena reads beside the vouched ones: named.
    expect(metadata.gaps).toEqual([
      { day: '2026-03-01', state: 'missing', detail: null },
      {
        day: '2026-03-03',
        state: 'tampered',
        detail: expect.stringContaining('events-0099.jsonl.gz is named by no manifest'),
      },
      { day: '2026-03-04', state: 'missing', detail: null },
    ]);
  });

  it.each([
    ['FAILED', "SYNTAX_ERROR: line 3:8: Column 'nonsense' cannot be resolved", 'QUERY_FAILED'],
    ['FAILED', 'Access denied when writing output to url: s3://acme-athena-results/audit/', 'QUERY_ACCESS_DENIED'],
    ['CANCELLED', 'Query cancelled by user admin', 'QUERY_CANCELLED'],
  ] as const)('a query Athena ends %s surfaces its reason "%s" as %s', async (state, reason, code) => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-x' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { QueryExecutionId: 'qe-x', Status: { State: state, StateChangeReason: reason } } });
    const e = engine();
    // The DDL statements end the same way; the first one surfaces it.
    await expect(
      rowsOf(e, { kind: 'sql', sql: 'SELECT 1', parameters: [], range: { from: '2026-03-02', to: '2026-03-02' } }),
    ).rejects.toMatchObject({
      code,
      message: expect.stringContaining(reason),
    });
  });

  it('a role without Athena permissions gets QUERY_ACCESS_DENIED pointing at the permissions it needs', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(
        Object.assign(
          new Error('User: arn:aws:iam::1:user/x is not authorized to perform: athena:StartQueryExecution'),
          { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } },
        ),
      );
    await expect(
      rowsOf(engine(), {
        kind: 'sql',
        sql: 'SELECT 1',
        parameters: [],
        range: { from: '2026-03-02', to: '2026-03-02' },
      }),
    ).rejects.toMatchObject({
      code: 'QUERY_ACCESS_DENIED',
      message: expect.stringMatching(/not authorized to perform: athena:StartQueryExecution.*README/),
    });
  });

  it('cancelling stops the query in Athena (StopQueryExecution) and reports QUERY_CANCELLED', async () => {
    playAthena({ runningPolls: 1_000_000 });
    const controller = new AbortController();
    const e = engine();
    await e.ensureTable();
    const running = e.execute(
      compileQuery(
        {
          kind: 'sql',
          sql: 'SELECT * FROM audit_events',
          parameters: [],
          range: { from: '2026-03-02', to: '2026-03-03' },
        },
        'athena',
      ),
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'running' && p.message.includes('running')) controller.abort();
        },
      },
    );
    await expect(running).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'qe-3' },
    ]);
  });
});
