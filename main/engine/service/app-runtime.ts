/**
 * The app as one process runs it, whatever shows it (the Electron shell, or `npm run dev:web` and
 * the UI tests): the service behind the contract, the events it pushes, the jobs on the archive,
 * the officer's own sign-in, the demo organisation, and (where asked) the daily job.
 *
 * One place to wire what both transports share, so the Electron shell and the dev/test server
 * cannot drift apart. Settings in `<userData>/settings.json`, secrets in the OS keychain, the archive
 * as app-archive.ts chooses it, state in `<userData>/state`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { JobState } from '../../../shared/archive-jobs';
import { DaySchema } from '../../../shared/day';
import { AuditArchiveError } from '../../../shared/errors';
import type { ScheduleStatus } from '../../../shared/schedule-status';
import type { Settings } from '../../../shared/settings';
import { simulatorSource, type ArchiveSession } from '../archive/archive-session';
import type { AuditEventSource } from '../genesys/audit-source';
import { existingSharedRateBudget } from '../genesys/rate-budget';
import { startGenesysSimulator, type GenesysSimulator, type SimulatorOptions } from '../genesys/simulator/server';
import { startAppSchedule, type AppScheduleOptions } from '../schedule/app-schedule';
import type { DailySchedule } from '../schedule/daily-schedule';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../schedule/schedule-record';
import { keychainCacheSealKey } from '../archive/cache-seal';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import { SettingsFile } from '../settings/settings-file';
import { createDiscoveryService, type DiscoveryServiceOptions } from '../discovery/discovery-service';
import { createReportService } from '../reports/report-service';
import { discoveryRunRows } from '../reports/discovery-run-rows';
import {
  appArchiveTarget,
  demoArchiveDirIn,
  openAppArchiveSession,
  settingsPathIn,
  stateDirIn,
} from '../archive/app-archive';
import { AppEventHub } from './app-events';
import { createAppService, type AppService, type AppServiceDeps } from './app-service';
import { ArchiveJobs } from './archive-jobs';
import { appDemoPlan, DEMO_ARCHIVE_DAYS, demoVolume, fillDemoArchive } from './demo-archive';
import { createDeskService } from './desk-service';
import { OfficerSignIn } from './officer-sign-in';
import { CLOSE_WAIT_MS, serviceTrackedBy, WorkInFlight } from './work-in-flight';
import { writeFileAtomically } from '../files/write-file-atomically';

export interface AppRuntimeOptions {
  readonly userDataDir: string;
  readonly transport: AppServiceDeps['transport'];
  readonly appVersion: string;
  /** Default: the OS keychain (keytar loads on first use and says what to install when it cannot). */
  readonly secrets?: SecretStore;
  /** Replaces the calendar wired to the archive (tests of other channels). */
  readonly archiveStatus?: AppServiceDeps['archiveStatus'];
  /** Where S3 endpoints, regions and credentials may come from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Clock (which days are settled, recoverable). Default: `Date.now`. */
  readonly now?: () => number;
  /** Tests: the discovery engine to use instead of the one settings describe (Athena under a mock). */
  readonly discoveryEngine?: DiscoveryServiceOptions['openEngine'];
  /** Shows a folder in the desktop's file manager (the Electron shell's `shell.openPath`); none in dev:web. */
  readonly openFolder?: (folder: string) => Promise<boolean>;
  /** Run the daily job in this process (the desktop app; dev:web with --schedule). */
  readonly schedule?: boolean | { readonly timeZone?: string };
  /** On the first run in demo mode, fill the demo archive (so the calendar has a year to show). */
  readonly demoArchive?: { readonly fill: boolean; readonly days?: number };
  /** Knobs of the demo organisation's simulator (tests slow it down to watch progress). */
  readonly demoSimulator?: Partial<SimulatorOptions>;
  /** Opens a URL in the user's browser (the Electron shell); without it the renderer opens it. */
  readonly openExternal?: (url: string) => void | Promise<void>;
  /** Bookkeeping that failed, and other things a person should know (the log). */
  readonly onWarning?: (message: string) => void;
  /** Anything unexpected (the log; never sent to the renderer). */
  readonly onInternalError?: (error: unknown) => void;
}

