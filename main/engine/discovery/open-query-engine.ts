/**
 * openQueryEngine: the one place settings become a QueryEngine.
 *
 * - `local`: DuckDB on this machine over the archive target (a local folder read in place, an S3
 *   archive downloaded into the cache by version id and checked against its manifests first).
 * - `athena`: Amazon Athena over the S3 archive target, in the configured workgroup and database.
 *
 * Both state a result's population and gaps from the archive's manifests, judged with the
 * calendar's rules (settings) and this installation's run journal (`stateDir`, when given).
 */
import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { calendarRulesOf, type Settings } from '../../../shared/settings';
import { AuditArchiveError } from '../../../shared/errors';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { RunJournal } from '../archive/run-journal';
import { AthenaQueryEngine } from './athena-engine';
import { LocalQueryEngine } from './local-engine';
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
  const client = options.athenaClient ?? new AthenaClient({ region });
  // The manifests are cached (and checked at use) where the local engine keeps them.
  const manifests = { stateDir: path.join(cacheFolder, 'archive-state'), cacheSealKey: options.cacheSealKey ?? null };
  const read: VouchedArchiveReader = (objects, gaps, o) => readVouchedArchive(store, objects, gaps, o);
  const readArchive = options.oneArchiveRead ? readOncePerRange(read) : read;
  return new AthenaQueryEngine({
    client,
    region,
    workgroup: athena.workgroup,
    database: athena.database,
    ...(athena.outputLocation ? { outputLocation: athena.outputLocation } : {}),
    location: { bucket: target[1] as string, prefix: target[2] ?? '' },
    // Parts left by interrupted runs add a little to this; Athena reads them too.
    estimateScanBytes: async () =>
      (await listVouchedObjects(store, EVERY_DAY, manifests)).reduce((n, o) => n + o.size, 0),
    readArchive: (range, o) => readArchive(range ?? EVERY_DAY, range, { ...manifests, ...o, calendar }),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}
