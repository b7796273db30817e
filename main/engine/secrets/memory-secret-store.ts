/**
 * MemorySecretStore: secrets in a Map, gone when the process exits.
 *
 * For unit tests only (and only where the keychain is not what is being tested): the app and the
 * CLI use KeytarSecretStore or the environment. It behaves like the keychain where callers can
 * tell: an empty account or secret is refused, delete says whether something was there.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { SecretStore } from './secret-store';

export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.#secrets.get(requireAccount(account)) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    if (secret.length === 0) throw new AuditArchiveError('INVALID_ARGUMENT', 'The secret must not be empty; enter it again.');
    this.#secrets.set(requireAccount(account), secret);
  }

  async delete(account: string): Promise<boolean> {
    return this.#secrets.delete(requireAccount(account));
  }
}

function requireAccount(account: string): string {
  if (account.length === 0) throw new AuditArchiveError('INVALID_ARGUMENT', 'Keychain account name must not be empty.');
  return account;
}
