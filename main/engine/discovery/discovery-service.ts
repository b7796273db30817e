/**
 * DiscoveryService: the Discovery page's channels over the engine. A run is started, keeps its rows
 * in a spool file (so the page can show any window of 100,000 rows and export them all), and is
 * polled for progress; the ten newest runs are kept, older spools are deleted.
 *
 * Each run opens the archive in the current settings and an engine of its own, so a target or engine
 * changed in Settings applies to the next query at once.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { z } from 'zod';
import { AUDIT_EVENTS_COLUMNS } from '../../../shared/discovery/audit-events-table';
import { compileQuery, type QueryText } from '../../../shared/discovery/compile-query';
import type { discoveryContract, RunProgressSchema } from '../../../shared/discovery/discovery-contract';
import {
  findQuery,
  listQueries,
  queryTextFor,
  savedQueriesFile,
  withImportedQueries,
  withoutSavedQuery,
  withSavedQuery,
} from '../../../shared/discovery/query-library';
import type { ResultColumn, ResultMetadata } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { openArchiveStore } from '../archive/stores/open-store';
import { openQueryEngine } from './open-query-engine';
import type { QueryEngine } from './query-engine';
import { ResultWriter } from './result-export';
import { ResultSpool } from './result-spool';
import { runDiscoveryQuery } from './run-query';

type Channels = typeof discoveryContract;
type Req<C extends keyof Channels> = z.output<Channels[C]['request']>;
type Res<C extends keyof Channels> = z.infer<Channels[C]['response']>;

export type DiscoveryService = { readonly [C in keyof Channels]: (request: Req<C>) => Promise<Res<C>> };

export interface DiscoveryServiceOptions {
  readonly loadSettings: () => Promise<Settings>;
  readonly saveSettings: (settings: Settings) => Promise<unknown>;
  /** The archive target in effect (the configured one, else the app's local folder). */
  readonly archiveTarget: (settings: Settings) => string;
  /** The local engine's cache when settings do not name one. */
  readonly cacheFolder: string;
  /** Where runs spool their rows (emptied at start). */
  readonly resultsFolder: string;
  /** Where exports are written. */
  readonly exportsFolder: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the secret that seals the cache is kept (absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
  /** The installation's state folder (its run journal names failed days). */
  readonly stateDir?: string;
  /** The settings as the calendar applies them (the demo's policy start), for a result's gaps. */
  readonly calendarSettings?: (settings: Settings) => Promise<Settings>;
  readonly now?: () => number;
  /** Tests: the engine to use instead of the one settings describe. */
  readonly openEngine?: (kind: 'local' | 'athena', settings: Settings, store: ArchiveStore) => QueryEngine;
}

const KEEP_RUNS = 10;

