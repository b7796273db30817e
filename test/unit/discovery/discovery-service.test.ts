/**
 * The Discovery page's channels end to end in Node: through `dispatch` (request and response checked
 * against the contract, as both transports do) to the app's service over a userData folder whose
 * archive real exports filled.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ResultMetadataSchema } from '../../../shared/discovery/result-metadata';
import { STARTER_QUERIES } from '../../../shared/discovery/starter-queries';
import type { ResponseOf } from '../../../shared/ipc/contract';
import { dispatch } from '../../../main/engine/service/dispatch';
import type { AppService } from '../../../main/engine/service/app-service';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { openAppService, settingsPathIn } from '../../../main/engine/service/open-app-service';
import { fillAppArchive } from '../service/archive-status-fixture';

let userDataDir: string;
let service: AppService;
let closeService: () => Promise<void> = async () => undefined;
let days: Day[];

beforeAll(async () => {
  userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-discovery-service-'));
  const last = lastSettledDay(Date.now(), 120);
  days = [addDays(last, -2), addDays(last, -1), last];
  await fillAppArchive(userDataDir, { archive: days });
  await fs.writeFile(settingsPathIn(userDataDir), '{}');
  ({ service, close: closeService } = openAppService({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
  }));
});

afterAll(async () => {
  // Stops its runs and removes their result files (each holds an open file).
  await closeService();
  for (const e of await fs.readdir(userDataDir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644).catch(() => undefined);
  }
  await fs.rm(userDataDir, { recursive: true, force: true });
});

async function call<T>(channel: string, request: unknown): Promise<T> {
  const result = await dispatch(service, channel, request, { onInternalError: (c, e) => console.error(c, e) });
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value as T;
}

async function finished(runId: string): Promise<ResponseOf<'discovery:status'>> {
  for (;;) {
    const status = await call<ResponseOf<'discovery:status'>>('discovery:status', { runId });
    if (status.state !== 'running') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the run says its query is running in the engine (not still listing or preparing). */
