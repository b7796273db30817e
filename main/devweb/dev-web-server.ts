/**
 * The dev/test transport: the real renderer in any browser, wired to the real engine over loopback
 * HTTP, because the Electron binary cannot run on our build machines.
 *
 * Never started by the packaged app. Guards: bound to 127.0.0.1 only; every RPC carries a random
 * 32-byte token (compared in constant time) that the page receives in the URL fragment, which the
 * browser never sends to a server; the Host header must be exactly `127.0.0.1:<port>` (defeats DNS
 * rebinding); a foreign Origin is refused; bodies are JSON and at most 1 MiB. Every RPC goes through
 * `dispatch`, exactly like Electron IPC.
 *
 * Events main pushes (job progress, the daily job, the sign-in) reach the page as server-sent
 * events on `GET /events`, under the same token, Host and Origin checks; the page reads the stream
 * with fetch (an EventSource cannot send the token header, and a token in a URL ends up in logs).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AppEvent } from '../../shared/ipc/contract';
import { fail, type Result } from '../../shared/result';
import { openAppRuntime, type AppRuntime } from '../engine/service/app-runtime';
import type { AppService } from '../engine/service/app-service';
import { dispatch } from '../engine/service/dispatch';
import { readRendererFile, RENDERER_HEADERS } from '../engine/service/renderer-files';
import { KeytarSecretStore } from '../engine/secrets/keytar-secret-store';
import type { SecretStore } from '../engine/secrets/secret-store';
import { DEFAULT_RENDERER_DIR, ensureRendererBuilt, PROJECT_ROOT } from './renderer-build';

/** The header that carries the token on every RPC. */
export const TOKEN_HEADER = 'x-audit-archive-token';
const MAX_BODY_BYTES = 1024 * 1024;

interface DevWebServerOptions {
  /** Where settings.json (and the default local archive) live. */
  userDataDir: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The service to expose; default: the app runtime over userDataDir and the OS keychain. */
  service?: AppService;
  /** Where the events pushed to the page come from (the runtime's hub); none: the stream stays quiet. */
  events?: { subscribe(listener: (event: AppEvent) => void): () => void };
  /** Built renderer files; built with Vite when missing. Default dist/renderer. */
  rendererDir?: string;
  /** Where unexpected errors are reported (never to the browser). Default: stderr. */
  log?: (line: string) => void;
}

export interface DevWebServer {
  /** Open this in a browser: `http://127.0.0.1:<port>/#token=<token>`. */
  url: string;
  /** The loopback origin, `http://127.0.0.1:<port>`. */
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The OS keychain (keytar), and whether a Secret Service answers right now. When it does not, the
 * store still refuses each call with SECRET_STORE_UNAVAILABLE saying what to install (a secret never
 * falls back to a file), and it retries on the next call, so starting a keyring later just works.
 */
export async function openOsKeychain(): Promise<{ secrets: SecretStore; available: boolean; reason?: string }> {
  const secrets = new KeytarSecretStore();
  try {
    await secrets.get('audit-archive-probe');
    return { secrets, available: true };
  } catch (e) {
    // The first sentence says what failed; the rest (what to install) is repeated on every refusal.
    const reason = e instanceof Error ? (e.message.split('. ')[0] ?? e.message).slice(0, 200) : 'unknown reason';
    return { secrets, available: false, reason };
  }
}

/** What every request handler of one server shares. */
interface DevWebContext {
  readonly service: AppService;
  readonly events: DevWebServerOptions['events'];
  readonly rendererDir: string;
  readonly log: (line: string) => void;
  readonly token: string;
  /** `127.0.0.1:<port>`, known once the server listens. */
  expectedHost: string;
  /** Open event streams, ended when the server closes. */
  readonly streams: Set<ServerResponse>;
}

export async function startDevWebServer(options: DevWebServerOptions): Promise<DevWebServer> {
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await ensureRendererBuilt(rendererDir);
  const { service, events, runtime } = await serviceToExpose(options);
  const token = randomBytes(32).toString('base64url');
  const ctx: DevWebContext = { service, events, rendererDir, log, token, expectedHost: '', streams: new Set() };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      log(`dev-web: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendResult(res, 500, fail('INTERNAL', 'The dev server failed on this request.'));
      else res.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0);
  ctx.expectedHost = `127.0.0.1:${port}`;
  const origin = `http://${ctx.expectedHost}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    port,
    close: async () => {
      for (const stream of ctx.streams) stream.destroy();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      });
      await runtime?.close();
    },
  };
}

