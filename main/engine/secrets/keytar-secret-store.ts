/**
 * KeytarSecretStore: secrets in the OS keychain (macOS Keychain, Windows Credential Vault, the
 * Secret Service on Linux via libsecret), under the service name `audit-archive`.
 *
 * keytar is a native module loaded on first use, not at start: on a Linux machine without
 * libsecret, or without a Secret Service on D-Bus (a headless server), the app still starts and the
 * user gets SECRET_STORE_UNAVAILABLE saying what to install, or that the CLI takes the secret from
 * the environment instead. No error message ever contains a secret.
 */
import { z } from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { SECRET_SERVICE, type SecretStore } from './secret-store';

/** The part of keytar this store uses. */
interface KeytarApi {
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

/** What the keychain's errors advise (exported so a caller with better advice can replace it). */
export const KEYCHAIN_ADVICE =
  'On Linux install libsecret (Debian/Ubuntu: apt-get install libsecret-1-0 gnome-keyring) and run a desktop ' +
  'session with an unlocked keyring; on a headless server use the CLI and set AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET ' +
  'in its environment instead.';

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
    const keytar = await this.#ready();
    const name = parseSecretAccount(account);
    try {
      return await keytar.getPassword(this.service, name);
    } catch (e) {
      throw this.#unavailable(`read "${name}" from`, e);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    const keytar = await this.#ready();
    const name = parseSecretAccount(account);
    const value = parseSecretValue(name, secret);
    try {
      await keytar.setPassword(this.service, name, value);
    } catch (e) {
      throw this.#unavailable(`store "${name}" in`, e, value);
    }
  }

  async delete(account: string): Promise<boolean> {
    const keytar = await this.#ready();
    const name = parseSecretAccount(account);
    try {
      return await keytar.deletePassword(this.service, name);
    } catch (e) {
      throw this.#unavailable(`delete "${name}" from`, e);
    }
  }

  /** Loads keytar once; a failed load is retried on the next call (the user may install libsecret). */
  #ready(): Promise<KeytarApi> {
    this.#keytar ??= this.#loadKeytar().catch((e: unknown) => {
      this.#keytar = null;
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `The OS keychain cannot be used: its library failed to load (${describeFailure(e)}). ${KEYCHAIN_ADVICE}`,
      );
    });
    return this.#keytar;
  }

  #unavailable(action: string, e: unknown, secret?: string): AuditArchiveError {
    return new AuditArchiveError(
      'SECRET_STORE_UNAVAILABLE',
      `Could not ${action} the OS keychain (${describeFailure(e, secret)}). ${KEYCHAIN_ADVICE}`,
    );
  }
}
