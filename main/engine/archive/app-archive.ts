/**
 * The archive as the app uses it (its service, its daily schedule), in one place so both open it
 * the same way: which archive, where its state lives, where its signing key is kept.
 *
 * - The demo organisation writes only into the demo archive, `<userData>/demo-archive`, whose root
 *   says "demo". A connected organisation writes into `settings.archive.target`, or
 *   `<userData>/archive` when none is set: never the demo folder.
 * - State (run journal, manifest cache, head record) lives in `<userData>/state`.
 * - A real archive's signing key lives in the OS keychain; the demo archive's in the state folder
 *   (it signs simulated events, so it needs no keychain, and the demo works without one).
 * - The secret that seals derived data in the state and cache folders (cache-seal.ts) lives in the
 *   OS keychain; without one, derived data is checked afresh in each process.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Settings } from '../../../shared/settings';
import {
  openArchiveSession,
  type ArchiveSession,
  type ArchiveSessionOptions,
  type GenesysCredentials,
} from './archive-session';
import { keychainCacheSealKey, type CacheSealKey } from './cache-seal';
import { FileSigningKeyStore, SecretSigningKeyStore, type SigningKeyStore } from './signing-keys';
import type { TokenProvider } from '../genesys/auth';
import type { AuditEventSource } from '../genesys/audit-source';
import type { SecretStore } from '../secrets/secret-store';

const APP_PROGRAM = 'the Audit Archive app';

export function settingsPathIn(userDataDir: string): string {
  return path.join(userDataDir, 'settings.json');
}

/** The local archive used while `settings.archive.target` is empty and an organisation is connected. */
export function defaultArchiveDirIn(userDataDir: string): string {
  return path.join(userDataDir, 'archive');
}

/** The demo organisation's archive. */
export function demoArchiveDirIn(userDataDir: string): string {
  return path.join(userDataDir, 'demo-archive');
}

/** The app's state folder: run journal, manifest cache, head record, the demo archive's key. */
export function stateDirIn(userDataDir: string): string {
  return path.join(userDataDir, 'state');
}

/** The archive the app reads and writes with these settings. */
export function appArchiveTarget(settings: Settings, userDataDir: string): string {
  if (settings.demo) return pathToFileURL(demoArchiveDirIn(userDataDir)).href;
  return settings.archive.target || pathToFileURL(defaultArchiveDirIn(userDataDir)).href;
}

interface AppArchiveOptions {
  readonly userDataDir: string;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => number;
  readonly onWarning?: (message: string) => void;
  /** The Genesys client secret, for writes of a real organisation (status and verify need none). */
  readonly genesysClientSecret?: string;
  /** An officer's own sign-in (PKCE), used instead of the client secret. */
  readonly genesysToken?: TokenProvider;
  /** The demo organisation's simulator, when the app keeps one running (demo mode only). */
  readonly demoSource?: AuditEventSource;
  /** Where the cache seal's secret is kept (default: the keychain of `secrets`). */
  readonly cacheSealKey?: CacheSealKey;
}

/** Where the app keeps the signing key of the archive these settings use. */
export function appSigningKeys(settings: Settings, userDataDir: string, secrets: SecretStore): SigningKeyStore {
  return settings.demo
    ? new FileSigningKeyStore(stateDirIn(userDataDir))
    : new SecretSigningKeyStore(secrets, settings.archive.signingKeyFingerprint);
}

export function openAppArchiveSession(settings: Settings, options: AppArchiveOptions): Promise<ArchiveSession> {
  const stateDir = stateDirIn(options.userDataDir);
  const sessionOptions: ArchiveSessionOptions = {
    env: options.env,
    stateDir,
    program: APP_PROGRAM,
    keys: appSigningKeys(settings, options.userDataDir, options.secrets),
    cacheSealKey: options.cacheSealKey ?? keychainCacheSealKey(options.secrets),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(settings.demo && options.demoSource ? { demoSource: options.demoSource } : {}),
  };
  const effective: Settings = {
    ...settings,
    archive: { ...settings.archive, target: appArchiveTarget(settings, options.userDataDir) },
  };
  const credentials: GenesysCredentials = {
    ...(options.genesysClientSecret ? { genesysClientSecret: options.genesysClientSecret } : {}),
    ...(options.genesysToken ? { genesysToken: options.genesysToken } : {}),
  };
  return openArchiveSession(effective, credentials, sessionOptions);
}
