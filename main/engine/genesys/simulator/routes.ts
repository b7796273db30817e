/**
 * The simulator's route table: which endpoint a path is, and the order a request meets the
 * simulator's parts in. Login and download requests go straight to their handlers; API requests
 * pass the gateway (rate limit, injected faults), the bearer check and the permission check first,
 * in the order Genesys's gateway applies them.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { authorizeBearer, handleAuthorize, handleToken } from './auth-endpoints';
import {
  handleDownload,
  handleOrganization,
  handleQuery,
  handleResults,
  handleStatus,
  requireAuditPermission,
} from './audit-endpoints';
import { answeredByGateway } from './faults';
import { HttpFault, send } from './http';
import { type SimulatorState } from './state';

type Endpoint =
  'token' | 'authorize' | 'download' | 'organization' | 'servicemapping' | 'query' | 'results' | 'status' | 'unknown';

const EXACT_PATHS: ReadonlyMap<string, Endpoint> = new Map([
  ['/login/oauth/token', 'token'],
  ['/login/oauth/authorize', 'authorize'],
  ['/api/v2/organizations/me', 'organization'],
  ['/api/v2/audits/query/servicemapping', 'servicemapping'],
  ['/api/v2/audits/query', 'query'],
]);

/** The endpoint a path names (the name `stats.byEndpoint` counts it under). */
function endpointOf(path: string): Endpoint {
  const exact = EXACT_PATHS.get(path);
  if (exact) return exact;
  if (path.startsWith('/download/')) return 'download';
  if (/^\/api\/v2\/audits\/query\/[^/]+\/results$/.test(path)) return 'results';
  if (/^\/api\/v2\/audits\/query\/[^/]+$/.test(path)) return 'status';
  return 'unknown';
}

/** One request: counted, delayed by `latencyMs` on the wire clock, then answered. */
export async function route(s: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', s.origin);
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const endpoint = endpointOf(path);
  const arrivalMs = s.opts.clock.now();
  s.stats.requests++;
  s.stats.byEndpoint[endpoint] = (s.stats.byEndpoint[endpoint] ?? 0) + 1;
  if (s.opts.latencyMs > 0) await s.opts.clock.sleep(s.opts.latencyMs);

  if (endpoint === 'token' && method === 'POST') return handleToken(s, req, res);
  if (endpoint === 'authorize' && method === 'GET') return handleAuthorize(s, url, res);
  if (endpoint === 'download' && method === 'GET')
    return handleDownload(s, req, path.slice('/download/audits/'.length).replace(/\.json$/, ''), res);
  if (endpoint === 'unknown') throw new HttpFault(404, 'not.found', `No such resource ${path}.`);

  if (answeredByGateway(s, req, res, arrivalMs)) return;
  authorizeBearer(s, req, arrivalMs);
  return routeApi(s, { endpoint, method, url, req }, res);
}

/** An authorised API request (any other method on a known path: 405). */
function routeApi(
  s: SimulatorState,
  r: { endpoint: Endpoint; method: string; url: URL; req: IncomingMessage },
  res: ServerResponse,
): void | Promise<void> {
  const { endpoint, method, url } = r;
  if (endpoint === 'organization' && method === 'GET') return handleOrganization(s, res);
  requireAuditPermission(s);
  if (endpoint === 'servicemapping' && method === 'GET') return send(res, 200, JSON.stringify(s.org.serviceMapping));
  if (endpoint === 'query' && method === 'POST') return handleQuery(s, r.req, res);
  const id = decodeURIComponent(url.pathname.split('/')[5] ?? '');
  if (endpoint === 'status' && method === 'GET') return handleStatus(s, id, res);
  if (endpoint === 'results' && method === 'GET') return handleResults(s, id, url, res);
  throw new HttpFault(405, 'method.not.allowed', `${method} is not allowed on ${url.pathname}.`);
}
