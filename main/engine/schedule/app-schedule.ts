/**
 * The daily schedule as the app runs it: settings from `<userData>/settings.json`, the archive the
 * app uses with them (app-archive.ts), state in `<userData>/state`, the
 * Genesys client secret from the keychain (not touched in demo mode).
 *
 * Shared by the Electron shell and `npm run dev:web -- --schedule`, so both run the same job.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import { openAppArchiveSession, settingsPathIn } from '../service/app-archive';
import { SettingsFile } from '../settings/settings-file';
import {
  startDailySchedule,
  type CatchUpOutcome,
  type DailySchedule,
  type DailyScheduleOptions,
} from './daily-schedule';

export interface AppCatchUpOptions {
  readonly userDataDir: string;
  readonly secrets: SecretStore;
  /** Where S3 endpoints, regions and credentials may come from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
}

/**
 * The default catch-up over the app's archive: every missing or failed day from the first
 * recoverable one up to the last settled UTC day, then the session is closed.
 */
export async function appCatchUp(settings: Settings, options: AppCatchUpOptions): Promise<CatchUpOutcome> {
  const secret = await clientSecret(settings, options.secrets);
  const session = await openAppArchiveSession(settings, {
    userDataDir: options.userDataDir,
    secrets: options.secrets,
    env: options.env ?? process.env,
    ...(secret.genesysClientSecret ? { genesysClientSecret: secret.genesysClientSecret } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    const { plan: _plan, ...outcome } = await session.catchUp({}, options.signal ? { signal: options.signal } : {});
    return outcome;
  } finally {
    await session.close();
  }
}

/** The client secret for a real organisation; none in demo mode (the simulator needs none). */
async function clientSecret(settings: Settings, secrets: SecretStore): Promise<{ genesysClientSecret?: string }> {
  if (settings.demo || !settings.genesys.clientId) return {};
  let secret: string | null;
  try {
    secret = await secrets.get(SECRET_ACCOUNTS.genesysClientSecret(settings.genesys.clientId));
  } catch (e) {
    if (e instanceof AuditArchiveError) throw e;
    throw new AuditArchiveError(
      'SECRET_STORE_UNAVAILABLE',
      'The scheduled archive run could not read the Genesys client secret from the OS keychain; unlock the keychain (or start a Secret Service), then run a catch-up.',
    );
  }
  return secret ? { genesysClientSecret: secret } : {};
}

export interface AppScheduleOptions extends Pick<DailyScheduleOptions, 'onRun' | 'onError' | 'now' | 'timeZone'> {
  readonly userDataDir: string;
  /** Default: the OS keychain. */
  readonly secrets?: SecretStore;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the daily schedule over the app's user-data folder. */
export function startAppSchedule(options: AppScheduleOptions): DailySchedule {
  const settingsFile = new SettingsFile(settingsPathIn(options.userDataDir));
  const secrets = options.secrets ?? new KeytarSecretStore();
  return startDailySchedule({
    loadSettings: async () => (await settingsFile.load()).settings,
    runCatchUp: (settings, signal) =>
      appCatchUp(settings, {
        userDataDir: options.userDataDir,
        secrets,
        signal,
        ...(options.env ? { env: options.env } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.onRun ? { onRun: options.onRun } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
