/**
 * DiscoveryService: the Discovery page's channels over the engine: runs (discovery-runs.ts: started,
 * spooled, polled, cancelled, exported; the ten newest kept) and the query library (saved, deleted,
 * exported and imported through the settings).
 *
 * Each run opens the archive in the current settings and an engine of its own, so a target or engine
 * changed in Settings applies to the next query at once.
 */
import type * as z from 'zod';
import { AUDIT_EVENTS_COLUMNS } from '../../../shared/discovery/audit-events-table';
import { compileQuery } from '../../../shared/discovery/compile-query';
import type { discoveryContract } from '../../../shared/discovery/discovery-contract';
import {
  listQueries,
  savedQueriesFile,
  withImportedQueries,
  withoutSavedQuery,
  withSavedQuery,
} from '../../../shared/discovery/query-library';
import type { Settings } from '../../../shared/settings';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { openArchiveStore } from '../archive/stores/open-store';
import { exportRun, openRunEngine, resolveRunQuery, RunTable, startRun, type Run } from './discovery-runs';
import type { QueryEngine } from './query-engine';

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

type Channel<C extends keyof Channels> = Pick<DiscoveryService, C>;

export function createDiscoveryService(
  options: DiscoveryServiceOptions,
): DiscoveryService & { close(): Promise<void> } {
  const runs = new RunTable(options.resultsFolder);
  return {
    ...libraryChannels(options),
    ...runChannels(options, runs),
    close: () => runs.close(),
  };
}

/** Starting a run, and following, reading, cancelling and exporting it. */
function runChannels(
  options: DiscoveryServiceOptions,
  runs: RunTable,
): Channel<'discovery:run' | 'discovery:status' | 'discovery:rows' | 'discovery:cancel' | 'discovery:export'> {
  return {
    'discovery:run': (request) => startDiscoveryRun(options, runs, request),
    async 'discovery:status'({ runId }) {
      const r = runs.get(runId);
      const { state, progress, columns, metadata, error } = r;
      return { state, progress, rowCount: r.spool.rowCount, columns, metadata, error };
    },
    async 'discovery:rows'({ runId, offset, limit }) {
      const r = runs.get(runId);
      return { rows: await r.spool.read(offset, limit), rowCount: r.spool.rowCount };
    },
    async 'discovery:cancel'({ runId }) {
      const r = runs.get(runId);
      if (r.state !== 'running') return { cancelled: false };
      r.controller.abort();
      await r.done;
      return { cancelled: (r.state as Run['state']) === 'cancelled' };
    },
    'discovery:export': async ({ runId, format }) => exportRun(runs.get(runId), options.exportsFolder, format),
  };
}

/** A new run: the query compiled first (a bad one is refused at once), then run in the background. */
async function startDiscoveryRun(
  options: DiscoveryServiceOptions,
  runs: RunTable,
  request: Req<'discovery:run'>,
): Promise<Res<'discovery:run'>> {
  await runs.cleared;
  const settings = await options.loadSettings();
  const { query, savedQuery } = resolveRunQuery(settings, request.query);
  compileQuery(query, 'local'); // refused here if it cannot compile on any engine: the text after the table is the same
  const store = openArchiveStore(options.archiveTarget(settings), settings.archive.s3, options.env);
  const engine = await openRunEngine(options, request.engine ?? settings.discovery.engine, settings, store);
  const run = await startRun(runs, engine, {
    query,
    archive: store.url,
    savedQuery,
    confirmUnboundedScan: request.confirmUnboundedScan,
  });
  await runs.add(run);
  return { runId: run.id };
}

/** The query library: listing, saving, deleting, exporting and importing queries through the settings. */
function libraryChannels(
  options: DiscoveryServiceOptions,
): Channel<
  | 'discovery:library'
  | 'discovery:save-query'
  | 'discovery:delete-query'
  | 'discovery:export-queries'
  | 'discovery:import-queries'
> {
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
  };
}
