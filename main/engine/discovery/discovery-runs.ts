/**
 * The Discovery page's runs: each started with the archive and an engine of its own (so a target or
 * engine changed in Settings applies to the next query at once), keeping its rows in a spool file
 * (the page shows any window of 100,000 rows and exports them all), polled for progress. The ten
 * newest runs are kept; older spools are deleted. discovery-service.ts wires them to the channels.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type * as z from 'zod';
import type { QueryText } from '../../../shared/discovery/compile-query';
import type { discoveryContract, RunProgressSchema } from '../../../shared/discovery/discovery-contract';
import { findQuery, queryTextFor } from '../../../shared/discovery/query-library';
import type { ResultColumn, ResultMetadata } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { openQueryEngine } from './open-query-engine';
import type { QueryEngine } from './query-engine';
import { ResultWriter, type ExportFormat } from './result-export';
import { ResultSpool } from './result-spool';
import { runDiscoveryQuery } from './run-query';

const KEEP_RUNS = 10;

export interface Run {
  readonly id: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: z.infer<typeof RunProgressSchema> | null;
  columns: ResultColumn[] | null;
  metadata: ResultMetadata | null;
  error: { code: ErrorCode; message: string } | null;
  readonly spool: ResultSpool;
  readonly controller: AbortController;
  done: Promise<void>;
}

/** The runs kept, newest last; the results folder is emptied once, before the first run. */
export class RunTable {
  private readonly runs = new Map<string, Run>();
  readonly cleared: Promise<void>;

  constructor(readonly resultsFolder: string) {
    this.cleared = fs.rm(resultsFolder, { recursive: true, force: true });
  }

  get(runId: string): Run {
    const r = this.runs.get(runId);
    if (!r)
      throw new AuditArchiveError(
        'NOT_FOUND',
        'This result is no longer kept (only the ten newest are); run the query again.',
      );
    return r;
  }

  /** Keeps a new run, and lets go of the oldest finished ones beyond the ten newest. */
  async add(run: Run): Promise<void> {
    this.runs.set(run.id, run);
    const finishedRuns = [...this.runs.values()].filter((r) => r.state !== 'running');
    for (const r of finishedRuns.slice(0, Math.max(0, this.runs.size - KEEP_RUNS))) {
      this.runs.delete(r.id);
      await r.spool.dispose();
    }
  }

  async close(): Promise<void> {
    for (const r of this.runs.values()) r.controller.abort();
    await Promise.all([...this.runs.values()].map((r) => r.done.catch(() => undefined)));
    for (const r of this.runs.values()) await r.spool.dispose();
    this.runs.clear();
  }
}

/** What a run's query is asked as: a saved query with its values, a structured query, or SQL. */
type RunQueryRequest = z.output<(typeof discoveryContract)['discovery:run']['request']>['query'];

/** The query text a request stands for, and the saved query it names (if any). */
export function resolveRunQuery(
  settings: Settings,
  request: RunQueryRequest,
): { query: QueryText; savedQuery: { id: string; name: string } | null } {
  if (request.kind === 'saved') {
    const saved = findQuery(settings, request.id);
    return {
      query: queryTextFor(saved, { parameters: request.parameters, range: request.range }),
      savedQuery: { id: saved.id, name: saved.name },
    };
  }
  if (request.kind === 'structured') return { query: request, savedQuery: null };
  return {
    query: { kind: 'sql', sql: request.sql, parameters: request.parameters, range: request.range },
    savedQuery: null,
  };
}

/** What opening a run's engine needs. */
interface RunEngineOptions {
  readonly cacheFolder: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cacheSealKey?: CacheSealKey | null;
  readonly stateDir?: string;
  readonly calendarSettings?: (settings: Settings) => Promise<Settings>;
  readonly now?: () => number;
  readonly openEngine?: (kind: 'local' | 'athena', settings: Settings, store: ArchiveStore) => QueryEngine;
}

