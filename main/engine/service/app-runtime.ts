/**
 * The app as one process runs it, whatever shows it (the Electron shell, or `npm run dev:web` and
 * the UI tests): the service behind the contract, the events it pushes, the jobs on the archive,
 * the officer's own sign-in, the demo organisation, and (where asked) the daily job.
 *
 * One place to wire what both transports share, so the Electron shell and the dev/test server
 * cannot drift apart. Settings in `<userData>/settings.json`, secrets in the OS keychain, the archive
 * as app-archive.ts chooses it, state in `<userData>/state`.
 *
 * Its parts live in their own modules, each given only what it needs: the demo archive's first
 * fill (demo-fill.ts) and the demo organisation (demo-organisation.ts), the credentials a write
 * uses (genesys-credentials.ts), the sessions it has open (session-tracking.ts), the daily job
 * (runtime-schedule.ts), and the jobs, Discovery, Reports and calendar (runtime-parts.ts).
 */
import type { Settings } from '../../../shared/settings';
import { keychainCacheSealKey } from '../archive/cache-seal';
import type { SimulatorOptions } from '../genesys/simulator/server';
import type { DailySchedule } from '../schedule/daily-schedule';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../schedule/schedule-record';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import type { SecretStore } from '../secrets/secret-store';
import { SettingsFile } from '../settings/settings-file';
import type { DiscoveryService, DiscoveryServiceOptions } from '../discovery/discovery-service';
import type { ReportService } from '../reports/report-service';
import { appArchiveTarget, settingsPathIn, stateDirIn } from '../archive/app-archive';
import { AppEventHub } from './app-events';
import { createAppService, type AppService, type AppServiceDeps } from './app-service';
import type { ArchiveJobs } from './archive-jobs';
import { DEMO_ARCHIVE_DAYS } from './demo-archive';
import { DemoFill, fillDemoIfNew } from './demo-fill';
import { DemoOrganisation } from './demo-organisation';
import { createDeskService } from './desk-service';
import { createHoldService } from './hold-service';
import { OfficerSignIn } from './officer-sign-in';
import {
  archiveStatusFrom,
  runtimeDiscovery,
  runtimeJobs,
  runtimeReports,
  sessionOpener,
  type Closing,
  type OpenSession,
  type RuntimeBase,
} from './runtime-parts';
import { RuntimeSchedule } from './runtime-schedule';
import { SessionTracking } from './session-tracking';
import { CLOSE_WAIT_MS, serviceTrackedBy, WorkInFlight } from './work-in-flight';

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

/** What one runtime is made of, built once at open; each part gets only what it needs. */
interface RuntimeParts {
  readonly base: RuntimeBase;
  readonly events: AppEventHub;
  /** Service calls in flight and work nobody waits for (the daily job's record after a catch-up); close() waits for them. */
  readonly work: WorkInFlight;
  readonly sessions: SessionTracking;
  readonly signIn: OfficerSignIn;
  readonly demoOrganisation: DemoOrganisation;
  readonly demoFill: DemoFill;
  readonly schedule: RuntimeSchedule;
  readonly openSession: OpenSession;
  readonly jobs: ArchiveJobs;
  readonly discovery: Closing<DiscoveryService>;
  readonly reports: Closing<ReportService>;
  readonly onInternalError: (error: unknown) => void;
}

/** The runtime's own options, read once: the defaults for what the caller left out. */
function runtimeBase(options: AppRuntimeOptions): RuntimeBase {
  const secrets = options.secrets ?? new KeytarSecretStore();
  return {
    userDataDir: options.userDataDir,
    env: options.env ?? process.env,
    now: options.now ?? Date.now,
    secrets,
    cacheSealKey: keychainCacheSealKey(secrets),
    settingsFile: new SettingsFile(settingsPathIn(options.userDataDir)),
    onWarning: options.onWarning ?? (() => undefined),
  };
}

/** The officer's sign-in, the demo organisation and its first fill, the daily job's bookkeeping. */
function runtimeHelpers(options: AppRuntimeOptions, base: RuntimeBase, events: AppEventHub, work: WorkInFlight) {
  const { userDataDir, env, now, onWarning } = base;
  const onInternalError = (e: unknown) => options.onInternalError?.(e);
  const signIn = new OfficerSignIn({
    events,
    env,
    now,
    ...(options.openExternal ? { openBrowser: options.openExternal } : {}),
  });
  const demoOrganisation = new DemoOrganisation({
    now,
    ...(options.demoSimulator ? { simulator: options.demoSimulator } : {}),
  });
  const demoFill = new DemoFill({
    userDataDir,
    days: options.demoArchive?.days ?? DEMO_ARCHIVE_DAYS,
    env,
    now,
    onWarning,
  });
  const schedule = new RuntimeSchedule({
    loadSchedule: async () => (await base.settingsFile.load()).settings.schedule,
    record: new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(userDataDir)), onWarning),
    events,
    keep: (started) => work.keep(started),
    onInternalError,
  });
  return { signIn, demoOrganisation, demoFill, schedule, onInternalError };
}

