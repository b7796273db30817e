/**
 * The parts an app runtime (app-runtime.ts) is made of, each built by one function from only what
 * it needs: the archive sessions it opens, its jobs, the Discovery and Reports services, and the
 * calendar. Folders all live under the user-data folder; settings are read at each use (a target
 * changed in Settings applies at once).
 */
import path from 'node:path';
import type { Settings } from '../../../shared/settings';
import type { ArchiveSession } from '../archive/archive-session';
import type { CacheSealKey } from '../archive/cache-seal';
import {
  createDiscoveryService,
  type DiscoveryService,
  type DiscoveryServiceOptions,
} from '../discovery/discovery-service';
import { existingSharedRateBudget } from '../genesys/rate-budget';
import { discoveryRunRows } from '../reports/discovery-run-rows';
import { createReportService, type ReportService } from '../reports/report-service';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsFile } from '../settings/settings-file';
import { appArchiveTarget, openAppArchiveSession, stateDirIn } from '../archive/app-archive';
import type { AppEventHub } from './app-events';
import type { AppServiceDeps } from './app-service';
import { ArchiveJobs } from './archive-jobs';
import type { DemoFill } from './demo-fill';
import { withCopyCheck } from './copy-check';
import { readSessionHolds, withHolds } from './day-holds';
import type { DemoOrganisation } from './demo-organisation';
import { genesysCredentials } from './genesys-credentials';
import type { OfficerSignIn } from './officer-sign-in';
import { withSession, type SessionTracking } from './session-tracking';

/** What every part of one runtime shares: where it keeps things, and how it reads the world. */
export interface RuntimeBase {
  readonly userDataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly secrets: SecretStore;
  /** One source for the whole app: the keychain is asked once for the secret that seals derived data. */
  readonly cacheSealKey: CacheSealKey;
  readonly settingsFile: Pick<SettingsFile, 'load' | 'save'>;
  readonly onWarning: (message: string) => void;
}

/** A service this runtime closes when it closes. */
export type Closing<T> = T & { close(): Promise<void> };

export type OpenSession = (purpose: 'read' | 'write') => Promise<ArchiveSession>;

interface SessionSources {
  readonly demoFill: Pick<DemoFill, 'calendarSettings'>;
  readonly demoOrganisation: Pick<DemoOrganisation, 'source'>;
  readonly signIn: Pick<OfficerSignIn, 'tokenFor'>;
  readonly sessions: Pick<SessionTracking, 'track'>;
}

/** Opens a session over the app's archive with the settings of now; a write brings its credentials. */
export function sessionOpener(base: RuntimeBase, sources: SessionSources): OpenSession {
  return async (purpose) => {
    const settings = await sources.demoFill.calendarSettings((await base.settingsFile.load()).settings);
    const writing = purpose === 'write';
    const credentials = writing
      ? await genesysCredentials(settings, { tokenFor: (id) => sources.signIn.tokenFor(id), secrets: base.secrets })
      : {};
    const session = await openAppArchiveSession(settings, {
      userDataDir: base.userDataDir,
      secrets: base.secrets,
      cacheSealKey: base.cacheSealKey,
      env: base.env,
      now: base.now,
      onWarning: base.onWarning,
      ...credentials,
      ...(settings.demo && writing ? { demoSource: await sources.demoOrganisation.source() } : {}),
    });
    // close() waits for sessions still in use (a request in flight writes the manifest cache).
    return sources.sessions.track(session);
  };
}

interface RuntimeJobsDeps {
  readonly base: RuntimeBase;
  readonly openSession: OpenSession;
  readonly events: AppEventHub;
  readonly fillDemoArchive: NonNullable<ConstructorParameters<typeof ArchiveJobs>[0]['fillDemoArchive']>;
  readonly onFinished: ConstructorParameters<typeof ArchiveJobs>[0]['onFinished'];
  readonly onInternalError?: (error: unknown) => void;
}

