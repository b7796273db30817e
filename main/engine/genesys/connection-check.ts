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

export interface ConnectionCheckOptions {
  /** The client secret (client credentials), or an officer's token (PKCE sign-in). */
  readonly credentials: { readonly clientSecret: string } | { readonly token: TokenProvider };
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** A few requests only; they draw from their own small budget so a check never starves an export. */
const CHECK_BUDGET_PER_MINUTE = 30;

export async function checkGenesysConnection(
  genesys: Settings['genesys'],
  options: ConnectionCheckOptions,
): Promise<ConnectionCheck> {
  const steps: ConnectionCheck['steps'] = [];
  const failed = (missingPermission: string | null = null): ConnectionCheck => ({
    ok: false,
    steps,
    organisation: null,
    missingPermission,
  });
  let endpoints: { apiUrl: string; loginUrl: string };
  try {
    endpoints = resolveGenesysEndpoints(genesys, options.env ?? process.env);
  } catch (e) {
    steps.push({ step: 'login', ok: false, detail: messageOf(e) });
    return failed();
  }

  let auth: TokenProvider;
  if ('token' in options.credentials) {
    auth = options.credentials.token;
  } else {
    try {
      auth = new ClientCredentialsAuth({
        loginUrl: endpoints.loginUrl,
        clientId: genesys.clientId.trim(),
        clientSecret: options.credentials.clientSecret,
        retryBaseMs: 200,
      });
    } catch (e) {
      steps.push({ step: 'login', ok: false, detail: messageOf(e) });
      return failed();
    }
  }
  try {
    await auth.getToken(options.signal);
    steps.push({
      step: 'login',
      ok: true,
      detail:
        'token' in options.credentials
          ? 'Signed in as yourself.'
          : `Logged in at ${new URL(endpoints.loginUrl).host} with client ${genesys.clientId.trim()}.`,
    });
  } catch (e) {
    steps.push({ step: 'login', ok: false, detail: messageOf(e) });
    return failed();
  }

  const client = new GenesysAuditClient({
    apiUrl: endpoints.apiUrl,
    loginUrl: endpoints.loginUrl,
    auth,
    budget: new RateBudget({ requestsPerMinute: CHECK_BUDGET_PER_MINUTE }),
    maxRetries: 2,
    retryBaseMs: 200,
    ...(genesys.clientId.trim() ? { clientId: genesys.clientId.trim() } : {}),
  });
  let organisation: ConnectionCheck['organisation'];
  try {
    const identity = await client.identify(options.signal ? { signal: options.signal } : {});
    organisation = { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost };
    steps.push({
      step: 'organisation',
      ok: true,
      detail: identity.organisationId
        ? `Organisation ${identity.organisationName ? `${identity.organisationName} (${identity.organisationId})` : identity.organisationId} at ${identity.apiHost}.`
        : `The organisation is identified by ${identity.apiHost} and the client id: ${identity.note ?? 'organizations/me was refused'}. Manifests will record that.`,
    });
  } catch (e) {
    steps.push({ step: 'organisation', ok: false, detail: messageOf(e) });
    return failed();
  }

  try {
    await client.serviceMapping(options.signal ? { signal: options.signal } : {});
    steps.push({ step: 'permission', ok: true, detail: `The client may read audits (${AUDIT_PERMISSION}).` });
  } catch (e) {
    const missing = e instanceof AuditArchiveError && e.code === 'GENESYS_PERMISSION_MISSING';
    steps.push({
      step: 'permission',
      ok: false,
      detail: missing
        ? `The client may not read audits: it is missing the permission ${AUDIT_PERMISSION} (Admin > Roles: Audits > Audit > View). Give its role that permission, then test again.`
        : messageOf(e),
    });
    return { ok: false, steps, organisation, missingPermission: missing ? AUDIT_PERMISSION : null };
  }
  return { ok: true, steps, organisation, missingPermission: null };
}

function messageOf(e: unknown): string {
  if (e instanceof AuditArchiveError) return e.message;
  return 'The check failed unexpectedly; try again.';
}
