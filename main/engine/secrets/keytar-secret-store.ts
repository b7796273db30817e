/**
 * KeytarSecretStore: secrets in the OS keychain (macOS Keychain, Windows Credential Vault, the
 * Secret Service on Linux via libsecret), under the service name `audit-archive`.
 *
 * keytar is a native module loaded on first use, not at start: on a Linux machine without
 * libsecret, or without a Secret Service on D-Bus (a headless server), the app still starts and the
 * user gets SECRET_STORE_UNAVAILABLE saying what to install, or where the CLI keeps that secret instead
 * (each kind of secret its own remedy: the client secret in the environment, the signing key in a key
 * file or the environment). No error message ever contains a secret.
 */
import * as z from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { SECRET_SERVICE, secretKindOf, type SecretKind, type SecretStore } from './secret-store';

/** The part of keytar this store uses. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

interface KeytarSecretStoreOptions {
  /** Keychain service name; `audit-archive` unless a test needs its own. */
  service?: string;
  /** How keytar is loaded; replaceable so a build can ship it elsewhere. */
  loadKeytar?: () => Promise<KeytarApi>;
}

const AccountSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
const SecretSchema = z.string().min(1, 'must not be empty').max(16_384, 'must be at most 16384 characters');

/**
 * A keychain account name, checked; shared with MemorySecretStore so tests see the same refusals.
 *
 * Account names are built by SECRET_ACCOUNTS from the OAuth client id the user typed, hence the advice.
 */
export function parseSecretAccount(account: string): string {
  const parsed = AccountSchema.safeParse(account);
  if (!parsed.success) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `The keychain entry name ${parsed.error.issues[0]?.message ?? 'is invalid'}; check the OAuth client id in Settings.`,
    );
  }
  return parsed.data;
}

/** A secret to store, checked without ever quoting it. */
export function parseSecretValue(account: string, secret: string): string {
  const parsed = SecretSchema.safeParse(secret);
  if (!parsed.success) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `The secret for "${account}" ${parsed.error.issues[0]?.message ?? 'is invalid'}; enter it again.`,
    );
  }
  return parsed.data;
}

/** What every keychain error advises first: how to have a keychain on Linux. */
const KEYCHAIN_SETUP =
  'On Linux install libsecret (Debian/Ubuntu: apt-get install libsecret-1-0 gnome-keyring) and run a desktop ' +
  'session with an unlocked keyring';

/**
 * Where each kind of secret can live on a machine without a keychain (README, "Provisioning the client
 * secret" and "The signing key: where it lives"): the remedy fits the secret the error is about.
 */
const HEADLESS_REMEDY: Record<SecretKind, string> = {
  'genesys-client-secret':
    'on a headless server use the CLI and set AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET in its environment instead.',
  'archive-signing-key':
    "on a headless server use the CLI and keep the archive's signing key in a key file outside the state folder " +
    '(AUDIT_ARCHIVE_SIGNING_KEY_FILE, --signing-key-file or archive.signingKeyFile; mode 0600), or give it as PEM ' +
    'text in AUDIT_ARCHIVE_SIGNING_KEY.',
  'installation-secret':
    'on a headless server use the CLI with a signing key file (AUDIT_ARCHIVE_SIGNING_KEY_FILE): this ' +
    "installation's own secrets are then kept beside it, in <key file>.secrets.json.",
  'cache-seal-key':
    'on a headless server use the CLI, which keeps the cache seal key in a file (AUDIT_ARCHIVE_CACHE_KEY_FILE).',
};

/** What a keychain error about this kind of secret advises (exported so a caller with better advice can replace it). */
export function keychainAdvice(kind: SecretKind | null): string {
  return kind ? `${KEYCHAIN_SETUP}; ${HEADLESS_REMEDY[kind]}` : `${KEYCHAIN_SETUP}.`;
}

async function importKeytar(): Promise<KeytarApi> {
  // keytar is CommonJS: its functions arrive on `default` when imported from ESM.
  const mod = (await import('keytar')) as KeytarApi & { default?: KeytarApi };
  return mod.default ?? mod;
}

/** A keychain error's text, with the secret cut out should the native layer ever echo it. */
function describeFailure(e: unknown, secret?: string): string {
  let text = e instanceof Error ? e.message : String(e);
  if (secret) text = text.split(secret).join('[secret]');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export class KeytarSecretStore implements SecretStore {
  readonly service: string;
  readonly #loadKeytar: () => Promise<KeytarApi>;
  #keytar: Promise<KeytarApi> | null = null;

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.service = options.service ?? SECRET_SERVICE;
    this.#loadKeytar = options.loadKeytar ?? importKeytar;
  }

  async get(account: string): Promise<string | null> {
    const name = parseSecretAccount(account);
    const keytar = await this.#ready(name);
    try {
      return await keytar.getPassword(this.service, name);
    } catch (e) {
      throw unavailable(`read "${name}" from`, name, e);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    const name = parseSecretAccount(account);
    const keytar = await this.#ready(name);
    const value = parseSecretValue(name, secret);
    try {
      await keytar.setPassword(this.service, name, value);
    } catch (e) {
      throw unavailable(`store "${name}" in`, name, e, value);
    }
  }

  async delete(account: string): Promise<boolean> {
    const name = parseSecretAccount(account);
    const keytar = await this.#ready(name);
    try {
      return await keytar.deletePassword(this.service, name);
    } catch (e) {
      throw unavailable(`delete "${name}" from`, name, e);
    }
  }

  /**
   * Loads keytar once; a failed load is retried on the next call (the user may install libsecret).
   * The error advises for the secret `account` holds.
   */
  async #ready(account: string): Promise<KeytarApi> {
    this.#keytar ??= this.#loadKeytar().catch((e: unknown) => {
      this.#keytar = null;
      throw e;
    });
    try {
      return await this.#keytar;
    } catch (e) {
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `The OS keychain cannot be used: its library failed to load (${describeFailure(e)}). ${keychainAdvice(secretKindOf(account))}`,
      );
    }
  }
}

/** A keychain call that failed: what failed, and the remedies that fit the secret `account` holds. */
function unavailable(action: string, account: string, e: unknown, secret?: string): AuditArchiveError {
  return new AuditArchiveError(
    'SECRET_STORE_UNAVAILABLE',
    `Could not ${action} the OS keychain (${describeFailure(e, secret)}). ${keychainAdvice(secretKindOf(account))}`,
  );
}
