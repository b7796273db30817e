/**
 * What Genesys's gateway does to an API request before the API sees it: the per-client rate limit
 * (429 with or without Retry-After) and the injected faults of `failureRates` (429, 5xx, a dropped
 * connection), drawn from the seeded generator so a run replays. Times are the wire clock's.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { errorBody, send } from './http';
import { type SimulatorState } from './state';

type GatewayState = Pick<SimulatorState, 'opts' | 'stats' | 'random' | 'rateWindow' | 'retryAfterUntil'>;

/**
 * Applies the gateway in Genesys's order: rate limit, dropped connection, random 429, random 5xx.
 * True when the request was answered (or dropped) here and must go no further.
 */
export function answeredByGateway(
  s: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  arrivalMs: number,
): boolean {
  if (arrivalMs < s.retryAfterUntil) s.stats.retryAfterIgnored++;
  if (rateLimitHit(s, arrivalMs)) return send429(s, res);
  const f = s.opts.failureRates;
  if (f.dropConnection > 0 && s.random() < f.dropConnection) {
    s.stats.droppedConnections++;
    req.socket.destroy();
    return true;
  }
  if (f.http429 > 0 && s.random() < f.http429) return send429(s, res);
  if (f.http5xx > 0 && s.random() < f.http5xx) return send5xx(s, res);
  return false;
}

/** At most `requestsPerMinute` requests in any rolling window; a refused request does not count. */
function rateLimitHit(s: GatewayState, now: number): boolean {
  const rl = s.opts.rateLimit;
  if (!rl) return false;
  const w = rl.windowMs ?? 60_000;
  while (s.rateWindow.length > 0 && (s.rateWindow[0] as number) <= now - w) s.rateWindow.shift();
  if (s.rateWindow.length >= rl.requestsPerMinute) return true;
  s.rateWindow.push(now);
  return false;
}

function send429(s: GatewayState, res: ServerResponse): true {
  s.stats.rateLimited++;
  const withHeader = s.opts.rateLimit?.retryAfter ?? true;
  const limit = {
    key: 'oauth.token.rate.per.minute',
    namespace: 'platform.api',
    value: s.opts.rateLimit?.requestsPerMinute ?? 300,
  };
  if (!withHeader) {
    send(res, 429, errorBody(429, 'too.many.requests', 'Rate limit exceeded the maximum.', { limit }));
    return true;
  }
  const seconds = s.opts.retryAfterSeconds;
  s.retryAfterUntil = s.opts.clock.now() + seconds * 1000;
  const message = `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`;
  send(res, 429, errorBody(429, 'too.many.requests.retry.after', message, { limit }), {
    'retry-after': String(seconds),
  });
  return true;
}

function send5xx(s: GatewayState, res: ServerResponse): true {
  s.stats.faults5xx++;
  const status = [500, 503, 504][Math.floor(s.random() * 3)] as number;
  const code = status === 500 ? 'internal.server.error' : 'service.unavailable';
  send(res, status, errorBody(status, code, 'The service is temporarily unavailable.'));
  return true;
}