async function runningInEngine(runId: string): Promise<void> {
  for (;;) {
    const status = await call<ResponseOf<'discovery:status'>>('discovery:status', { runId });
    if (status.state !== 'running') throw new Error(`the run ended before it ran: ${status.state}`);
    if (status.progress?.phase === 'running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('discovery channels', () => {
  it('list the starter library with its parameters, the local engine by default, and the table columns', async () => {
    const library = await call<ResponseOf<'discovery:library'>>('discovery:library', {});
    expect(library.queries.filter((q) => q.builtIn).map((q) => q.id)).toEqual(STARTER_QUERIES.map((q) => q.id));
    expect(library.defaultEngine).toBe('local');
    expect(library.athenaAvailable).toBe(false);
    expect(library.columns).toContain('propertychanges');
  });

  it('run a starter with its parameter, page through the rows, and export CSV and NDJSON with the metadata beside them', async () => {
    const { runId } = await call<{ runId: string }>('discovery:run', {
      query: {
        kind: 'saved',
        id: 'trunks-and-routing-changes',
        parameters: {},
        range: { from: days[0], to: days.at(-1) },
      },
    });
    const status = await finished(runId);
    expect(status.state).toBe('succeeded');
    const metadata = ResultMetadataSchema.parse(status.metadata);
    expect(metadata.query.savedQuery).toEqual({
      id: 'trunks-and-routing-changes',
      name: 'Changes to trunks and routing',
    });
    expect(status.rowCount).toBe(metadata.rowCount);
    expect(status.rowCount).toBeGreaterThan(3);

    const head = await call<ResponseOf<'discovery:rows'>>('discovery:rows', { runId, offset: 0, limit: 2 });
    const tail = await call<ResponseOf<'discovery:rows'>>('discovery:rows', {
      runId,
      offset: status.rowCount - 1,
      limit: 1000,
    });
    expect(head.rows).toHaveLength(2);
    expect(tail.rows).toHaveLength(1);

    const csv = await call<ResponseOf<'discovery:export'>>('discovery:export', { runId, format: 'csv' });
    expect((await fs.readFile(csv.file, 'utf8')).trimEnd().split('\r\n')).toHaveLength(status.rowCount + 1);
    const ndjson = await call<ResponseOf<'discovery:export'>>('discovery:export', { runId, format: 'ndjson' });
    const lines = (await fs.readFile(ndjson.file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(status.rowCount);
    expect(lines[0]?.id).toBe(head.rows[0]?.[12]);
    expect(ResultMetadataSchema.parse(JSON.parse(await fs.readFile(ndjson.metadataFile, 'utf8')))).toEqual(metadata);
  });

  it('refuse at once what cannot run, naming why, and start nothing', async () => {
    await expect(
      call('discovery:run', {
        query: { kind: 'saved', id: 'changes-to-one-queue', parameters: { qeue: 'x' }, range: null },
      }),
    ).rejects.toMatchObject({
      code: 'QUERY_INVALID',
      message: expect.stringContaining('no parameter :qeue'),
    });
    await expect(
      call('discovery:run', { query: { kind: 'sql', sql: 'DELETE FROM audit_events', parameters: [], range: null } }),
    ).rejects.toMatchObject({ code: 'QUERY_INVALID' });
    await expect(
      call('discovery:run', { query: { kind: 'sql', sql: 'SELECT 1', parameters: [], range: null }, engine: 'athena' }),
    ).rejects.toMatchObject({
      code: 'QUERY_ENGINE_NOT_CONFIGURED',
      message: expect.stringMatching(/Athena reads archives in S3/),
    });
    await expect(
      call('discovery:run', { query: { kind: 'structured', structured: { range: { from: days[1], to: days[0] } } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/range\.to: ends before it starts/),
    });
  });

  it('save, export, import and delete saved queries; a starter cannot be overwritten, a broken file imports nothing', async () => {
    const mine = {
      id: 'fraud-queue-deletions',
      name: 'Fraud queue deletions',
      description: 'Asked by the examiner in March',
      query: {
        kind: 'sql',
        sql: "SELECT * FROM audit_events WHERE lower(entity.name) = lower(:queue) AND action = 'Delete'",
      },
      parameters: [{ name: 'queue', type: 'string', label: 'Queue', default: 'Fraud Hotline' }],
    };
    const saved = await call<ResponseOf<'discovery:save-query'>>('discovery:save-query', { query: mine });
    expect(saved.queries.find((q) => q.id === mine.id)).toMatchObject({ ...mine, builtIn: false });
    const onDisk = JSON.parse(await fs.readFile(settingsPathIn(userDataDir), 'utf8')) as {
      discovery: { savedQueries: unknown[] };
    };
    expect(onDisk.discovery.savedQueries).toEqual([mine]);

    await expect(call('discovery:save-query', { query: { ...mine, id: 'deletions' } })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(call('discovery:save-query', { query: { ...mine, parameters: [] } })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('the SQL uses :queue, which is not declared'),
    });

    const exported = await call<ResponseOf<'discovery:export-queries'>>('discovery:export-queries', {});
    await call('discovery:delete-query', { id: mine.id });
    expect(
      (await call<ResponseOf<'discovery:library'>>('discovery:library', {})).queries.some((q) => q.id === mine.id),
    ).toBe(false);

    const broken = {
      ...exported.file,
      queries: [...exported.file.queries, { id: 'Bad Id', name: 'x', query: { kind: 'sql', sql: 'SELECT 1' } }],
    };
    await expect(call('discovery:import-queries', { file: broken })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/Nothing was imported/),
    });
    expect(
      (await call<ResponseOf<'discovery:library'>>('discovery:library', {})).queries.some((q) => q.id === mine.id),
    ).toBe(false);

    const imported = await call<ResponseOf<'discovery:import-queries'>>('discovery:import-queries', {
      file: JSON.parse(JSON.stringify(exported.file)),
    });
    expect(imported).toMatchObject({ added: 1, replaced: 0 });
    expect(imported.queries.find((q) => q.id === mine.id)).toMatchObject(mine);
  });

  it('cancel a running query: it ends cancelled, saying so', async () => {
    const { runId } = await call<{ runId: string }>('discovery:run', {
      query: {
        kind: 'sql',
        sql: 'SELECT sum(x * x % 7) AS n FROM range(100000000000) AS a(x)',
        parameters: [],
        range: null,
      },
    });
    await runningInEngine(runId);
    expect(await call('discovery:cancel', { runId })).toEqual({ cancelled: true });
    const status = await finished(runId);
    expect(status).toMatchObject({ state: 'cancelled', error: { code: 'QUERY_CANCELLED' } });
  });
});
