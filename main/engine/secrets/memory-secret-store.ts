/**
 * MemorySecretStore: secrets in a Map, gone when the process exits.
 *
 * For unit tests only (and only where the keychain is not what is being tested): the app and the
 * CLI use KeytarSecretStore or the environment. It refuses what the keychain store refuses (same
 * checks), and a contract test runs both through the same story.
 */
import { parseSecretAccount, parseSecretValue } from './keytar-secret-store';
import type { SecretStore } from './secret-store';

export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.#secrets.get(parseSecretAccount(account)) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    const name = parseSecretAccount(account);
    this.#secrets.set(name, parseSecretValue(name, secret));
  }

  async delete(account: string): Promise<boolean> {
    return this.#secrets.delete(parseSecretAccount(account));
  }
}
