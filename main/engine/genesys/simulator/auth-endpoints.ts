/**
 * The login host's endpoints (`/login/oauth/token` with both grants, `/login/oauth/authorize`) and
 * the bearer check every API request passes. Tokens and codes live in the simulator's state and
 * expire by its wire clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpFault, readBody, send } from './http';
import { type SimulatorState } from './state';

type AuthState = Pick<SimulatorState, 'opts' | 'tokens' | 'authCodes' | 'stats'>;

/** `POST /login/oauth/token`: client credentials (Basic header) or an authorization code with its verifier. */
export async function handleToken(s: AuthState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const grant = form.get('grant_type');
  if (grant === 'client_credentials') return clientCredentialsGrant(s, req, res);
  if (grant === 'authorization_code') return authorizationCodeGrant(s, form, res);
  send(res, 400, JSON.stringify({ error: 'unsupported_grant_type', description: 'grant type not supported' }));
}

function issueToken(s: AuthState, res: ServerResponse): void {
  const token = randomBytes(24).toString('base64url');
  s.tokens.set(token, s.opts.clock.now() + s.opts.tokenLifetimeSeconds * 1000);
  s.stats.tokensIssued++;
  send(
    res,
    200,
    JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: s.opts.tokenLifetimeSeconds }),
  );
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  send(res, status, JSON.stringify({ error, description, error_description: description }));
}

function clientCredentialsGrant(s: AuthState, req: IncomingMessage, res: ServerResponse): void {
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  const [id, secret] = Buffer.from(m?.[1] ?? '', 'base64')
    .toString('utf8')
    .split(':');
  if (id !== s.opts.clientId || secret !== s.opts.clientSecret) {
    oauthError(res, 401, 'invalid_client', 'client not found');
    return;
  }
  issueToken(s, res);
}

/** The code is spent whatever the outcome; the verifier must hash to the challenge it was issued for. */
function authorizationCodeGrant(s: AuthState, form: URLSearchParams, res: ServerResponse): void {
  const code = form.get('code') ?? '';
  const entry = s.authCodes.get(code);
  s.authCodes.delete(code);
  const verifier = form.get('code_verifier') ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (
    !entry ||
    entry.expiresAt < s.opts.clock.now() ||
    entry.clientId !== form.get('client_id') ||
    entry.redirectUri !== form.get('redirect_uri') ||
    verifier.length < 43 ||
    verifier.length > 128 ||
    entry.challenge !== challenge
  ) {
    oauthError(res, 400, 'invalid_grant', 'authorization code is invalid');
    return;
  }
  issueToken(s, res);
}

/** `GET /login/oauth/authorize`: the officer "signs in" at once; the simulator redirects back with a code. */
export function handleAuthorize(s: AuthState, url: URL, res: ServerResponse): void {
  const p = url.searchParams;
  const redirectUri = p.get('redirect_uri') ?? '';
  const ok =
    p.get('client_id') === s.opts.clientId &&
    p.get('response_type') === 'code' &&
    p.get('code_challenge_method') === 'S256' &&
    /^[A-Za-z0-9_-]{43}$/.test(p.get('code_challenge') ?? '') &&
    /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(redirectUri);
  if (!ok) {
    send(
      res,
      400,
      JSON.stringify({
        error: 'invalid_request',
        description: 'client_id, redirect_uri, response_type=code and an S256 code_challenge are required',
      }),
    );
    return;
  }
  const code = randomBytes(18).toString('base64url');
  s.authCodes.set(code, {
    challenge: p.get('code_challenge') ?? '',
    redirectUri,
    clientId: s.opts.clientId,
    expiresAt: s.opts.clock.now() + 60_000,
  });
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  if (p.get('state') !== null) target.searchParams.set('state', p.get('state') ?? '');
  res.writeHead(302, { location: target.toString(), 'content-length': 0 });
  res.end();
}

/** Tokens are checked as of the request's arrival (the simulated latency comes after). */
export function authorizeBearer(s: AuthState, req: IncomingMessage, arrivalMs: number): void {
  const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  const expiresAt = m?.[1] ? s.tokens.get(m[1]) : undefined;
  if (expiresAt === undefined || expiresAt <= arrivalMs) {
    s.stats.unauthorized++;
    throw new HttpFault(401, 'bad.credentials', 'Invalid login credentials.');
  }
}
