/**
 * openQueryEngine: the one place settings become a QueryEngine.
 *
 * - `local`: DuckDB on this machine over the archive target (a local folder read in place, an S3
 *   archive downloaded into the cache by version id and checked against its manifests first).
 * - `athena`: Amazon Athena over the S3 archive target, in the configured workgroup and database.
 *
 * Both state a result's population and gaps from the archive's manifests, judged with the
 * calendar's rules (settings) and this installation's run journal (`stateDir`, when given).
 *
 * The settings are checked here, at once; the Athena engine and its AWS SDK client are loaded when
 * its first query runs (athena-open.ts), so a local query never loads the AWS SDK.
 */
import path from 'node:path';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { calendarRulesOf, type Settings } from '../../../shared/settings';
import { AuditArchiveError } from '../../../shared/errors';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { RunJournal } from '../archive/run-journal';
import { LocalQueryEngine } from './local-engine';
import type { AthenaQueryEngineOptions } from './athena-engine';
import type { QueryEngine } from './query-engine';
import {
  EVERY_DAY,
  listVouchedObjects,
  readOncePerRange,
  readVouchedArchive,
  type DiscoveryCalendar,
  type VouchedArchiveReader,
} from './vouched-objects';

interface OpenQueryEngineOptions {
  readonly kind: 'local' | 'athena';
  readonly settings: Settings;
  readonly store: ArchiveStore;
  /** The local engine's cache folder (settings.discovery.cacheDir wins when set). */
  readonly defaultCacheFolder: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the secret that seals the cache is kept (cache-seal.ts; absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
  /** The installation's state folder, whose run journal knows each day's last failure (absent: none). */
  readonly stateDir?: string;
  /** Clock (tests place "today"). */
  readonly now?: () => number;
  /** Tests: a client to use instead of a new one (the real client, under aws-sdk-client-mock). */
  readonly athenaClient?: AthenaClient;
  /**
   * A report's engine: its queries read the archive once per range (one state of the archive for the
   * cited query, where its events are and its events per day; vouched-objects.ts `readOncePerRange`).
   */
  readonly oneArchiveRead?: boolean;
}

export function openQueryEngine(options: OpenQueryEngineOptions): QueryEngine {
  const { settings, store } = options;
  const calendar: DiscoveryCalendar = {
    rules: calendarRulesOf(settings),
    ...(options.stateDir ? { journal: () => RunJournal.open(options.stateDir as string, store.url) } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const cacheFolder = settings.discovery.cacheDir ?? options.defaultCacheFolder;
  if (options.kind === 'local') {
    return new LocalQueryEngine({
      store,
      cacheFolder,
      cacheSealKey: options.cacheSealKey ?? null,
      calendar,
      ...(options.oneArchiveRead ? { oneArchiveRead: true } : {}),
    });
  }
  const target = /^s3:\/\/([^/]+)\/?(.*)$/.exec(store.url);
  if (store.kind !== 's3' || !target) {
    throw new AuditArchiveError(
      'QUERY_ENGINE_NOT_CONFIGURED',
      `Athena reads archives in S3; this archive is ${store.url}. Use the local engine, or set the archive target to s3://bucket/prefix.`,
    );
  }
  const athena = settings.discovery.athena;
  const region =
    athena.region ??
    settings.archive.s3.region ??
    nonEmpty(options.env.AWS_REGION) ??
    nonEmpty(options.env.AWS_DEFAULT_REGION);
  if (!region) {
    throw new AuditArchiveError(
      'QUERY_ENGINE_NOT_CONFIGURED',
      'Athena needs an AWS region: set discovery.athena.region (or AWS_REGION).',
    );
  }
  // The manifests are cached (and checked at use) where the local engine keeps them.
  const manifests = { stateDir: path.join(cacheFolder, 'archive-state'), cacheSealKey: options.cacheSealKey ?? null };
  const read: VouchedArchiveReader = (objects, gaps, o) => readVouchedArchive(store, objects, gaps, o);
  const readArchive = options.oneArchiveRead ? readOncePerRange(read) : read;
  const engine: Omit<AthenaQueryEngineOptions, 'client'> = {
    region,
    workgroup: athena.workgroup,
    database: athena.database,
    ...(athena.outputLocation ? { outputLocation: athena.outputLocation } : {}),
    location: { bucket: target[1] as string, prefix: target[2] ?? '' },
    // Parts left by interrupted runs add a little to this; Athena reads them too.
    estimateScanBytes: async () =>
      (await listVouchedObjects(store, EVERY_DAY, manifests)).reduce((n, o) => n + o.size, 0),
    readArchive: (range, o) => readArchive(range ?? EVERY_DAY, range, { ...manifests, ...o, calendar }),
  };
  return deferredEngine('athena', async () =>
    (await import('./athena-open')).openAthenaEngine(engine, options.athenaClient),
  );
}

/** An engine loaded on its first query (and loaded again after a load that failed). */
function deferredEngine(kind: QueryEngine['kind'], load: () => Promise<QueryEngine>): QueryEngine {
  let loaded: Promise<QueryEngine> | null = null;
  const engine = () =>
    (loaded ??= load().catch((e: unknown) => {
      loaded = null;
      throw e;
    }));
  return {
    kind,
    execute: async (query, options) => (await engine()).execute(query, options),
    close: async () => {
      const opened = loaded && (await loaded.catch(() => null));
      await opened?.close();
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}