/** The engine of one run, as the settings describe it (or the test's). */
export async function openRunEngine(
  o: RunEngineOptions,
  kind: 'local' | 'athena',
  settings: Settings,
  store: ArchiveStore,
): Promise<QueryEngine> {
  return (
    o.openEngine?.(kind, settings, store) ??
    openQueryEngine({
      kind,
      settings: (await o.calendarSettings?.(settings)) ?? settings,
      store,
      defaultCacheFolder: o.cacheFolder,
      env: o.env,
      cacheSealKey: o.cacheSealKey ?? null,
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      ...(o.now ? { now: o.now } : {}),
    })
  );
}

/** Starts a run of `query` on `engine` in the background; the engine is closed when it ends. */
export async function startRun(
  table: RunTable,
  engine: QueryEngine,
  job: {
    query: QueryText;
    archive: string;
    savedQuery: { id: string; name: string } | null;
    confirmUnboundedScan: boolean;
  },
): Promise<Run> {
  const id = randomUUID();
  const spool = await ResultSpool.create(table.resultsFolder, id);
  const controller = new AbortController();
  const entry: Run = {
    id,
    state: 'running',
    progress: null,
    columns: null,
    metadata: null,
    error: null,
    spool,
    controller,
    done: Promise.resolve(),
  };
  entry.done = runInto(entry, engine, job);
  return entry;
}

async function runInto(entry: Run, engine: QueryEngine, job: Parameters<typeof startRun>[2]): Promise<void> {
  try {
    entry.metadata = await runDiscoveryQuery({
      engine,
      ...job,
      signal: entry.controller.signal,
      onProgress: (p) => (entry.progress = { ...p }),
      onColumns: (columns) => void (entry.columns = [...columns]),
      onPage: (rows) => entry.spool.append(rows),
    });
    entry.state = 'succeeded';
  } catch (e) {
    const error = isAuditArchiveError(e)
      ? e
      : new AuditArchiveError('INTERNAL', 'The query failed unexpectedly; try again.');
    entry.state = error.code === 'QUERY_CANCELLED' ? 'cancelled' : 'failed';
    entry.error = { code: error.code, message: error.message };
  } finally {
    await engine.close().catch(() => undefined);
  }
}

/** Writes a finished run's rows (CSV or NDJSON) and its metadata into `folder`, never over a file. */
export async function exportRun(
  r: Run,
  folder: string,
  format: ExportFormat,
): Promise<{ file: string; metadataFile: string; rows: number }> {
  if (r.state !== 'succeeded' || !r.metadata || !r.columns) {
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      'Only a finished query can be exported; wait for it to finish (or run it again).',
    );
  }
  await fs.mkdir(folder, { recursive: true });
  const stamp = r.metadata.finishedAt.replace(/[:.]/g, '-');
  const base = `audit-archive-query-${stamp}-${r.id.slice(0, 8)}`;
  const file = path.join(folder, `${base}.${format === 'csv' ? 'csv' : 'ndjson'}`);
  const metadataFile = `${file}.query.json`;
  const out = createWriteStream(file, { flags: 'wx' });
  const writer = new ResultWriter(format, (text) =>
    out.write(text) ? undefined : new Promise<void>((res) => out.once('drain', () => res())),
  );
  try {
    await writer.columns(r.columns);
    for await (const page of r.spool.pages()) await writer.rows(page);
    out.end();
    await finished(out);
  } catch (e) {
    out.destroy();
    await fs.rm(file, { force: true });
    throw e;
  }
  // The rows without their metadata would read as a complete answer: neither is kept.
  await fs.writeFile(metadataFile, JSON.stringify(r.metadata, null, 2) + '\n', { flag: 'wx' }).catch(async (e) => {
    await fs.rm(file, { force: true });
    throw e;
  });
  return { file, metadataFile, rows: r.spool.rowCount };
}
