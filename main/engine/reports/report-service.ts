/**
 * ReportService: the Reports page's channels over the report builder.
 *
 * A report runs as a job in main (its progress and receipt go to `onJob`, which the app pushes to the
 * page as `report` events; `reports:status` answers the same on demand); reports live in
 * one folder (`<userData>/reports` in the app), each as `<id>/`, `<id>.zip` and `<id>.receipt.json`,
 * which is also the list of past reports. Each call opens the archive in the current settings, so a
 * target changed in Settings applies at once. Opening a report's folder is the desktop's business:
 * the Electron shell passes `openFolder`; without it (dev:web) the page shows the path.
 */
import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import { findQuery, listQueries, queryTextFor } from '../../../shared/discovery/query-library';
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import type { ReportJobStatus, reportsContract } from '../../../shared/reports/report-contract';
import type { ReportSpec } from '../../../shared/reports/report-request';
import type { Settings } from '../../../shared/settings';
import type { ArchiveSession } from '../archive/archive-session';
import { TOOL_VERSION } from '../archive/archive-session';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { openCopyTarget } from '../archive/copy/copy-target';
import { openQueryEngine } from '../discovery/open-query-engine';
import type { QueryEngine } from '../discovery/query-engine';
import { generateReport, previewReport, verificationPolicyOf, type ReportBuildOptions } from './build-report';
import { checkReport } from './check-report';
import type { CitedSource } from './cited-results';
import { fixedGenerationTime } from './generation-time';
import type { ResolvedFonts } from './pdf/fonts';
import { findReceipt, JobTable, listReceipts } from './report-jobs';
import type { CitedRows } from './rerun-comparison';

type Channels = typeof reportsContract;
type Req<C extends keyof Channels> = z.output<Channels[C]['request']>;
type Res<C extends keyof Channels> = z.infer<Channels[C]['response']>;

export type ReportService = { readonly [C in keyof Channels]: (request: Req<C>) => Promise<Res<C>> };

interface ReportServiceOptions {
  readonly loadSettings: () => Promise<Settings>;
  /** The archive in these settings, with this installation's state and keys (closed after each use). */
  readonly openSession: (settings: Settings) => Promise<ArchiveSession>;
  /** Where reports are written and listed from. */
  readonly reportsFolder: string;
  /** The local engine's cache when settings name none (Discovery's, so it is warm). */
  readonly cacheFolder: string;
  /** Where the secret that seals that cache is kept (absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
  /** The installation's state folder (its run journal names failed days). */
  readonly stateDir?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Tests: the engine to use instead of the one settings describe. */
  readonly openEngine?: (kind: QueryEngineKind, settings: Settings, store: ArchiveStore) => QueryEngine;
  /** Shows a folder in the desktop's file manager; false when it could not. */
  readonly openFolder?: (folder: string) => Promise<boolean>;
  /**
   * The rows of a Discovery run, when it is still kept and is the cited result (its result id):
   * the report then compares today's rows with them by content, not only by count.
   */
  readonly citedRows?: (runId: string, resultId: string) => Promise<CitedRows | null>;
  readonly now?: () => number;
  readonly fonts?: ResolvedFonts;
  /**
   * A job's status changed: on each new phase, a few times a second within one, and always at its
   * end (the app pushes it as the `report` event; report-jobs.ts).
   */
  readonly onJob?: (jobId: string, status: ReportJobStatus) => void;
}

/** What the page cited, made concrete: queries run over the report's period, results with their rows when kept. */
async function citedSourcesOf(
  settings: Settings,
  spec: ReportSpec,
  citedRows: ReportServiceOptions['citedRows'],
): Promise<CitedSource[]> {
  const range = spec.period;
  const out: CitedSource[] = [];
  for (const s of spec.sources) {
    if (s.kind === 'result') {
      const rows = s.runId ? await citedRows?.(s.runId, s.metadata.resultId) : null;
      out.push({ kind: 'result', metadata: s.metadata, ...(rows ? { rows } : {}) });
      continue;
    }
    const q = s.query;
    if (q.kind === 'saved') {
      const saved = findQuery(settings, q.id);
      out.push({
        kind: 'query',
        query: queryTextFor(saved, { parameters: q.parameters, range }),
        savedQuery: { id: saved.id, name: saved.name },
      });
    } else if (q.kind === 'structured')
      out.push({
        kind: 'query',
        query: { kind: 'structured', structured: { ...q.structured, range } },
        savedQuery: null,
      });
    else
      out.push({
        kind: 'query',
        query: { kind: 'sql', sql: q.sql, parameters: q.parameters, range },
        savedQuery: null,
      });
  }
  return out;
}

