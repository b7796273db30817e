/**
 * SecretStore: where secrets live (the OS keychain in the app; an in-memory one in unit tests only).
 *
 * Kept small so keytar (whose upstream is archived) can be replaced without touching callers.
 */
export const SECRET_SERVICE = 'audit-archive';

/** Accounts (keys) under the `audit-archive` service. */
export const SECRET_ACCOUNTS = {
  /** The Genesys OAuth client secret, account `genesys-client-secret:<clientId>`. */
  genesysClientSecret: (clientId: string) => `genesys-client-secret:${clientId}`,
} as const;

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
}
