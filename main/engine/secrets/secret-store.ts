/**
 * SecretStore: where secrets live (the OS keychain in the app; an in-memory one in unit tests only).
 *
 * Kept small so keytar (whose upstream is archived) can be replaced without touching callers.
 */
export const SECRET_SERVICE = 'audit-archive';

/** Accounts (keys) under the `audit-archive` service: one home for their names. */
export const SECRET_ACCOUNTS = {
  /** The Genesys OAuth client secret, account `genesys-client-secret:<clientId>`. */
  genesysClientSecret: (clientId: string) => `genesys-client-secret:${clientId}`,
  /** An archive's private signing key (PEM), account `archive-signing-key:<fingerprint>`. */
  archiveSigningKey: (fingerprint: string) => `archive-signing-key:${fingerprint}`,
  /** This installation's own secret for an archive (archive/installation-secrets.ts). */
  installationSecret: (purpose: string, archiveId: string) => `installation-secret:${purpose}:${archiveId}`,
  /** The secret the app's cache seals are keyed with (archive/cache-seal.ts). */
  cacheSealKey: 'derived-data-seal-key',
} as const;

/** Which kind of secret an account holds (its remedies differ), or null for an account of no known kind. */
export type SecretKind = 'genesys-client-secret' | 'archive-signing-key' | 'installation-secret' | 'cache-seal-key';

export function secretKindOf(account: string): SecretKind | null {
  if (account === SECRET_ACCOUNTS.cacheSealKey) return 'cache-seal-key';
  const colon = account.indexOf(':');
  const prefix = colon < 0 ? '' : account.slice(0, colon);
  return prefix === 'genesys-client-secret' || prefix === 'archive-signing-key' || prefix === 'installation-secret'
    ? prefix
    : null;
}

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
}