interface Run {
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

export function createDiscoveryService(
  options: DiscoveryServiceOptions,
): DiscoveryService & { close(): Promise<void> } {
  const runs = new Map<string, Run>();
  const cleared = fs.rm(options.resultsFolder, { recursive: true, force: true });

  function run(runId: string): Run {
    const r = runs.get(runId);
    if (!r)
      throw new AuditArchiveError(
        'NOT_FOUND',
        'This result is no longer kept (only the ten newest are); run the query again.',
      );
    return r;
  }

  async function evictOld(): Promise<void> {
    const finishedRuns = [...runs.values()].filter((r) => r.state !== 'running');
    for (const r of finishedRuns.slice(0, Math.max(0, runs.size - KEEP_RUNS))) {
      runs.delete(r.id);
      await r.spool.dispose();
    }
  }

  function resolve(
    settings: Settings,
    request: Req<'discovery:run'>['query'],
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

  const listed = async () => ({ queries: listQueries(await options.loadSettings()) });

  return {
    async 'discovery:library'() {
      const settings = await options.loadSettings();
      const archive = options.archiveTarget(settings);
      return {
        queries: listQueries(settings),
        defaultEngine: settings.discovery.engine,
        athenaAvailable: archive.startsWith('s3://'),
        archive,
        columns: [...AUDIT_EVENTS_COLUMNS],
      };
    },

    async 'discovery:run'(request) {
      await cleared;
      const settings = await options.loadSettings();
      // Compiling first refuses a bad query (a typo in a parameter, a statement that is not a query) at once.
      const { query, savedQuery } = resolve(settings, request.query);
      compileQuery(query);
      const target = options.archiveTarget(settings);
      const store = openArchiveStore(target, settings.archive.s3, options.env);
      const kind = request.engine ?? settings.discovery.engine;
      const engine =
        options.openEngine?.(kind, settings, store) ??
        openQueryEngine({
          kind,
          settings: (await options.calendarSettings?.(settings)) ?? settings,
          store,
          defaultCacheFolder: options.cacheFolder,
          env: options.env,
          cacheSealKey: options.cacheSealKey ?? null,
          ...(options.stateDir ? { stateDir: options.stateDir } : {}),
          ...(options.now ? { now: options.now } : {}),
        });
      const id = randomUUID();
      const spool = await ResultSpool.create(options.resultsFolder, id);
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
      entry.done = (async () => {
        try {
          entry.metadata = await runDiscoveryQuery({
            engine,
            query,
            archive: store.url,
            savedQuery,
            signal: controller.signal,
            confirmUnboundedScan: request.confirmUnboundedScan,
            onProgress: (p) => (entry.progress = { ...p }),
            onColumns: (columns) => void (entry.columns = [...columns]),
            onPage: (rows) => spool.append(rows),
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
      })();
      runs.set(id, entry);
      await evictOld();
      return { runId: id };
    },

    async 'discovery:status'({ runId }) {
      const r = run(runId);
      return {
        state: r.state,
        progress: r.progress,
        rowCount: r.spool.rowCount,
        columns: r.columns,
        metadata: r.metadata,
        error: r.error,
      };
    },

    async 'discovery:rows'({ runId, offset, limit }) {
      const r = run(runId);
      return { rows: await r.spool.read(offset, limit), rowCount: r.spool.rowCount };
    },

    async 'discovery:cancel'({ runId }) {
      const r = run(runId);
      if (r.state !== 'running') return { cancelled: false };
      r.controller.abort();
      await r.done;
      return { cancelled: (r.state as Run['state']) === 'cancelled' };
    },

    async 'discovery:export'({ runId, format }) {
      const r = run(runId);
      if (r.state !== 'succeeded' || !r.metadata || !r.columns) {
        throw new AuditArchiveError(
          'INVALID_REQUEST',
          'Only a finished query can be exported; wait for it to finish (or run it again).',
        );
      }
      await fs.mkdir(options.exportsFolder, { recursive: true });
      const stamp = r.metadata.finishedAt.replace(/[:.]/g, '-');
      const base = `audit-archive-query-${stamp}-${r.id.slice(0, 8)}`;
      const file = path.join(options.exportsFolder, `${base}.${format === 'csv' ? 'csv' : 'ndjson'}`);
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
      await fs.writeFile(metadataFile, JSON.stringify(r.metadata, null, 2) + '\n', { flag: 'wx' });
      return { file, metadataFile, rows: r.spool.rowCount };
    },

    async 'discovery:save-query'({ query }) {
      await options.saveSettings(withSavedQuery(await options.loadSettings(), query));
      return listed();
    },

    async 'discovery:delete-query'({ id }) {
      await options.saveSettings(withoutSavedQuery(await options.loadSettings(), id));
      return listed();
    },

    async 'discovery:export-queries'() {
      return { file: savedQueriesFile(await options.loadSettings(), new Date().toISOString()) };
    },

    async 'discovery:import-queries'({ file }) {
      const imported = withImportedQueries(await options.loadSettings(), file);
      await options.saveSettings(imported.settings);
      return { added: imported.added, replaced: imported.replaced, ...(await listed()) };
    },

    async close() {
      for (const r of runs.values()) r.controller.abort();
      await Promise.all([...runs.values()].map((r) => r.done.catch(() => undefined)));
      for (const r of runs.values()) await r.spool.dispose();
      runs.clear();
    },
  };
}
