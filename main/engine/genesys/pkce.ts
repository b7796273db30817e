/**
 * Sign-in as oneself: OAuth authorization code with PKCE (S256) and a loopback redirect.
 *
 * For an officer who should appear in Genesys's own audit trail as themself rather than as a shared
 * client. The app opens the authorize URL in the system browser; Genesys redirects to a one-shot
 * listener on 127.0.0.1, which checks `state` (a forged or stale redirect is refused), exchanges the
 * code with the verifier, and answers the browser with a short page. No client secret is involved.
 * Genesys issues no refresh token here: when the token runs out the officer signs in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { AuditArchiveError } from '../../../shared/errors';
import { type IssuedToken, type TokenProvider, renewalMarginMs, requestToken } from './auth';
import { assertGenesysBaseUrl } from './endpoints';
import { safeRemoteText } from './remote-text';
import { type FetchFn } from './transport';

/** The scope a code/PKCE client needs for the audit API. */
export const AUDIT_READ_SCOPE = 'audits:readonly';

export interface PkceSignInOptions {
  readonly loginUrl: string;
  readonly clientId: string;
  /** Opens the URL in the user's browser (the app passes shell.openExternal; tests follow it). */
  readonly openBrowser: (authorizeUrl: string) => void | Promise<void>;
  /**
   * Loopback port of the redirect listener. Genesys accepts only a registered redirect URI, so the
   * app uses a fixed port registered on the OAuth client; 0 (tests) picks a free one.
   */
  readonly port?: number;
  readonly redirectPath?: string;
  readonly scope?: string;
  /** Give up if the browser has not come back by then (default 5 minutes). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly fetch?: FetchFn;
}

export interface PkceSignIn {
  readonly authorizeUrl: string;
  readonly redirectUri: string;
  /** Resolves once the code has been exchanged; rejects with GENESYS_AUTH_FAILED otherwise. */
  readonly result: Promise<SignedInTokenProvider>;
  /** Stop waiting (the user closed the dialog). */
  cancel(): void;
}

/** A verifier of 64 unreserved characters (RFC 7636 allows 43-128). */
export function createCodeVerifier(): string {
  return randomBytes(48).toString('base64url');
}

/** `base64url(SHA-256(verifier))`: the S256 challenge. */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A signed-in officer's token, and when Genesys stops accepting it (no refresh token: sign in again). */
export interface SignedInTokenProvider extends TokenProvider {
  readonly expiresAtMs: number;
}

/** The token of a signed-in officer; when it runs out, the officer signs in again. */
class SignedInToken implements SignedInTokenProvider {
  private token: IssuedToken | null;
  private readonly lifetimeMs: number;

  constructor(
    token: IssuedToken,
    readonly clientId: string,
  ) {
    this.token = token;
    this.lifetimeMs = token.expiresAtMs - Date.now();
    this.expiresAtMs = token.expiresAtMs;
  }

  readonly expiresAtMs: number;

  async getToken(): Promise<string> {
    const t = this.token;
    if (!t || Date.now() >= t.expiresAtMs - renewalMarginMs(this.lifetimeMs)) {
      throw new AuditArchiveError(
        'GENESYS_AUTH_FAILED',
        'Your Genesys sign-in has expired or was revoked. Sign in again to continue.',
      );
    }
    return t.accessToken;
  }

  invalidate(token: string): void {
    if (this.token?.accessToken === token) this.token = null;
  }
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

/** Start a PKCE sign-in: listener first, then the browser. */
export async function startPkceSignIn(options: PkceSignInOptions): Promise<PkceSignIn> {
  const verifier = createCodeVerifier();
  const state = randomBytes(24).toString('base64url');
  const redirectPath = options.redirectPath ?? '/oauth/callback';
  assertGenesysBaseUrl(options.loginUrl, 'The Genesys login URL');
  const loginUrl = options.loginUrl.replace(/\/+$/, '');
  let settle: { resolve: (p: SignedInTokenProvider) => void; reject: (e: unknown) => void };
  const result = new Promise<SignedInTokenProvider>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let done = false;
  // Assigned below; `finish` may only run once both exist (it is called from their callbacks).
  // eslint-disable-next-line prefer-const
  let server: Server | undefined;
  // eslint-disable-next-line prefer-const
  let timer: NodeJS.Timeout | undefined;
  const finish = (outcome: { provider?: SignedInTokenProvider; error?: unknown }): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    server?.close();
    server?.closeIdleConnections();
    if (outcome.provider) settle.resolve(outcome.provider);
    else settle.reject(outcome.error);
  };
  const onAbort = (): void =>
    finish({
      error: new AuditArchiveError('GENESYS_AUTH_FAILED', 'The sign-in was cancelled. Start it again to sign in.'),
    });

  let redirectUri = '';
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== redirectPath || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const reply = (status: number, title: string, text: string): void => {
      res
        .writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'close',
        })
        .end(PAGE(title, text));
    };
    if (url.searchParams.get('state') !== state) {
      // A redirect we did not ask for (a stale tab, or someone else's link): refuse, keep waiting.
      reply(
        400,
        'Sign-in refused',
        'This sign-in link does not belong to the sign-in in progress. Return to Audit Archive and start again.',
      );
      return;
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      reply(400, 'Sign-in failed', 'Genesys did not sign you in. Return to Audit Archive for details.');
      const why = safeRemoteText(url.searchParams.get('error_description') ?? error ?? 'no authorization code', 200);
      finish({
        error: new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          `Genesys did not complete the sign-in (${why}). Check that the OAuth client allows this redirect URI and try again.`,
        ),
      });
      return;
    }
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: options.clientId,
      redirect_uri: redirectUri,
    });
    requestToken(loginUrl, form, { fetch: options.fetch }).then(
      (token) => {
        reply(
          200,
          'Signed in',
          'You are signed in to Genesys Cloud. You can close this window and return to Audit Archive.',
        );
        finish({ provider: new SignedInToken(token, options.clientId) });
      },
      (e: unknown) => {
        reply(400, 'Sign-in failed', 'Genesys refused the sign-in. Return to Audit Archive for details.');
        finish({ error: e });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server?.once('error', (e) =>
      reject(
        new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          `Could not listen on 127.0.0.1:${options.port ?? 0} for the sign-in redirect (${e.message}). Close what uses that port or choose another.`,
        ),
      ),
    );
    server?.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${redirectPath}`;
  const authorize = new URL(`${loginUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    code_challenge: codeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    scope: options.scope ?? AUDIT_READ_SCOPE,
  }).toString();
  const authorizeUrl = authorize.toString();

  timer = setTimeout(
    () =>
      finish({
        error: new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          'The sign-in was not completed in time. Start it again and finish it in the browser.',
        ),
      }),
    options.timeoutMs ?? 5 * 60_000,
  );
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  Promise.resolve()
    .then(() => options.openBrowser(authorizeUrl))
    .catch((e: unknown) =>
      finish({
        error: new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          `Could not open the browser for the sign-in (${e instanceof Error ? e.message : String(e)}). Open this address yourself: ${authorizeUrl}`,
        ),
      }),
    );
  return { authorizeUrl, redirectUri, result, cancel: onAbort };
}