export function createReportService(options: ReportServiceOptions): ReportService & { close(): Promise<void> } {
  const jobs = new JobTable();
  const controller = new AbortController();
  const withBuild = <T>(spec: ReportSpec, fn: (build: ReportBuildOptions) => Promise<T>) =>
    withReportBuild(options, controller.signal, spec, fn);
  return {
    'reports:preview': (spec) => withBuild(spec, (build) => previewReport(build)),
    async 'reports:generate'(request) {
      const { archiveCopy, includeObjects, ...spec } = request;
      // Sources are resolved now, so a query that names no saved query is refused at once.
      await citedSourcesOf(await options.loadSettings(), spec, options.citedRows);
      const id = randomUUID();
      jobs.start(id, options.onJob, (onProgress) =>
        withBuild(spec, (build) =>
          generateReport({
            ...build,
            outDir: options.reportsFolder,
            archiveCopy,
            ...(includeObjects !== undefined ? { includeObjects } : {}),
            onProgress,
          }),
        ),
      );
      return { jobId: id };
    },
    'reports:status': async ({ jobId }) => jobs.status(jobId),
    'reports:list': async () => ({ folder: options.reportsFolder, reports: await listReceipts(options.reportsFolder) }),
    'reports:check': ({ reportId }) => recheckReport(options, reportId),
    async 'reports:open-folder'({ reportId }) {
      const r = await findReceipt(options.reportsFolder, reportId);
      const opened = options.openFolder ? await options.openFolder(r.folder).catch(() => false) : false;
      return { opened, path: r.folder };
    },
    async close() {
      controller.abort();
      await jobs.close();
    },
  };
}

/** Re-check: the receipt's report against its bundle, folder and (when it can be opened) the archive. */
async function recheckReport(options: ReportServiceOptions, reportId: string): Promise<Res<'reports:check'>> {
  const r = await findReceipt(options.reportsFolder, reportId);
  const settings = await options.loadSettings();
  // The archive, when it can be opened, confirms the bundle's key and the objects it cites.
  const session = await options.openSession(settings).catch(() => null);
  try {
    const checks = await checkReport(r, session?.archive ?? null);
    return { ok: checks.every((c) => c.ok), checks };
  } finally {
    await session?.close();
  }
}

/** Runs `fn` with the build options of `spec` over the archive in the current settings (closed after). */
async function withReportBuild<T>(
  options: ReportServiceOptions,
  signal: AbortSignal,
  spec: ReportSpec,
  fn: (build: ReportBuildOptions) => Promise<T>,
): Promise<T> {
  const settings = await options.loadSettings();
  const sources = await citedSourcesOf(settings, spec, options.citedRows);
  // SOURCE_DATE_EPOCH in the app's environment fixes the generation time too (reproducible reports).
  const generatedAt = fixedGenerationTime(undefined, options.env, (options.now ?? Date.now)());
  const session = await options.openSession(settings);
  try {
    return await fn({
      ...(await reportBuildOf(options, settings, session)),
      inputs: { request: spec.request, period: spec.period, sources, ...(spec.engine ? { engine: spec.engine } : {}) },
      ...(generatedAt ? { generatedAt } : {}),
      signal,
    });
  } finally {
    await session.close();
  }
}

/** What every report of these settings is built with: the archive, its engines, the policy, the library. */
async function reportBuildOf(
  options: ReportServiceOptions,
  settings: Settings,
  session: ArchiveSession,
): Promise<Omit<ReportBuildOptions, 'inputs'>> {
  return {
    archive: session.archive,
    openEngine: (kind) =>
      options.openEngine?.(kind, settings, session.store) ??
      openQueryEngine({
        kind,
        settings,
        store: session.store,
        defaultCacheFolder: options.cacheFolder,
        env: options.env,
        cacheSealKey: options.cacheSealKey ?? null,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        ...(options.now ? { now: options.now } : {}),
        oneArchiveRead: true,
      }),
    defaultEngine: settings.discovery.engine,
    verification: verificationPolicyOf(settings),
    secondCopy: await openCopyTarget(settings, session.store, options.env),
    toolVersion: TOOL_VERSION,
    library: listQueries(settings),
    journal: session.journal,
    ...(options.now ? { now: options.now } : {}),
    ...(options.fonts ? { fonts: options.fonts } : {}),
  };
}