export interface AppRuntime {
  readonly service: AppService;
  readonly events: AppEventHub;
  readonly jobs: ArchiveJobs;
  /** The daily job, when this process runs it. */
  readonly schedule: DailySchedule | null;
  /**
   * Resolves once what the runtime does at start has begun or was found not needed (the demo
   * archive's first fill): after it, a job that start-up would run is in `jobs`, or none will be.
   */
  whenStarted(): Promise<void>;
  /** Called after settings were saved (the Electron shell updates its tray and login item). */
  onSettingsSaved(listener: (settings: Settings) => void): () => void;
  /**
   * Refuses new calls, stops the daily job and any running job, waits for calls in flight and the
   * bookkeeping they leave (bounded), and stops the demo organisation's simulator: once it resolves,
   * nothing of this runtime writes in its folders any more.
   */
  close(): Promise<void>;
}

/**
 * Where the demo archive's first fill is recorded: its first day (the demo's history starts there)
 * and when it finished (null while it runs; an interrupted fill carries on at the next start).
 */
function demoFilledMarkerIn(userDataDir: string): string {
  return path.join(stateDirIn(userDataDir), 'demo-archive.json');
}

const DemoMarkerSchema = z.object({ first: DaySchema, filledAt: z.string().nullable() });

export function openAppRuntime(options: AppRuntimeOptions): AppRuntime {
  const { userDataDir } = options;
  const settingsFile = new SettingsFile(settingsPathIn(userDataDir));
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? new KeytarSecretStore();
  // One source for the whole app: the keychain is asked once for the secret that seals derived data.
  const cacheSealKey = keychainCacheSealKey(secrets);
  const events = new AppEventHub();
  const warn = options.onWarning ?? (() => undefined);
  const settingsListeners = new Set<(settings: Settings) => void>();
  /** Service calls in flight and work nobody waits for (the daily job's record after a catch-up); close() waits for them. */
  const work = new WorkInFlight();
  const openSessions = new Set<Promise<void>>();
  const bookkeeping = (started: Promise<unknown>) => work.keep(started);
  const signIn = new OfficerSignIn({
    events,
    env,
    now,
    ...(options.openExternal ? { openBrowser: options.openExternal } : {}),
  });

  let demoSim: Promise<{ sim: GenesysSimulator; source: AuditEventSource }> | null = null;
  const demoSource = async (): Promise<AuditEventSource> => {
    demoSim ??= startGenesysSimulator({ now, eventsPerDay: demoVolume, ...options.demoSimulator }).then((sim) => ({
      sim,
      source: simulatorSource(sim, now),
    }));
    return (await demoSim).source;
  };

  /** Credentials for a real organisation: the officer's sign-in (PKCE) or the client secret in the keychain. */
  const credentials = async (settings: Settings) => {
    const clientId = settings.genesys.clientId.trim();
    if (settings.demo || !clientId) return {};
    if (settings.genesys.authMode === 'pkce') {
      const token = signIn.tokenFor(clientId);
      if (!token) {
        throw new AuditArchiveError(
          'GENESYS_NOT_CONFIGURED',
          'Sign in as yourself first (Settings > Genesys Cloud > Sign in as myself): the app archives with your own sign-in until Genesys expires it. Nothing was written.',
        );
      }
      return { genesysToken: token };
    }
    let secret: string | null;
    try {
      secret = await secrets.get(SECRET_ACCOUNTS.genesysClientSecret(clientId));
    } catch (e) {
      if (e instanceof AuditArchiveError) throw e;
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        'The Genesys client secret could not be read from the OS keychain; unlock the keychain (or start a Secret Service), then try again.',
        { cause: e },
      );
    }
    return secret ? { genesysClientSecret: secret } : {};
  };

  /**
   * The first day of the demo archive's history, as its first fill planned it: in demo mode, days
   * before it are "not required" (the demo has no older history to show), unless a policy start is set.
   */
  let demoFirstDay: Promise<string | null> | null = null;
  const demoPolicyStart = (): Promise<string | null> =>
    (demoFirstDay ??= readFile(demoFilledMarkerIn(userDataDir), 'utf8').then(
      (text) => DemoMarkerSchema.safeParse(JSON.parse(text)).data?.first ?? null,
      () => null,
    ));

  /** The settings as the calendar applies them: the demo's history starts at its first day. */
  const calendarSettings = async (loaded: Settings): Promise<Settings> => {
    const demoStart = loaded.demo && !loaded.archive.policyStartDate ? await demoPolicyStart() : null;
    return demoStart ? { ...loaded, archive: { ...loaded.archive, policyStartDate: demoStart } } : loaded;
  };

  const openSession = async (purpose: 'read' | 'write'): Promise<ArchiveSession> => {
    const settings = await calendarSettings((await settingsFile.load()).settings);
    const session = await openAppArchiveSession(settings, {
      userDataDir,
      secrets,
      cacheSealKey,
      env,
      now,
      onWarning: warn,
      ...(purpose === 'write' ? await credentials(settings) : {}),
      ...(settings.demo && purpose === 'write' ? { demoSource: await demoSource() } : {}),
    });
    // close() waits for sessions still in use (a request in flight writes the manifest cache).
    let closed: () => void = () => undefined;
    const whenClosed = new Promise<void>((resolve) => (closed = resolve));
    openSessions.add(whenClosed);
    return {
      ...session,
      close: async () => {
        try {
          await session.close();
        } finally {
          openSessions.delete(whenClosed);
          closed();
        }
      },
    };
  };

  const record = new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(userDataDir)), warn);
  let schedule: DailySchedule | null = null;
  let scheduleRunning = false;
  /** The next run the schedule last planned (undefined: none yet), so only a change is pushed. */
  let lastPlanned: number | null | undefined;

  const scheduleStatus = async (): Promise<ScheduleStatus> => {
    const [{ settings }, recorded] = await Promise.all([settingsFile.load(), record.load()]);
    const next = schedule?.nextRunAt() ?? null;
    return {
      active: schedule !== null,
      enabled: settings.schedule.enabled,
      time: settings.schedule.time,
      timeZone: schedule?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      running: scheduleRunning,
      lastRun: recorded.lastRun,
      failure: recorded.failure,
    };
  };
  const publishSchedule = () =>
    bookkeeping(
      scheduleStatus().then(
        (s) => events.emit('schedule', s),
        (e: unknown) => options.onInternalError?.(e),
      ),
    );

  const jobs = new ArchiveJobs({
    openSession,
    events,
    now,
    rateBudget: existingSharedRateBudget,
    expectedKey: async () => {
      const { settings } = await settingsFile.load();
      return settings.demo ? null : (settings.archive.signingKeyFingerprint ?? null);
    },
    fillDemoArchive: async ({ signal, onPlan, onProgress }) => {
      const plan = appDemoPlan(now(), options.demoArchive?.days ?? DEMO_ARCHIVE_DAYS);
      // Written first: the calendar shows the demo's history from its first day while it fills.
      await mkdir(stateDirIn(userDataDir), { recursive: true, mode: 0o700 });
      await writeFileAtomically(
        demoFilledMarkerIn(userDataDir),
        `${JSON.stringify({ first: plan.first, filledAt: null })}\n`,
      );
      demoFirstDay = Promise.resolve(plan.first);
      const summary = await fillDemoArchive({
        target: pathToFileURL(demoArchiveDirIn(userDataDir)).href,
        stateDir: stateDirIn(userDataDir),
        plan,
        now,
        env,
        signal,
        onPlan,
        onProgress,
        onWarning: warn,
      });
      if (!summary.cancelled) {
        const marker = { first: plan.first, filledAt: new Date(now()).toISOString() };
        await writeFileAtomically(demoFilledMarkerIn(userDataDir), `${JSON.stringify(marker)}\n`).catch(
          () => undefined,
        );
      }
      return summary;
    },
    onFinished: (job: JobState) => {
      // An officer's full catch-up that archived everything fixes what a failed night left.
      if (job.kind === 'catch-up' && job.origin === 'officer' && job.phase === 'done' && job.days.failed === 0) {
        bookkeeping(record.clearFailure().then(publishSchedule, () => undefined));
      }
    },
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  });

  const desk = createDeskService({
    userDataDir,
    env,
    now,
    settingsFile,
    secrets,
    jobs,
    signIn,
    openSession,
    scheduleStatus,
  });

  /** A session per request, so a target changed in Settings applies at once; status needs no Genesys secret. */
  const archiveStatus: NonNullable<AppServiceDeps['archiveStatus']> = async ({ from, to }) => {
    const session = await openSession('read');
    try {
      const { days } = await session.status({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
      return { days };
    } finally {
      await session.close();
    }
  };

  /** First run in demo mode: fill the demo archive once (an interrupted fill carries on at the next start). */
  const fillDemoIfNew = async () => {
    if (!options.demoArchive?.fill) return;
    const { settings } = await settingsFile.load();
    if (!settings.demo) return;
    const filled = await readFile(demoFilledMarkerIn(userDataDir), 'utf8').then(
      (text) => DemoMarkerSchema.safeParse(JSON.parse(text)).data?.filledAt != null,
      () => false,
    );
    if (filled || jobs.state().current || work.isClosing) return;
    jobs.startDemoArchive();
  };

  /** Discovery: the local engine's cache, result spools and exports live under userData too. */
  const discovery = createDiscoveryService({
    loadSettings: async () => (await settingsFile.load()).settings,
    saveSettings: (settings) => settingsFile.save(settings),
    archiveTarget: (settings) => appArchiveTarget(settings, userDataDir),
    cacheFolder: path.join(userDataDir, 'discovery-cache'),
    resultsFolder: path.join(userDataDir, 'discovery-results'),
    exportsFolder: path.join(userDataDir, 'exports'),
    cacheSealKey,
    stateDir: stateDirIn(userDataDir),
    calendarSettings,
    now,
    env,
    ...(options.discoveryEngine ? { openEngine: options.discoveryEngine } : {}),
  });

  /** Reports: written to `<userData>/reports`, which is also their list; Discovery's cache keeps queries warm. */
  const reports = createReportService({
    loadSettings: async () => (await settingsFile.load()).settings,
    // The demo's policy start as the calendar has it; reports only read the archive.
    openSession: () => openSession('read'),
    reportsFolder: path.join(userDataDir, 'reports'),
    cacheFolder: path.join(userDataDir, 'discovery-cache'),
    cacheSealKey,
    stateDir: stateDirIn(userDataDir),
    env,
    ...(options.discoveryEngine ? { openEngine: options.discoveryEngine } : {}),
    ...(options.openFolder ? { openFolder: options.openFolder } : {}),
    citedRows: (runId, resultId) => discoveryRunRows(discovery, runId, resultId),
    onJob: (jobId, status) => events.emit('report', { jobId, ...status }),
  });

  const service = createAppService({
    settingsFile,
    discovery,
    reports,
    secrets,
    transport: options.transport,
    appVersion: options.appVersion,
    archiveTargetOf: (settings) => appArchiveTarget(settings, userDataDir),
    archiveStatus: options.archiveStatus ?? archiveStatus,
    desk,
    onSettingsSaved: (settings) => {
      if (schedule) bookkeeping(schedule.reschedule().then(publishSchedule));
      else publishSchedule();
      bookkeeping(fillDemoIfNew().catch((e: unknown) => options.onInternalError?.(e)));
      for (const listener of settingsListeners) {
        try {
          listener(settings);
        } catch (e) {
          options.onInternalError?.(e);
        }
      }
    },
  });

  if (options.schedule) {
    const scheduleOptions: AppScheduleOptions = {
      userDataDir,
      secrets,
      env,
      record,
      ...(options.now ? { now: options.now } : {}),
      ...(typeof options.schedule === 'object' && options.schedule.timeZone
        ? { timeZone: options.schedule.timeZone }
        : {}),
      // The daily job runs through the jobs, so the officer sees it like any catch-up.
      runCatchUp: async (_settings, signal) => {
        const result = await jobs.runCatchUp({}, 'daily-job', signal);
        if (!result.ok) throw result.error;
        return result.summary;
      },
      onRunStarted: () => {
        scheduleRunning = true;
        publishSchedule();
      },
      onRun: () => {
        scheduleRunning = false;
      },
      onRecorded: () => publishSchedule(),
      // The renderer shows the next run as soon as it is planned (after a run, after a save).
      onPlanned: (dueAt) => {
        if (dueAt === lastPlanned) return;
        lastPlanned = dueAt;
        publishSchedule();
      },
      onError: (e) => warn(`The daily archive run failed: ${e instanceof Error ? e.message : String(e)}`),
    };
    schedule = startAppSchedule(scheduleOptions);
  }
  const started = fillDemoIfNew().catch((e: unknown) => options.onInternalError?.(e));
  bookkeeping(started);

  return {
    // Every call a transport makes is kept, so close() waits for the ones in flight.
    service: serviceTrackedBy(service, work),
    events,
    jobs,
    schedule,
    whenStarted: () => started,
    onSettingsSaved(listener) {
      settingsListeners.add(listener);
      return () => settingsListeners.delete(listener);
    },
    async close() {
      // Nothing new starts from here; the daily job ends first (a run under way is cancelled and recorded).
      work.beginClosing();
      const deadline = Date.now() + CLOSE_WAIT_MS;
      await schedule?.stop();
      // Requests in flight and bookkeeping finish (bounded: quitting never hangs on one), then the
      // job running now (perhaps started by one of them) stops, and what it leaves to record is written.
      await work.settle(deadline);
      await jobs.stop();
      await reports.close();
      const left = await work.settle(deadline);
      if (left > 0)
        warn(`Audit Archive closed while ${left} request(s) were still running after ${CLOSE_WAIT_MS / 1000} s.`);
      // Sessions still reading the archive (a report's) finish first (bounded too).
      await Promise.race([
        Promise.allSettled([...openSessions]),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
      ]);
      await discovery.close();
      signIn.signOut();
      const sim = await demoSim?.catch(() => null);
      await sim?.sim.close();
    },
  };
}
