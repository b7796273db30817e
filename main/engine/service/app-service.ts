/**
 * The service behind the IPC contract: one plain async function per channel.
 *
 * Both transports (Electron IPC and the dev/test loopback HTTP server) reach it only through
 * `dispatch`, which validates requests first; so a function here receives an already-parsed request
 * and may throw AuditArchiveError with a stable code and a message saying what to do next.
 */
import type * as z from 'zod';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { Channel, Contract, ResponseOf } from '../../../shared/ipc/contract';
import type { Settings } from '../../../shared/settings';
import type { DiscoveryService } from '../discovery/discovery-service';
import type { ReportService } from '../reports/report-service';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import type { SettingsFile } from '../settings/settings-file';
import type { DeskService } from './desk-service';
import type { HoldService } from './hold-service';

/** A request after its zod schema parsed it (defaults applied). */
type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;

export type AppService = {
  readonly [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

export interface AppServiceDeps {
  readonly settingsFile: Pick<SettingsFile, 'load' | 'save'>;
  readonly secrets: SecretStore;
  /** How the renderer reaches this service; shown in `app:info`. */
  readonly transport: 'electron' | 'dev-web';
  /** Shown in `app:info`; the Electron shell passes `app.getVersion()`. Default: 0.0.0. */
  readonly appVersion?: string;
  /** The archive the app uses with these settings (app-archive.ts: the demo archive in demo mode). */
  readonly archiveTargetOf: (settings: Settings) => string;
  /** The archive calendar. */
  readonly archiveStatus: (request: ParsedRequestOf<'archive:status'>) => Promise<ResponseOf<'archive:status'>>;
  /** Discovery queries, results and saved queries. */
  readonly discovery: DiscoveryService;
  /** Audit response reports. */
  readonly reports: ReportService;
  /** The officer's desk (catch-up, verify, setup checks). */
  readonly desk: DeskService;
  /** Legal holds placed and released by matter from the calendar. */
  readonly holds: HoldService;
  /** Settings were saved (the runtime re-plans the daily job, the shell its tray and login item). */
  readonly onSettingsSaved?: (settings: Settings) => void;
}

const KEYCHAIN_UNAVAILABLE =
  'The OS keychain is not reachable, so the client secret cannot be stored safely. ' +
  'Install and unlock a Secret Service (e.g. gnome-keyring with libsecret) or use the macOS/Windows keychain, then try again.';

/**
 * Builds the service from its dependencies, every one required; nothing is read until a channel is called.
 */
export function createAppService(deps: AppServiceDeps): AppService {
  return {
    ...appChannels(deps),
    ...settingsChannels(deps),
    ...secretChannels(deps),
    'archive:status': (request) => deps.archiveStatus(request),
    ...deps.discovery,
    ...deps.reports,
    ...deps.desk,
    ...deps.holds,
  };
}

function appChannels(deps: AppServiceDeps): Pick<AppService, 'app:info'> {
  return {
    async 'app:info'() {
      const { settings } = await deps.settingsFile.load();
      const target = deps.archiveTargetOf(settings);
      return {
        name: 'Audit Archive',
        version: deps.appVersion ?? '0.0.0',
        transport: deps.transport,
        demo: settings.demo,
        archiveTarget: target,
        archiveIsWorm: isWormTarget(target),
      };
    },
  };
}

function settingsChannels(deps: AppServiceDeps): Pick<AppService, 'settings:get' | 'settings:save'> {
  const { settingsFile } = deps;
  return {
    async 'settings:get'() {
      return settingsFile.load();
    },

    async 'settings:save'({ settings }) {
      // Connecting an organisation (a client id) leaves demo mode, and says where the app now archives.
      if (settings.demo && settings.genesys.clientId.trim()) {
        const saved = await settingsFile.save({ ...settings, demo: false });
        deps.onSettingsSaved?.(saved.settings);
        return {
          ...saved,
          warnings: [
            ...saved.warnings,
            `Organisation connected (client ${settings.genesys.clientId.trim()}): demo mode is off, and the app now archives to ${deps.archiveTargetOf(saved.settings)}.`,
          ],
        };
      }
      const saved = await settingsFile.save(settings);
      deps.onSettingsSaved?.(saved.settings);
      return saved;
    },
  };
}

/** Keychain failures other than our own errors become one clear, secret-free error. */
async function keychain<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isAuditArchiveError(e)) throw e;
    throw new AuditArchiveError('SECRET_STORE_UNAVAILABLE', KEYCHAIN_UNAVAILABLE, { cause: e });
  }
}

type SecretChannel = 'secrets:status' | 'secrets:set-genesys-client-secret' | 'secrets:clear-genesys-client-secret';

function secretChannels(deps: AppServiceDeps): Pick<AppService, SecretChannel> {
  const { secrets } = deps;
  /** The keychain account of the client secret: for the client id given (setup, before saving), else the saved one. */
  async function clientSecretAccount(given?: string): Promise<string | null> {
    const clientId = given?.trim() || (await deps.settingsFile.load()).settings.genesys.clientId.trim();
    return clientId ? SECRET_ACCOUNTS.genesysClientSecret(clientId) : null;
  }
  return {
    async 'secrets:status'({ clientId }) {
      const account = await clientSecretAccount(clientId);
      if (!account) return { genesysClientSecret: false };
      const secret = await keychain(() => secrets.get(account));
      return { genesysClientSecret: secret !== null && secret !== '' };
    },

    async 'secrets:set-genesys-client-secret'({ secret, clientId }) {
      const account = await clientSecretAccount(clientId);
      if (!account) {
        throw new AuditArchiveError(
          'INVALID_REQUEST',
          'Enter the OAuth client id first (Settings > Genesys Cloud), then store its client secret.',
          { issues: [{ path: ['clientId'], message: 'Enter the OAuth client id first.' }] },
        );
      }
      await keychain(() => secrets.set(account, secret));
      return { stored: true as const };
    },

    async 'secrets:clear-genesys-client-secret'({ clientId }) {
      const account = await clientSecretAccount(clientId);
      if (!account) return { cleared: false };
      return { cleared: await keychain(() => secrets.delete(account)) };
    },
  };
}

/**
 * Whether a target is WORM storage by its kind. A local folder is not (unless it sits on WORM
 * storage such as a SnapLock share, which we cannot tell from here); S3 and Azure targets are
 * checked for their lock when written, not here.
 */
function isWormTarget(target: string): boolean {
  return target.startsWith('s3://') || target.startsWith('azure://');
}
