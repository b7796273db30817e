/**
 * The service behind the IPC contract: one plain async function per channel.
 *
 * Both transports (Electron IPC and the dev/test loopback HTTP server) reach it only through
 * `dispatch`, which validates requests first; so a function here receives an already-parsed request
 * and may throw AuditArchiveError with a stable code and a message saying what to do next.
 */
import type { z } from 'zod';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { Channel, Contract, ResponseOf } from '../../../shared/ipc/contract';
import type { Settings } from '../../../shared/settings';
import type { DiscoveryService } from '../discovery/discovery-service';
import type { ReportService } from '../reports/report-service';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import type { SettingsFile } from '../settings/settings-file';
import { DESK_CHANNELS, type DeskChannel, type DeskService } from './desk-service';

/** A request after its zod schema parsed it (defaults applied). */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;

export type AppService = {
  readonly [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** The channels served here; the desk's are served by desk-service.ts. */
type AppChannel = Exclude<Channel, DeskChannel>;

export interface AppServiceDeps {
  settingsFile: Pick<SettingsFile, 'load' | 'save'>;
  secrets: SecretStore;
  /** How the renderer reaches this service; shown in `app:info`. */
  transport: 'electron' | 'dev-web';
  /** The archive calendar; wired by the app once the archive index exists. */
  archiveStatus?: (request: ParsedRequestOf<'archive:status'>) => Promise<ResponseOf<'archive:status'>>;
  /** Shown in `app:info`; the Electron shell passes `app.getVersion()`. */
  appVersion?: string;
  /** The archive the app uses with these settings (app-archive.ts: the demo archive in demo mode). */
  archiveTargetOf?: (settings: Settings) => string;
  /** Discovery queries, results and saved queries (issue 9). */
  discovery?: DiscoveryService;
  /** Audit response reports (issue 10). */
  reports?: ReportService;
  /** The officer's desk (catch-up, verify, setup checks); wired by the app runtime. */
  desk?: DeskService;
  /** Settings were saved (the runtime re-plans the daily job, the shell its tray and login item). */
  onSettingsSaved?: (settings: Settings) => void;
}

const KEYCHAIN_UNAVAILABLE =
  'The OS keychain is not reachable, so the client secret cannot be stored safely. ' +
  'Install and unlock a Secret Service (e.g. gnome-keyring with libsecret) or use the macOS/Windows keychain, then try again.';

/**
 * Builds the service from its dependencies; nothing is read until a channel is called.
 */
export function createAppService(deps: AppServiceDeps): AppService {
  const { settingsFile, secrets } = deps;
  const archiveTargetOf = deps.archiveTargetOf ?? ((settings: Settings) => settings.archive.target || 'file:///');

  /** Keychain failures other than our own errors become one clear, secret-free error. */
  async function keychain<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (isAuditArchiveError(e)) throw e;
      throw new AuditArchiveError('SECRET_STORE_UNAVAILABLE', KEYCHAIN_UNAVAILABLE, { cause: e });
    }
  }

  /** The keychain account of the client secret: for the client id given (setup, before saving), else the saved one. */
  async function clientSecretAccount(given?: string): Promise<string | null> {
    const clientId = given?.trim() || (await settingsFile.load()).settings.genesys.clientId.trim();
    return clientId ? SECRET_ACCOUNTS.genesysClientSecret(clientId) : null;
  }

  const app: Pick<AppService, AppChannel> = {
    async 'app:info'() {
      const { settings } = await settingsFile.load();
      const target = archiveTargetOf(settings);
      return {
        name: 'Audit Archive',
        version: deps.appVersion ?? '0.0.0',
        transport: deps.transport,
        demo: settings.demo,
        archiveTarget: target,
        archiveIsWorm: isWormTarget(target),
      };
    },

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
            `Organisation connected (client ${settings.genesys.clientId.trim()}): demo mode is off, and the app now archives to ${archiveTargetOf(saved.settings)}.`,
          ],
        };
      }
      const saved = await settingsFile.save(settings);
      deps.onSettingsSaved?.(saved.settings);
      return saved;
    },

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

    async 'archive:status'(request) {
      if (!deps.archiveStatus) {
        throw new AuditArchiveError('INTERNAL', 'The archive calendar is not available in this build yet.');
      }
      return deps.archiveStatus(request);
    },

    ...discoveryChannels(deps.discovery),
    ...reportChannels(deps.reports),
  };
  return { ...app, ...(deps.desk ?? deskUnavailable()) };
}

/** The report channels, or a clear refusal from each when this build has no report service. */
function reportChannels(reports: ReportService | undefined): ReportService {
  if (reports) return reports;
  const missing = async (): Promise<never> => {
    throw new AuditArchiveError('INTERNAL', 'Reports are not available in this build.');
  };
  return {
    'reports:preview': missing,
    'reports:generate': missing,
    'reports:status': missing,
    'reports:list': missing,
    'reports:check': missing,
    'reports:open-folder': missing,
  };
}

/** The discovery channels, or a clear refusal from each when this build has no discovery service. */
function discoveryChannels(discovery: DiscoveryService | undefined): DiscoveryService {
  if (discovery) return discovery;
  const missing = async (): Promise<never> => {
    throw new AuditArchiveError('INTERNAL', 'Discovery is not available in this build.');
  };
  return {
    'discovery:library': missing,
    'discovery:run': missing,
    'discovery:status': missing,
    'discovery:rows': missing,
    'discovery:cancel': missing,
    'discovery:export': missing,
    'discovery:save-query': missing,
    'discovery:delete-query': missing,
    'discovery:export-queries': missing,
    'discovery:import-queries': missing,
  };
}

/** Without a desk (tests of the other channels), its channels answer that they are not available. */
function deskUnavailable(): DeskService {
  const refuse = async (): Promise<never> => {
    throw new AuditArchiveError('INTERNAL', 'This part of Audit Archive is not available in this build.');
  };
  return Object.fromEntries(DESK_CHANNELS.map((c) => [c, refuse])) as unknown as DeskService;
}

/**
 * Whether a target is WORM storage by its kind. A local folder is not (unless it sits on WORM
 * storage such as a SnapLock share, which we cannot tell from here); S3 and Azure targets are
 * checked for their lock when written, not here.
 */
export function isWormTarget(target: string): boolean {
  return target.startsWith('s3://') || target.startsWith('azure://');
}