function runtimeParts(options: AppRuntimeOptions): RuntimeParts {
  const base = runtimeBase(options);
  const events = new AppEventHub();
  const work = new WorkInFlight();
  const sessions = new SessionTracking();
  const helpers = runtimeHelpers(options, base, events, work);
  const { demoFill, schedule } = helpers;
  const openSession = sessionOpener(base, { ...helpers, sessions });
  const jobs = runtimeJobs({
    base,
    openSession,
    events,
    fillDemoArchive: (request) => demoFill.fill(request),
    onFinished: (job) => schedule.jobFinished(job),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  });
  const discovery = runtimeDiscovery(base, (settings) => demoFill.calendarSettings(settings), options.discoveryEngine);
  const reports = runtimeReports({
    base,
    openSession,
    discovery,
    events,
    ...(options.discoveryEngine ? { openEngine: options.discoveryEngine } : {}),
    ...(options.openFolder ? { openFolder: options.openFolder } : {}),
  });
  return { base, events, work, sessions, ...helpers, openSession, jobs, discovery, reports };
}

/** First run in demo mode: fill the demo archive once (an interrupted fill carries on at the next start). */
function firstDemoFill(options: AppRuntimeOptions, parts: RuntimeParts): Promise<void> {
  const { base, jobs, work } = parts;
  return fillDemoIfNew({
    enabled: options.demoArchive?.fill === true,
    demo: async () => (await base.settingsFile.load()).settings.demo,
    fill: parts.demoFill,
    busy: () => Boolean(jobs.state().current) || work.isClosing,
    start: () => jobs.startDemoArchive(),
  }).catch(parts.onInternalError);
}

/** The service behind the contract: the app's own channels, the desk, Discovery, Reports and legal holds. */
function runtimeService(
  options: AppRuntimeOptions,
  parts: RuntimeParts,
  onSettingsSaved: (settings: Settings) => void,
): AppService {
  const { base, jobs, signIn, openSession, schedule } = parts;
  const desk = createDeskService({
    userDataDir: base.userDataDir,
    env: base.env,
    now: base.now,
    secrets: base.secrets,
    jobs,
    signIn,
    openSession,
    scheduleStatus: () => schedule.status(),
    settingsFile: base.settingsFile,
  });
  return createAppService({
    settingsFile: base.settingsFile,
    discovery: parts.discovery,
    reports: parts.reports,
    secrets: base.secrets,
    transport: options.transport,
    appVersion: options.appVersion,
    archiveTargetOf: (settings) => appArchiveTarget(settings, base.userDataDir),
    archiveStatus: options.archiveStatus ?? archiveStatusFrom(openSession),
    desk,
    holds: createHoldService({ env: base.env, openSession }),
    onSettingsSaved,
  });
}

/** Tells every listener, each on its own: one that throws is logged and the rest still hear. */
function notifyAll(listeners: ReadonlySet<(settings: Settings) => void>, settings: Settings, parts: RuntimeParts) {
  for (const listener of listeners) {
    try {
      listener(settings);
    } catch (e) {
      parts.onInternalError(e);
    }
  }
}

export function openAppRuntime(options: AppRuntimeOptions): AppRuntime {
  const parts = runtimeParts(options);
  const { base, work, schedule, jobs, events } = parts;
  const settingsListeners = new Set<(settings: Settings) => void>();
  const service = runtimeService(options, parts, (settings) => {
    schedule.settingsSaved();
    work.keep(firstDemoFill(options, parts));
    notifyAll(settingsListeners, settings, parts);
  });
  const daily = options.schedule
    ? schedule.start({
        userDataDir: base.userDataDir,
        secrets: base.secrets,
        env: base.env,
        ...(options.now ? { now: options.now } : {}),
        ...(typeof options.schedule === 'object' && options.schedule.timeZone
          ? { timeZone: options.schedule.timeZone }
          : {}),
        jobs,
        onWarning: base.onWarning,
      })
    : null;
  const started = firstDemoFill(options, parts);
  work.keep(started);
  return {
    // Every call a transport makes is kept, so close() waits for the ones in flight.
    service: serviceTrackedBy(service, work),
    events,
    jobs,
    schedule: daily,
    whenStarted: () => started,
    onSettingsSaved(listener) {
      settingsListeners.add(listener);
      return () => settingsListeners.delete(listener);
    },
    close: () => closeRuntime(parts),
  };
}

/**
 * Nothing new starts; the daily job ends first (a run under way is cancelled and recorded); then
 * requests in flight and bookkeeping finish (bounded: quitting never hangs on one), the job running
 * now (perhaps started by one of them) stops, and what it leaves to record is written.
 */
async function closeRuntime(parts: RuntimeParts): Promise<void> {
  const { work, base } = parts;
  work.beginClosing();
  const deadline = Date.now() + CLOSE_WAIT_MS;
  await parts.schedule.stop();
  await work.settle(deadline);
  await parts.jobs.stop();
  await parts.reports.close();
  const left = await work.settle(deadline);
  if (left > 0) {
    base.onWarning(`Audit Archive closed while ${left} request(s) were still running after ${CLOSE_WAIT_MS / 1000} s.`);
  }
  // Sessions still reading the archive (a report's) finish first (bounded too).
  await parts.sessions.closed(deadline);
  await parts.discovery.close();
  parts.signIn.signOut();
  await parts.demoOrganisation.close();
}
