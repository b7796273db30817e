/**
 * "Test connection": proves, before anything is archived, that the configured Genesys client can
 * log in, which organisation it belongs to, and that it may read audits (`audits:audit:view`),
 * naming what is missing when it may not. Three steps, each reported; a later step is only tried
 * once the one before it passed. Nothing is archived and no secret appears in any detail.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { ConnectionCheck } from '../../../shared/setup-checks';
import { ClientCredentialsAuth, type TokenProvider } from './auth';
import { GenesysAuditClient } from './client';
import { resolveGenesysEndpoints } from './endpoints';
import { RateBudget } from './rate-budget';
import { AUDIT_PERMISSION } from './transport';

interface ConnectionCheckOptions {
  /** The client secret (client credentials), or an officer's token (PKCE sign-in). */
  readonly credentials: { readonly clientSecret: string } | { readonly token: TokenProvider };
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** A few requests only; they draw from their own small budget so a check never starves an export. */
const CHECK_BUDGET_PER_MINUTE = 30;

type Steps = ConnectionCheck['steps'];
type Endpoints = { apiUrl: string; loginUrl: string };

export async function checkGenesysConnection(
  genesys: Settings['genesys'],
  options: ConnectionCheckOptions,
): Promise<ConnectionCheck> {
  const steps: Steps = [];
  const failed = (): ConnectionCheck => ({ ok: false, steps, organisation: null, missingPermission: null });
  const login = await loginStep(genesys, options, steps);
  if (!login) return failed();
  const client = new GenesysAuditClient({
    apiUrl: login.endpoints.apiUrl,
    loginUrl: login.endpoints.loginUrl,
    auth: login.auth,
    budget: new RateBudget({ requestsPerMinute: CHECK_BUDGET_PER_MINUTE }),
    maxRetries: 2,
    retryBaseMs: 200,
    ...(genesys.clientId.trim() ? { clientId: genesys.clientId.trim() } : {}),
  });
  const organisation = await organisationStep(client, options, steps);
  if (!organisation) return failed();
  const missingPermission = await permissionStep(client, options, steps);
  if (missingPermission !== undefined) return { ok: false, steps, organisation, missingPermission };
  return { ok: true, steps, organisation, missingPermission: null };
}

/** Step 1: the endpoints resolve, a token provider can be made, and it yields a token. Null: failed (recorded). */
async function loginStep(
  genesys: Settings['genesys'],
  options: ConnectionCheckOptions,
  steps: Steps,
): Promise<{ endpoints: Endpoints; auth: TokenProvider } | null> {
  try {
    const endpoints = resolveGenesysEndpoints(genesys, options.env ?? process.env);
    const auth = tokenProviderOf(genesys, options.credentials, endpoints);
    await auth.getToken(options.signal);
    steps.push({
      step: 'login',
      ok: true,
      detail:
        'token' in options.credentials
          ? 'Signed in as yourself.'
          : `Logged in at ${new URL(endpoints.loginUrl).host} with client ${genesys.clientId.trim()}.`,
    });
    return { endpoints, auth };
  } catch (e) {
    steps.push({ step: 'login', ok: false, detail: messageOf(e) });
    return null;
  }
}

function tokenProviderOf(
  genesys: Settings['genesys'],
  credentials: ConnectionCheckOptions['credentials'],
  endpoints: Endpoints,
): TokenProvider {
  if ('token' in credentials) return credentials.token;
  return new ClientCredentialsAuth({
    loginUrl: endpoints.loginUrl,
    clientId: genesys.clientId.trim(),
    clientSecret: credentials.clientSecret,
    retryBaseMs: 200,
  });
}

/** Step 2: which organisation the client belongs to. Null: failed (recorded). */
async function organisationStep(
  client: GenesysAuditClient,
  options: ConnectionCheckOptions,
  steps: Steps,
): Promise<ConnectionCheck['organisation'] | null> {
  try {
    const identity = await client.identify(options.signal ? { signal: options.signal } : {});
    steps.push({
      step: 'organisation',
      ok: true,
      detail: identity.organisationId
        ? `Organisation ${identity.organisationName ? `${identity.organisationName} (${identity.organisationId})` : identity.organisationId} at ${identity.apiHost}.`
        : `The organisation is identified by ${identity.apiHost} and the client id: ${identity.note ?? 'organizations/me was refused'}. Manifests will record that.`,
    });
    return { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost };
  } catch (e) {
    steps.push({ step: 'organisation', ok: false, detail: messageOf(e) });
    return null;
  }
}

/** Step 3: the client may read audits. Undefined: it may; otherwise the missing permission (null: failed otherwise). */
async function permissionStep(
  client: GenesysAuditClient,
  options: ConnectionCheckOptions,
  steps: Steps,
): Promise<string | null | undefined> {
  try {
    await client.serviceMapping(options.signal ? { signal: options.signal } : {});
    steps.push({ step: 'permission', ok: true, detail: `The client may read audits (${AUDIT_PERMISSION}).` });
    return undefined;
  } catch (e) {
    const missing = e instanceof AuditArchiveError && e.code === 'GENESYS_PERMISSION_MISSING';
    steps.push({
      step: 'permission',
      ok: false,
      detail: missing
        ? `The client may not read audits: it is missing the permission ${AUDIT_PERMISSION} (Admin > Roles: Audits > Audit > View). Give its role that permission, then test again.`
        : messageOf(e),
    });
    return missing ? AUDIT_PERMISSION : null;
  }
}

function messageOf(e: unknown): string {
  if (e instanceof AuditArchiveError) return e.message;
  return 'The check failed unexpectedly; try again.';
}
