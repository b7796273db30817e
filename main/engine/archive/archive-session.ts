/**
 * ArchiveSession: one archive, its Genesys source, manifest chain and run journal, wired once for
 * the CLI and the app's service.
 *
 * Everything is opened lazily: `status` and `verify` need only the store (no Genesys credentials),
 * the source and the chain are created on the first export. The store's readiness (Object Lock on,
 * retention long enough) is checked once before the first write, so a bucket that is not WORM is
 * refused before anything is written.
 *
 * Demo mode: while `settings.demo` is on, the source is the built-in Genesys simulator (started
 * in-process), so a new user sees a working archive before connecting a real organisation (the
 * CLI's settings turn demo off once a client id is configured).
 */
import { firstRecoverableDay, lastSettledDay, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { AuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { AuditEventSource } from '../genesys/audit-source';
import { ClientCredentialsAuth } from '../genesys/auth';
import { GenesysAuditClient } from '../genesys/client';
import { RateBudget } from '../genesys/rate-budget';
import { startGenesysSimulator, type GenesysSimulator } from '../genesys/simulator/server';
import type { ArchiveIndex } from './archive-index';
import type { ArchiveStore, StoreReadiness } from './archive-store';
import { planCatchUp, runCatchUp, type CatchUpOptions, type CatchUpPlan, type CatchUpSummary } from './catch-up';
import { exportDay as exportOneDay, type ExportDayOptions, type ExportDayResult, type ExportPolicy } from './export-day';
import { ManifestChain } from './manifest-chain';
import { readArchiveIndex } from './read-archive-index';
import { RunJournal } from './run-journal';
import { computeDayStatuses, defaultCatchUpFrom, defaultStatusRange, readCalendarIndex } from './status';
import { openArchiveStore } from './stores/open-store';
import { verifyArchive, type VerifyResult } from './verify';

export const TOOL_VERSION = '0.1.0';

/** Refusals that say nothing about the day itself: not recorded as the day's last failure. */
const NOT_A_DAY_FAILURE: ReadonlySet<ErrorCode> = new Set([
  'DAY_UNSETTLED',
  'DAY_ALREADY_ARCHIVED',
  'DAY_UNRECOVERABLE',
  'ARCHIVE_NOT_WORM',
  'ARCHIVE_RETENTION_TOO_SHORT',
  'GENESYS_NOT_CONFIGURED',
  'INVALID_ARGUMENT',
  'INVALID_SETTINGS',
]);

export interface ArchiveSessionOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where the run journal lives (app: userData; CLI: --state-dir). */
  readonly stateDir: string;
  /** Clock (tests and the demo place "today"). */
  readonly now?: () => number;
  /** The archive when `settings.archive.target` is empty (the app's local folder under userData). */
  readonly defaultTarget?: string;
  /** A source to use instead of the one the settings describe (the demo's own simulator). */
  readonly source?: AuditEventSource;
  /** A store to use instead of opening the target (tests of the app service). */
  readonly store?: ArchiveStore;
}

export interface DayRange {
  readonly from?: Day;
  readonly to?: Day;
}

export interface ArchiveSession {
  readonly settings: Settings;
  readonly store: ArchiveStore;
  readonly journal: RunJournal;
  /** True when exports go to the built-in simulator. */
  readonly demo: boolean;
  /** Readiness of the store, checked once before the first write (throws ARCHIVE_NOT_WORM, …). */
  ready(): Promise<StoreReadiness>;
  exportDay(day: Day, options?: Omit<ExportDayOptions, 'index'>): Promise<ExportDayResult>;
  status(range?: DayRange): Promise<{ from: Day; to: Day; days: DayStatus[]; requests: number }>;
  planCatchUp(range?: DayRange): Promise<{ from: Day; to: Day; plan: CatchUpPlan }>;
  catchUp(range: DayRange, options: Partial<CatchUpOptions>): Promise<CatchUpSummary & { from: Day; to: Day; plan: CatchUpPlan }>;
  /** Runs a plan made elsewhere (the demo archives days beyond the usual window). */
  runPlan(plan: CatchUpPlan, options: Partial<CatchUpOptions>): Promise<CatchUpSummary>;
  verify(options: DayRange & { full: boolean; onProgress?: (p: { manifestsChecked: number; manifestsTotal: number }) => void; signal?: AbortSignal }): Promise<VerifyResult>;
  close(): Promise<void>;
}

export async function openArchiveSession(
  settings: Settings,
  secrets: { genesysClientSecret?: string },
  options: ArchiveSessionOptions,
): Promise<ArchiveSession> {
  const now = options.now ?? Date.now;
  const target = settings.archive.target || options.defaultTarget;
  if (!target && !options.store) {
    throw new AuditArchiveError('INVALID_SETTINGS', 'No archive target is set: set AUDIT_ARCHIVE_TARGET (s3://bucket/prefix or file:///absolute/path) or archive.target in the --config file.');
  }
  const store = options.store ?? openArchiveStore(target as string, settings.archive.s3, options.env);
  const journal = await RunJournal.open(options.stateDir, store.url);
  const demo = !options.source && settings.demo;
  const policy: ExportPolicy = {
    lockMode: settings.archive.lockMode,
    retentionDays: settings.archive.retentionDays,
    settlementMinutes: settings.archive.settlementMinutes,
    maxPartBytes: settings.archive.maxPartBytes,
  };
  const cal = {
    settlementMinutes: settings.archive.settlementMinutes,
    genesysRetentionDays: settings.genesys.retentionDays,
    ...(settings.archive.policyStartDate ? { policyStartDate: settings.archive.policyStartDate } : {}),
  };

  let closeSimulator: (() => Promise<void>) | null = null;
  let sourcePromise: Promise<AuditEventSource> | null = null;
  const source = () =>
    (sourcePromise ??= (async () => {
      if (options.source) return options.source;
      if (demo) {
        const sim = await startGenesysSimulator({ now });
        closeSimulator = () => sim.close();
        return simulatorSource(sim, now);
      }
      if (!settings.genesys.clientId || !secrets.genesysClientSecret) {
        throw new AuditArchiveError(
          'GENESYS_NOT_CONFIGURED',
          'No Genesys OAuth client is configured: set AUDIT_ARCHIVE_GENESYS_CLIENT_ID and AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET (or use the demo organisation).',
        );
      }
      return GenesysAuditClient.forSettings(settings, secrets.genesysClientSecret, options.env);
    })());
  let readiness: Promise<StoreReadiness> | null = null;
  const ready = () => (readiness ??= store.checkReady({ lockMode: policy.lockMode, retentionDays: policy.retentionDays }));
  let chainPromise: Promise<ManifestChain> | null = null;
  const chain = (index?: ArchiveIndex) => (chainPromise ??= ManifestChain.open(store, index));

  /** One day; a catch-up passes the listing it planned from (each day only adds its own keys). */
  const exportDay = async (day: Day, opts: Omit<ExportDayOptions, 'index'> = {}, planned?: ArchiveIndex) => {
    await ready();
    const index = planned ?? (await readArchiveIndex(store));
    const deps = { store, source: await source(), chain: await chain(index), policy, now, toolVersion: TOOL_VERSION };
    return exportOneDay(deps, day, { ...opts, index });
  };

  const status: ArchiveSession['status'] = async (range = {}) => {
    const index = await readCalendarIndex(store);
    const defaults = defaultStatusRange(index, now(), cal.genesysRetentionDays, cal.policyStartDate);
    const from = range.from ?? defaults.from;
    const to = range.to ?? defaults.to;
    checkRange(from, to);
    const days = computeDayStatuses({ index, from, to, now: now(), ...cal, journal });
    return { from, to, days, requests: index.requests };
  };

  const plan = async (range: DayRange = {}) => {
    const from = range.from ?? defaultCatchUpFrom(now(), cal.genesysRetentionDays, cal.policyStartDate);
    const to = range.to ?? lastSettledDay(now(), cal.settlementMinutes);
    checkRange(from, to);
    const index = await readArchiveIndex(store);
    const days = computeDayStatuses({ index, from, to, now: now(), ...cal, journal });
    return { from, to, plan: planCatchUp(days), index };
  };

  const runPlan = async (p: CatchUpPlan, opts: Partial<CatchUpOptions>, index?: ArchiveIndex) => {
    if (p.days.length > 0) {
      // Configuration problems surface once, before any day, instead of failing every day.
      await ready();
      await source();
    }
    const planned = index ?? (await readArchiveIndex(store));
    return runCatchUp(
      {
        exportDay: async (day, o) => {
          const r = await exportDay(day, o, planned);
          return { events: r.events, bytes: r.bytes, dayEvents: r.manifest.dayEventsTotal };
        },
        journal,
        now,
      },
      p,
      { concurrency: opts.concurrency ?? settings.schedule.concurrency, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  };

  return {
    settings,
    store,
    journal,
    demo,
    ready,
    exportDay: async (day, opts) => {
      const firstRecoverable = firstRecoverableDay(now(), cal.genesysRetentionDays);
      if (day < firstRecoverable) {
        // Genesys answers an old interval with no events rather than an error: exporting it would
        // archive a false "empty day" and claim completeness.
        throw new AuditArchiveError(
          'DAY_UNRECOVERABLE',
          `${day} is older than the Genesys retention window (${cal.genesysRetentionDays} days; the first recoverable day is ${firstRecoverable}): Genesys may no longer hold its events, and an empty answer would be archived as an empty day. Nothing was written. If your organisation keeps audit events longer, raise genesys.retentionDays.`,
        );
      }
      try {
        const result = await exportDay(day, opts);
        await journal.recordArchived(day, result.manifest.dayEventsTotal, new Date(now()));
        return result;
      } catch (e) {
        // A cancelled run is not a failure of the day: the next run simply picks it up.
        if (e instanceof AuditArchiveError && !NOT_A_DAY_FAILURE.has(e.code) && !opts?.signal?.aborted) {
          await journal.recordFailure(day, e.code, e.message, new Date(now()));
        }
        throw e;
      }
    },
    status,
    planCatchUp: plan,
    catchUp: async (range, opts) => {
      const planned = await plan(range);
      const summary = await runPlan(planned.plan, opts, planned.index);
      return { ...summary, from: planned.from, to: planned.to, plan: planned.plan };
    },
    runPlan: (p, opts) => runPlan(p, opts),
    verify: async (opts) => {
      const result = await verifyArchive({
        store,
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.to ? { to: opts.to } : {}),
        full: opts.full,
        now: now(),
        ...cal,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      await journal.recordEventCounts(result.eventCounts);
      await journal.recordVerify(result.problems, { from: opts.from ? result.from : null, to: opts.to ? result.to : null }, new Date(now()));
      return result;
    },
    close: async () => {
      const close = closeSimulator as (() => Promise<void>) | null;
      if (close) await close();
    },
  };
}

/**
 * A Genesys client for a simulator in this process (demo, tests, benchmarks), with its own
 * generous rate budget so it never throttles the real exporter's shared one, and quick status
 * polls and resubmissions (the simulator answers in milliseconds; Genesys takes seconds).
 */
export function simulatorSource(sim: GenesysSimulator, now: () => number = Date.now): AuditEventSource {
  const auth = new ClientCredentialsAuth({ loginUrl: sim.loginUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, now });
  return new GenesysAuditClient({ apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, auth, budget: new RateBudget({ requestsPerMinute: 60_000 }), pollInitialMs: 5, pollMaxMs: 100, queryRetryDelayMs: 20 });
}

function checkRange(from: Day, to: Day): void {
  if (to < from) throw new AuditArchiveError('INVALID_ARGUMENT', `The range ends (${to}) before it starts (${from}): swap --from and --to.`);
}
