/**
 * Genesys OAuth: one TokenProvider interface, two ways to get a token.
 *
 * Client credentials (the unattended exporter) has no refresh token: the provider logs in again a
 * margin before `expires_in` runs out, and once more when the API answers 401 (`invalidate`). The
 * authorization-code + PKCE sign-in (an officer as themself) lives in pkce.ts and returns the same
 * interface.
 */
import { AuditArchiveError } from '../../../shared/errors';
import { assertGenesysBaseUrl } from './endpoints';
import { TokenResponseSchema } from './wire';
import { type FetchFn, type TokenProvider, backoffMs, describeGenesysError, parseErrorBody } from './transport';
import { sleep as wallSleep, type WireClock } from './wire-clock';

export type { TokenProvider } from './transport';

export interface IssuedToken {
  readonly accessToken: string;
  /** Epoch ms at which Genesys stops accepting it. */
  readonly expiresAtMs: number;
}

/** Renew this long before expiry: 10% of the lifetime, at most 5 minutes. */
export function renewalMarginMs(lifetimeMs: number): number {
  return Math.min(5 * 60_000, lifetimeMs / 10);
}

/**
 * POST a form to `{loginUrl}/oauth/token` and parse the token, retrying transient failures.
 * Bad credentials end as GENESYS_AUTH_FAILED. The login URL is checked first (https unless loopback,
 * no credentials): the form or its Basic header carries a secret.
 */
export async function requestToken(
  loginUrl: string,
  form: URLSearchParams,
  options: TokenRequestOptions,
): Promise<IssuedToken> {
  assertGenesysBaseUrl(loginUrl, 'The Genesys login URL');
  const now = options.now ?? options.clock?.now ?? Date.now;
  const sleep = options.clock?.sleep ?? wallSleep;
  const policy = { maxRetries: options.maxRetries ?? 4, retryBaseMs: options.retryBaseMs ?? 500, maxBackoffMs: 10_000 };
  for (let attempt = 0; ; attempt++) {
    let answer: { status: number; text: string };
    try {
      answer = await postTokenForm(loginUrl, form, options);
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (attempt >= policy.maxRetries) {
        throw new AuditArchiveError(
          'GENESYS_UNAVAILABLE',
          `Could not reach the Genesys login at ${loginUrl} (${e instanceof Error ? e.message : String(e)}). Check the region and the network, then retry.`,
        );
      }
      await sleep(backoffMs(policy, attempt), options.signal);
      continue;
    }
    const { status, text } = answer;
    if (status === 200) return issuedToken(loginUrl, text, now);
    if (isTransient(status) && attempt < policy.maxRetries) {
      await sleep(backoffMs(policy, attempt), options.signal);
      continue;
    }
    throw loginRefusal(loginUrl, status, text);
  }
}

interface TokenRequestOptions {
  basic?: string;
  fetch?: FetchFn;
  signal?: AbortSignal;
  maxRetries?: number;
  retryBaseMs?: number;
  now?: () => number;
  /** What login retries wait by. Default: the wall clock. */
  clock?: WireClock;
}

/** One POST of the form (with its Basic header when given); throws only when no answer came. */
async function postTokenForm(
  loginUrl: string,
  form: URLSearchParams,
  options: TokenRequestOptions,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (options.basic) headers.authorization = `Basic ${options.basic}`;
  const res = await (options.fetch ?? fetch)(`${loginUrl}/oauth/token`, {
    method: 'POST',
    headers,
    body: form.toString(),
    signal: options.signal,
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}

function isTransient(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** The token of a 200 answer, expiring `expires_in` from now; an answer without one is refused. */
function issuedToken(loginUrl: string, text: string, now: () => number): IssuedToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new AuditArchiveError(
      'GENESYS_BAD_RESPONSE',
      `The Genesys login at ${loginUrl} answered without a usable token. Check that the login URL points at Genesys.`,
    );
  }
  return { accessToken: parsed.data.access_token, expiresAtMs: now() + parsed.data.expires_in * 1000 };
}

/** Bad credentials (400/401/403) end as GENESYS_AUTH_FAILED; the rest as unavailable or a bad response. */
function loginRefusal(loginUrl: string, status: number, text: string): AuditArchiveError {
  const body = parseErrorBody(text);
  if (status === 400 || status === 401 || status === 403) {
    return new AuditArchiveError(
      'GENESYS_AUTH_FAILED',
      `Genesys refused the login (${describeGenesysError(status, body)}). Check the OAuth client id and secret, that the client uses the right grant type, and that it belongs to this region.`,
    );
  }
  return new AuditArchiveError(
    isTransient(status) ? 'GENESYS_UNAVAILABLE' : 'GENESYS_BAD_RESPONSE',
    `The Genesys login answered ${describeGenesysError(status, body)}. Retry later; if it persists, check the login URL.`,
  );
}

export interface ClientCredentialsOptions {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly fetch?: FetchFn;
  readonly now?: () => number;
  readonly retryBaseMs?: number;
  /** When tokens expire and login retries end (tests: the simulator's virtual clock). Default: the wall clock. */
  readonly clock?: WireClock;
}

/** Client-credentials login with a cached token, renewed before expiry and after a 401. */
export class ClientCredentialsAuth implements TokenProvider {
  private current: IssuedToken | null = null;
  private pending: Promise<IssuedToken> | null = null;
  /** Logins made (for tests and progress: a renewal shows here). */
  logins = 0;

  constructor(private readonly options: ClientCredentialsOptions) {
    if (!options.clientId || !options.clientSecret) {
      throw new AuditArchiveError(
        'GENESYS_NOT_CONFIGURED',
        'Set the Genesys OAuth client id and store its secret before exporting.',
      );
    }
    // Refused before any login: the secret goes out as Basic auth to this URL.
    assertGenesysBaseUrl(options.loginUrl, 'The Genesys login URL');
  }

  get clientId(): string {
    return this.options.clientId;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const now = this.now();
    const t = this.current;
    if (t && now < t.expiresAtMs - renewalMarginMs(t.expiresAtMs - this.issuedAt)) return t.accessToken;
    // One login for every caller waiting at this moment.
    this.pending ??= this.login(signal).finally(() => {
      this.pending = null;
    });
    return (await this.pending).accessToken;
  }

  private issuedAt = 0;

  private now(): number {
    return (this.options.now ?? this.options.clock?.now ?? Date.now)();
  }

  private async login(signal?: AbortSignal): Promise<IssuedToken> {
    const { loginUrl, clientId, clientSecret } = this.options;
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    const issuedAt = this.now();
    const token = await requestToken(loginUrl, new URLSearchParams({ grant_type: 'client_credentials' }), {
      basic,
      fetch: this.options.fetch,
      signal,
      now: () => this.now(),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      retryBaseMs: this.options.retryBaseMs,
    });
    this.logins++;
    this.current = token;
    this.issuedAt = issuedAt;
    return token;
  }

  invalidate(token: string): void {
    if (this.current?.accessToken === token) this.current = null;
  }
}
