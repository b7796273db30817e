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
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { findQuery, listQueries, queryTextFor } from '../../../shared/discovery/query-library';
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { ReportJobStatus, ReportProgress, reportsContract } from '../../../shared/reports/report-contract';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import type { ReportSpec } from '../../../shared/reports/report-request';
import type { Settings } from '../../../shared/settings';
import type { ArchiveSession } from '../archive/archive-session';
import { TOOL_VERSION } from '../archive/archive-session';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { openQueryEngine } from '../discovery/open-query-engine';
import type { QueryEngine } from '../discovery/query-engine';
import { generateReport, previewReport, verificationPolicyOf, type ReportBuildOptions } from './build-report';
import { checkReport } from './check-report';
import type { CitedSource } from './cited-results';
import { fixedGenerationTime } from './generation-time';
import type { ResolvedFonts } from './pdf/fonts';
import type { CitedRows } from './rerun-comparison';

type Channels = typeof reportsContract;
type Req<C extends keyof Channels> = z.output<Channels[C]['request']>;
type Res<C extends keyof Channels> = z.infer<Channels[C]['response']>;

export type ReportService = { readonly [C in keyof Channels]: (request: Req<C>) => Promise<Res<C>> };

export interface ReportServiceOptions {
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
   * A job's status changed: on each new phase, at most every PROGRESS_INTERVAL_MS within one, and
   * always at its end (the app pushes it as the `report` event).
   */
  readonly onJob?: (jobId: string, status: ReportJobStatus) => void;
}

interface Job {
  state: 'running' | 'succeeded' | 'failed';
  progress: ReportProgress | null;
  receipt: ReportReceipt | null;
  error: { code: ErrorCode; message: string } | null;
  done: Promise<void>;
}

const KEEP_JOBS = 20;
const PROGRESS_INTERVAL_MS = 250;

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
  const jobs = new Map<string, Job>();
  const controller = new AbortController();

  async function withBuild<T>(
    spec: ReportSpec,
    fn: (build: ReportBuildOptions, session: ArchiveSession) => Promise<T>,
  ): Promise<T> {
    const settings = await options.loadSettings();
    const sources = await citedSourcesOf(settings, spec, options.citedRows);
    const now = options.now ?? Date.now;
    // SOURCE_DATE_EPOCH in the app's environment fixes the generation time too (reproducible reports).
    const generatedAt = fixedGenerationTime(undefined, options.env, now());
    const session = await options.openSession(settings);
    try {
      return await fn(
        {
          archive: session.archive,
          inputs: {
            request: spec.request,
            period: spec.period,
            sources,
            ...(spec.engine ? { engine: spec.engine } : {}),
          },
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
            }),
          defaultEngine: settings.discovery.engine,
          verification: verificationPolicyOf(settings),
          toolVersion: TOOL_VERSION,
          library: listQueries(settings),
          journal: session.journal,
          ...(options.now ? { now: options.now } : {}),
          ...(generatedAt ? { generatedAt } : {}),
          ...(options.fonts ? { fonts: options.fonts } : {}),
          signal: controller.signal,
        },
        session,
      );
    } finally {
      await session.close();
    }
  }

  async function receipts(): Promise<ReportReceipt[]> {
    let names: string[];
    try {
      names = await fs.readdir(options.reportsFolder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: ReportReceipt[] = [];
    for (const name of names.filter((n) => n.endsWith('.receipt.json'))) {
      try {
        const parsed = ReportReceiptSchema.safeParse(
          JSON.parse(await fs.readFile(path.join(options.reportsFolder, name), 'utf8')),
        );
        if (parsed.success) out.push(parsed.data);
      } catch {
        // an unreadable receipt is not a report of ours: not listed
      }
    }
    return out.sort((a, b) =>
      a.generatedAt < b.generatedAt ? 1 : a.generatedAt > b.generatedAt ? -1 : a.reportId < b.reportId ? 1 : -1,
    );
  }

  async function receipt(reportId: string): Promise<ReportReceipt> {
    const found = (await receipts()).find((r) => r.reportId === reportId);
    if (!found) throw new AuditArchiveError('NOT_FOUND', `There is no report ${reportId} in ${options.reportsFolder}.`);
    return found;
  }

  return {
    async 'reports:preview'(spec) {
      return withBuild(spec, (build) => previewReport(build));
    },

    async 'reports:generate'(request) {
      const { archiveCopy, includeObjects, ...spec } = request;
      // Sources are resolved now, so a query that names no saved query is refused at once.
      await citedSourcesOf(await options.loadSettings(), spec, options.citedRows);
      const id = randomUUID();
      const job: Job = { state: 'running', progress: null, receipt: null, error: null, done: Promise.resolve() };
      let lastSent = 0;
      let sent: ReportProgress | null = null;
      const publish = () => {
        if (!options.onJob) return;
        lastSent = Date.now();
        sent = job.progress;
        try {
          options.onJob(id, { state: job.state, progress: job.progress, receipt: job.receipt, error: job.error });
        } catch {
          // a listener's failure is not the report's
        }
      };
      /** Every phase's first and last word is sent (the page lists them); in between, a few a second. */
      const progressed = (p: ReportProgress) => {
        const previous = job.progress;
        const newPhase = p.phase !== previous?.phase;
        if (newPhase && previous && sent !== previous) publish();
        job.progress = p;
        if (newPhase || Date.now() - lastSent >= PROGRESS_INTERVAL_MS) publish();
      };
      job.done = (async () => {
        try {
          job.receipt = await withBuild(spec, (build) =>
            generateReport({
              ...build,
              outDir: options.reportsFolder,
              archiveCopy,
              ...(includeObjects !== undefined ? { includeObjects } : {}),
              onProgress: progressed,
            }),
          );
          job.state = 'succeeded';
        } catch (e) {
          const error = isAuditArchiveError(e)
            ? e
            : new AuditArchiveError('INTERNAL', 'The report could not be made; try again.');
          job.state = 'failed';
          job.error = { code: error.code, message: error.message };
        }
        publish();
      })();
      jobs.set(id, job);
      for (const [old, j] of jobs) if (jobs.size > KEEP_JOBS && j.state !== 'running') jobs.delete(old);
      return { jobId: id };
    },

    async 'reports:status'({ jobId }) {
      const job = jobs.get(jobId);
      if (!job)
        throw new AuditArchiveError('NOT_FOUND', 'This report job is no longer known; see the list of past reports.');
      return { state: job.state, progress: job.progress, receipt: job.receipt, error: job.error };
    },

    async 'reports:list'() {
      return { folder: options.reportsFolder, reports: await receipts() };
    },

    async 'reports:check'({ reportId }) {
      const r = await receipt(reportId);
      const settings = await options.loadSettings();
      // The archive, when it can be opened, confirms the bundle's key and the objects it cites.
      const session = await options.openSession(settings).catch(() => null);
      try {
        const checks = await checkReport(r, session?.archive ?? null);
        return { ok: checks.every((c) => c.ok), checks };
      } finally {
        await session?.close();
      }
    },

    async 'reports:open-folder'({ reportId }) {
      const r = await receipt(reportId);
      const opened = options.openFolder ? await options.openFolder(r.folder).catch(() => false) : false;
      return { opened, path: r.folder };
    },

    async close() {
      controller.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}