/** The service given, or the app runtime over userDataDir and the OS keychain (closed with the server). */
async function serviceToExpose(
  options: DevWebServerOptions,
): Promise<{ service: AppService; events: DevWebServerOptions['events']; runtime: AppRuntime | null }> {
  if (options.service) return { service: options.service, events: options.events, runtime: null };
  const runtime = openAppRuntime({
    userDataDir: options.userDataDir,
    transport: 'dev-web',
    appVersion: projectVersion(),
    secrets: (await openOsKeychain()).secrets,
  });
  return { service: runtime.service, events: options.events ?? runtime.events, runtime };
}

/** Listens on 127.0.0.1 only; resolves with the port. */
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dev-web: the server has no TCP address');
  return address.port;
}

async function handle(ctx: DevWebContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.host !== ctx.expectedHost) {
    return sendResult(
      res,
      421,
      fail('INVALID_REQUEST', `Open the app at http://${ctx.expectedHost}/ (other host names are refused).`),
    );
  }
  const url = new URL(req.url ?? '/', `http://${ctx.expectedHost}`);
  if (url.pathname.startsWith('/rpc/')) return handleRpc(ctx, req, res, url.pathname.slice('/rpc/'.length));
  if (url.pathname === '/events') return handleEvents(ctx, req, res);
  return serveRendererFile(ctx, req, res, url.pathname);
}

/** The built renderer's files (GET and HEAD only). */
async function serveRendererFile(
  ctx: DevWebContext,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = await readRendererFile(ctx.rendererDir, pathname);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...RENDERER_HEADERS }).end('Not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.body.length, ...RENDERER_HEADERS });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** The token and Origin checks every RPC and the event stream pass; false when it answered a refusal. */
function admitted(ctx: DevWebContext, req: IncomingMessage, res: ServerResponse): boolean {
  if (!tokenMatches(ctx.token, req.headers[TOKEN_HEADER])) {
    sendResult(
      res,
      401,
      fail('INVALID_REQUEST', 'Missing or wrong dev token: open the URL that `npm run dev:web` printed.'),
    );
    return false;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${ctx.expectedHost}`) {
    sendResult(res, 403, fail('INVALID_REQUEST', 'Requests from other web pages are refused.'));
    return false;
  }
  return true;
}

/** Server-sent events: one `data:` line of `{event, payload}` JSON per pushed event, a comment every 15 s. */
function handleEvents(ctx: DevWebContext, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') {
    res.writeHead(405, { Allow: 'GET' }).end();
    return;
  }
  if (!admitted(ctx, req, res)) return;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  ctx.streams.add(res);
  const unsubscribe =
    ctx.events?.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`)) ?? (() => undefined);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  heartbeat.unref();
  const end = () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.streams.delete(res);
  };
  req.on('close', end);
  res.on('close', end);
}

async function handleRpc(ctx: DevWebContext, req: IncomingMessage, res: ServerResponse, rawChannel: string) {
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  if (!admitted(ctx, req, res)) return;
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return sendResult(res, 415, fail('INVALID_REQUEST', 'Send the request as application/json.'));
  }
  const body = await readBody(req);
  if (body === 'too-large') {
    return sendResult(res, 413, fail('INVALID_REQUEST', `The request is larger than ${MAX_BODY_BYTES} bytes.`));
  }
  let payload: unknown;
  try {
    payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return sendResult(res, 400, fail('INVALID_REQUEST', 'request: the body is not valid JSON.'));
  }
  const result = await dispatch(ctx.service, decodedChannel(rawChannel), payload, {
    onInternalError: (ch, e) => ctx.log(`dev-web: ${ch} failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  sendResult(res, 200, result);
}

/** The channel in the path, percent-decoded when it decodes. */
function decodedChannel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Constant-time comparison of the header with the server's token. */
function tokenMatches(token: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header, 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The version in package.json (the dev server runs from the source tree). */
export function projectVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  const body = JSON.stringify(result);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/** Reads the body; past the limit it keeps draining (so the 413 reply can still be sent) but stores nothing. */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
