/**
 * The service as the app and `npm run dev:web` run it: settings in `<userData>/settings.json`,
 * secrets in the OS keychain, the archive as app-archive.ts chooses it (the demo archive, or the
 * configured target, or `<userData>/archive`), state in `<userData>/state`.
 *
 * One place to wire what both transports must share, so the Electron shell and the dev/test
 * server cannot drift apart.
 */
import path from 'node:path';
import { createDiscoveryService, type DiscoveryServiceOptions } from '../discovery/discovery-service';
import { createReportService } from '../reports/report-service';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import type { SecretStore } from '../secrets/secret-store';
import { SettingsFile } from '../settings/settings-file';
import { appArchiveTarget, openAppArchiveSession, settingsPathIn } from './app-archive';
import { createAppService, type AppService, type AppServiceDeps } from './app-service';

export { defaultArchiveDirIn, demoArchiveDirIn, settingsPathIn, stateDirIn } from './app-archive';

export interface OpenAppServiceOptions {
  userDataDir: string;
  transport: AppServiceDeps['transport'];
  appVersion: string;
  /** Default: the OS keychain (keytar loads on first use and says what to install when it cannot). */
  secrets?: SecretStore;
  /** Replaces the calendar wired to the archive (tests of other channels). */
  archiveStatus?: AppServiceDeps['archiveStatus'];
  /** Where S3 endpoints, regions and credentials may come from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Clock for the calendar (which days are settled, recoverable). Default: `Date.now`. */
  now?: () => number;
  /** Tests: the discovery engine to use instead of the one settings describe (Athena under a mock). */
  discoveryEngine?: DiscoveryServiceOptions['openEngine'];
  /** Shows a folder in the desktop's file manager (the Electron shell's `shell.openPath`); none in dev:web. */
  openFolder?: (folder: string) => Promise<boolean>;
}

export function openAppService(options: OpenAppServiceOptions): AppService {
  const settingsFile = new SettingsFile(settingsPathIn(options.userDataDir));
  const env = options.env ?? process.env;
  const secrets = options.secrets ?? new KeytarSecretStore();

  /**
   * The calendar from the archive in the current settings.
   *
   * A session per request, so a target changed in Settings applies at once; status reads only the
   * archive listing, the manifest cache and the local journal, so no Genesys secret is fetched.
   */
  const archiveStatus: NonNullable<AppServiceDeps['archiveStatus']> = async ({ from, to }) => {
    const { settings } = await settingsFile.load();
    const session = await openAppArchiveSession(settings, {
      userDataDir: options.userDataDir,
      secrets,
      env,
      ...(options.now ? { now: options.now } : {}),
    });
    try {
      const { days } = await session.status({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
      return { days };
    } finally {
      await session.close();
    }
  };

  /** Discovery: the local engine's cache, result spools and exports live under userData too. */
  const discovery = createDiscoveryService({
    loadSettings: async () => (await settingsFile.load()).settings,
    saveSettings: (settings) => settingsFile.save(settings),
    archiveTarget: (settings) => appArchiveTarget(settings, options.userDataDir),
    cacheFolder: path.join(options.userDataDir, 'discovery-cache'),
    resultsFolder: path.join(options.userDataDir, 'discovery-results'),
    exportsFolder: path.join(options.userDataDir, 'exports'),
    env,
    ...(options.discoveryEngine ? { openEngine: options.discoveryEngine } : {}),
  });

  /** Reports: written to `<userData>/reports`, which is also their list; Discovery's cache keeps queries warm. */
  const reports = createReportService({
    loadSettings: async () => (await settingsFile.load()).settings,
    openSession: (settings) =>
      openAppArchiveSession(settings, {
        userDataDir: options.userDataDir,
        secrets,
        env,
        ...(options.now ? { now: options.now } : {}),
      }),
    reportsFolder: path.join(options.userDataDir, 'reports'),
    cacheFolder: path.join(options.userDataDir, 'discovery-cache'),
    env,
    ...(options.discoveryEngine ? { openEngine: options.discoveryEngine } : {}),
    ...(options.openFolder ? { openFolder: options.openFolder } : {}),
  });

  return createAppService({
    settingsFile,
    discovery,
    reports,
    secrets,
    transport: options.transport,
    appVersion: options.appVersion,
    archiveTargetOf: (settings) => appArchiveTarget(settings, options.userDataDir),
    archiveStatus: options.archiveStatus ?? archiveStatus,
  });
}
