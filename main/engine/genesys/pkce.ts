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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** A sign-in in progress: its secrets, its one outcome, and what to tidy once it has one. */
class PendingSignIn {
  readonly verifier = createCodeVerifier();
  readonly state = randomBytes(24).toString('base64url');
  readonly result: Promise<SignedInTokenProvider>;
  /** Known once the listener listens. */
  redirectUri = '';
  done = false;
  private settle: { resolve: (p: SignedInTokenProvider) => void; reject: (e: unknown) => void } | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    readonly loginUrl: string,
    readonly redirectPath: string,
  ) {
    this.result = new Promise<SignedInTokenProvider>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** Runs once the sign-in has its outcome (stop the timer, the listener, the abort watch). */
  onFinish(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  finish(outcome: { provider?: SignedInTokenProvider; error?: unknown }): void {
    if (this.done) return;
    this.done = true;
    for (const cleanup of this.cleanups) cleanup();
    if (outcome.provider) this.settle?.resolve(outcome.provider);
    else this.settle?.reject(outcome.error);
  }

  fail(message: string): void {
    this.finish({ error: new AuditArchiveError('GENESYS_AUTH_FAILED', message) });
  }
}

/** Start a PKCE sign-in: listener first, then the browser. */
export async function startPkceSignIn(options: PkceSignInOptions): Promise<PkceSignIn> {
  assertGenesysBaseUrl(options.loginUrl, 'The Genesys login URL');
  const flow = new PendingSignIn(options.loginUrl.replace(/\/+$/, ''), options.redirectPath ?? '/oauth/callback');
  const server = createServer((req, res) => answerRedirect(flow, options, req, res));
  flow.onFinish(() => {
    server.close();
    server.closeIdleConnections();
  });
  const port = await listenForRedirect(server, options.port ?? 0);
  flow.redirectUri = `http://127.0.0.1:${port}${flow.redirectPath}`;
  const authorizeUrl = authorizeUrlOf(flow, options);
  const timer = setTimeout(
    () => flow.fail('The sign-in was not completed in time. Start it again and finish it in the browser.'),
    options.timeoutMs ?? 5 * 60_000,
  );
  flow.onFinish(() => clearTimeout(timer));
  const onAbort = (): void => flow.fail('The sign-in was cancelled. Start it again to sign in.');
  flow.onFinish(() => options.signal?.removeEventListener('abort', onAbort));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  Promise.resolve()
    .then(() => options.openBrowser(authorizeUrl))
    .catch((e: unknown) =>
      flow.fail(
        `Could not open the browser for the sign-in (${e instanceof Error ? e.message : String(e)}). Open this address yourself: ${authorizeUrl}`,
      ),
    );
  return { authorizeUrl, redirectUri: flow.redirectUri, result: flow.result, cancel: onAbort };
}

/** Listens on 127.0.0.1 for the redirect; resolves with the port. */
async function listenForRedirect(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          `Could not listen on 127.0.0.1:${port} for the sign-in redirect (${e.message}). Close what uses that port or choose another.`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** The login's authorize URL, carrying the S256 challenge and the state the redirect must return. */
function authorizeUrlOf(flow: PendingSignIn, options: PkceSignInOptions): string {
  const authorize = new URL(`${flow.loginUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: flow.redirectUri,
    code_challenge: codeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state: flow.state,
    scope: options.scope ?? AUDIT_READ_SCOPE,
  }).toString();
  return authorize.toString();
}

type Reply = (status: number, title: string, text: string) => void;

/** The browser's return to the loopback listener: refused, failed, or a code to exchange. */
function answerRedirect(
  flow: PendingSignIn,
  options: PkceSignInOptions,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== flow.redirectPath || flow.done) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const reply: Reply = (status, title, text) => {
    res
      .writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      })
      .end(PAGE(title, text));
  };
  if (url.searchParams.get('state') !== flow.state) {
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
    flow.fail(
      `Genesys did not complete the sign-in (${why}). Check that the OAuth client allows this redirect URI and try again.`,
    );
    return;
  }
  exchangeCode(flow, options, code, reply);
}

/** Exchanges the code with the verifier, then tells the browser how it went. */
function exchangeCode(flow: PendingSignIn, options: PkceSignInOptions, code: string, reply: Reply): void {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: flow.verifier,
    client_id: options.clientId,
    redirect_uri: flow.redirectUri,
  });
  requestToken(flow.loginUrl, form, { fetch: options.fetch }).then(
    (token) => {
      reply(
        200,
        'Signed in',
        'You are signed in to Genesys Cloud. You can close this window and return to Audit Archive.',
      );
      flow.finish({ provider: new SignedInToken(token, options.clientId) });
    },
    (e: unknown) => {
      reply(400, 'Sign-in failed', 'Genesys refused the sign-in. Return to Audit Archive for details.');
      flow.finish({ error: e });
    },
  );
}