/** The jobs on the app's archive (catch-up, verify, a day's export, the demo's fill). */
export function runtimeJobs(deps: RuntimeJobsDeps): ArchiveJobs {
  const { base } = deps;
  return new ArchiveJobs({
    openSession: deps.openSession,
    events: deps.events,
    env: base.env,
    now: base.now,
    rateBudget: existingSharedRateBudget,
    expectedKey: async () => {
      const { settings } = await base.settingsFile.load();
      return settings.demo ? null : (settings.archive.signingKeyFingerprint ?? null);
    },
    fillDemoArchive: deps.fillDemoArchive,
    ...(deps.onFinished ? { onFinished: deps.onFinished } : {}),
    ...(deps.onInternalError ? { onInternalError: deps.onInternalError } : {}),
  });
}

/**
 * The calendar: a session per request, so a target changed in Settings applies at once; status needs
 * no Genesys secret. Each day carries the matters holding it (verified hold records, day-holds.ts)
 * and what the app's last check of the second locked copy found there (copy-check.ts).
 */
export function archiveStatusFrom(openSession: OpenSession): AppServiceDeps['archiveStatus'] {
  return ({ from, to, checkpoints }) =>
    withSession(
      () => openSession('read'),
      async (session) => {
        const status = await session.status({
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(checkpoints ? { checkpoints } : {}),
        });
        const held = withHolds(status.days, await readSessionHolds(session));
        return { ...withCopyCheck(held, session.settings, session.journal), checkpoints: status.checkpoints };
      },
    );
}

/** The folders under userData that Discovery and Reports keep. */
function runtimeFolders(userDataDir: string) {
  return {
    cache: path.join(userDataDir, 'discovery-cache'),
    results: path.join(userDataDir, 'discovery-results'),
    exports: path.join(userDataDir, 'exports'),
    reports: path.join(userDataDir, 'reports'),
    state: stateDirIn(userDataDir),
  };
}

/** Discovery: the local engine's cache, result spools and exports live under userData too. */
export function runtimeDiscovery(
  base: RuntimeBase,
  calendarSettings: (settings: Settings) => Promise<Settings>,
  openEngine: DiscoveryServiceOptions['openEngine'] | undefined,
): Closing<DiscoveryService> {
  const folders = runtimeFolders(base.userDataDir);
  return createDiscoveryService({
    loadSettings: async () => (await base.settingsFile.load()).settings,
    saveSettings: (settings) => base.settingsFile.save(settings),
    archiveTarget: (settings) => appArchiveTarget(settings, base.userDataDir),
    cacheFolder: folders.cache,
    resultsFolder: folders.results,
    exportsFolder: folders.exports,
    cacheSealKey: base.cacheSealKey,
    stateDir: folders.state,
    calendarSettings,
    now: base.now,
    env: base.env,
    ...(openEngine ? { openEngine } : {}),
  });
}

interface RuntimeReportsDeps {
  readonly base: RuntimeBase;
  readonly openSession: OpenSession;
  readonly discovery: DiscoveryService;
  readonly events: AppEventHub;
  readonly openEngine?: DiscoveryServiceOptions['openEngine'];
  readonly openFolder?: (folder: string) => Promise<boolean>;
}

/** Reports: written to `<userData>/reports`, which is also their list; Discovery's cache keeps queries warm. */
export function runtimeReports(deps: RuntimeReportsDeps): Closing<ReportService> {
  const { base, discovery } = deps;
  const folders = runtimeFolders(base.userDataDir);
  return createReportService({
    loadSettings: async () => (await base.settingsFile.load()).settings,
    // The demo's policy start as the calendar has it; reports only read the archive.
    openSession: () => deps.openSession('read'),
    reportsFolder: folders.reports,
    cacheFolder: folders.cache,
    cacheSealKey: base.cacheSealKey,
    stateDir: folders.state,
    env: base.env,
    ...(deps.openEngine ? { openEngine: deps.openEngine } : {}),
    ...(deps.openFolder ? { openFolder: deps.openFolder } : {}),
    citedRows: (runId, resultId) => discoveryRunRows(discovery, runId, resultId),
    onJob: (jobId, status) => deps.events.emit('report', { jobId, ...status }),
  });
}
