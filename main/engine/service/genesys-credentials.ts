/**
 * The credentials the app writes with for a real organisation: the officer's own sign-in (PKCE)
 * or the client secret kept in the OS keychain. The demo organisation, and an organisation with no
 * client id yet, need none. Only the Genesys part of the settings is read here.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { GenesysCredentials } from '../archive/archive-session';
import type { TokenProvider } from '../genesys/auth';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';

/** What credentials are chosen by: demo mode and the Genesys client settings. */
type CredentialSettings = Pick<Settings, 'demo'> & {
  readonly genesys: Pick<Settings['genesys'], 'clientId' | 'authMode'>;
};

interface CredentialSources {
  /** The officer's sign-in: a token for this client id, or null when not signed in. */
  readonly tokenFor: (clientId: string) => TokenProvider | null;
  readonly secrets: SecretStore;
}

const SIGN_IN_FIRST =
  'Sign in as yourself first (Settings > Genesys Cloud > Sign in as myself): the app archives with your own sign-in until Genesys expires it. Nothing was written.';

const KEYCHAIN_UNREADABLE =
  'The Genesys client secret could not be read from the OS keychain; unlock the keychain (or start a Secret Service), then try again.';

/** The credentials a write with these settings uses (none in demo mode or without a client id). */
export async function genesysCredentials(
  settings: CredentialSettings,
  sources: CredentialSources,
): Promise<GenesysCredentials> {
  const clientId = settings.genesys.clientId.trim();
  if (settings.demo || !clientId) return {};
  if (settings.genesys.authMode === 'pkce') {
    const token = sources.tokenFor(clientId);
    if (!token) throw new AuditArchiveError('GENESYS_NOT_CONFIGURED', SIGN_IN_FIRST);
    return { genesysToken: token };
  }
  const secret = await keychainClientSecret(sources.secrets, clientId);
  return secret ? { genesysClientSecret: secret } : {};
}

/** The client secret of `clientId` from the keychain; a keychain that fails says what to do. */
async function keychainClientSecret(secrets: SecretStore, clientId: string): Promise<string | null> {
  try {
    return await secrets.get(SECRET_ACCOUNTS.genesysClientSecret(clientId));
  } catch (e) {
    if (e instanceof AuditArchiveError) throw e;
    throw new AuditArchiveError('SECRET_STORE_UNAVAILABLE', KEYCHAIN_UNREADABLE, { cause: e });
  }
}
