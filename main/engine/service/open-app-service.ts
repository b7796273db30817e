/**
 * The service as the app and `npm run dev:web` run it: settings in `<userData>/settings.json`,
 * secrets in the OS keychain, the default archive in `<userData>/archive`.
 *
 * One place to wire what both transports must share (e.g. `archiveStatus` once the calendar is
 * connected), so the Electron shell and the dev/test server cannot drift apart.
 */
import path from 'node:path';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import type { SecretStore } from '../secrets/secret-store';
import { SettingsFile } from '../settings/settings-file';
import { createAppService, type AppService, type AppServiceDeps } from './app-service';

export interface OpenAppServiceOptions {
  userDataDir: string;
  transport: AppServiceDeps['transport'];
  appVersion: string;
  /** Default: the OS keychain (keytar loads on first use and says what to install when it cannot). */
  secrets?: SecretStore;
  archiveStatus?: AppServiceDeps['archiveStatus'];
}

export function settingsPathIn(userDataDir: string): string {
  return path.join(userDataDir, 'settings.json');
}

export function openAppService(options: OpenAppServiceOptions): AppService {
  return createAppService({
    settingsFile: new SettingsFile(settingsPathIn(options.userDataDir)),
    secrets: options.secrets ?? new KeytarSecretStore(),
    transport: options.transport,
    appVersion: options.appVersion,
    defaultArchiveDir: path.join(options.userDataDir, 'archive'),
    ...(options.archiveStatus ? { archiveStatus: options.archiveStatus } : {}),
  });
}
