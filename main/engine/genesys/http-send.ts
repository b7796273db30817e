/**
 * The HTTP call under the Genesys transport: one request, the whole body as bytes.
 *
 * Node's own http/https modules with keep-alive agents, not fetch: on 500-event pages (about 0.5 MB
 * each) fetch's web streams cost a quarter more CPU than the page's JSON parsing needs, and the
 * client must never be the bottleneck of an export. Redirects are never followed (a 302 results
 * page carries its cursor in the body). A caller may still inject `fetch` (adapted by fromFetch).
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';

interface HttpAnswer {
  readonly status: number;
  /** Header value by lower-case name. */
  header(name: string): string | undefined;
  readonly body: Buffer;
}

interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /**
   * Where a body of a known length may be received (a reused page buffer: see PageBodies); the
   * answer's body is then a view of it. Without it, or without a Content-Length, a new Buffer.
   */
  readonly receiveInto?: (size: number) => Buffer;
}

export type HttpSend = (url: string, call: HttpCall) => Promise<HttpAnswer>;

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });

/** Send with node:http(s); rejects on connection errors, dropped bodies and aborts. */
export const nodeHttpSend: HttpSend = (url, call) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const headers: Record<string, string | number> = { ...call.headers };
    const payload = call.body === undefined ? undefined : Buffer.from(call.body, 'utf8');
    if (payload) headers['content-length'] = payload.length;
    const req = (secure ? httpsRequest : httpRequest)(
      u,
      { method: call.method, headers, agent: secure ? httpsAgent : httpAgent, signal: call.signal },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const declared = Number(res.headers['content-length']);
        // A body of a known size goes straight into the caller's buffer: no chunk list, no concat copy.
        let into =
          call.receiveInto && Number.isSafeInteger(declared) && declared > 0 ? call.receiveInto(declared) : null;
        res.on('data', (c: Buffer) => {
          if (into && size + c.length <= into.length) {
            c.copy(into, size);
          } else {
            if (into) chunks.push(Buffer.from(into.subarray(0, size))); // longer than declared: keep it all
            into = null;
            chunks.push(c);
          }
          size += c.length;
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('the connection closed before the whole answer arrived')));
        res.on('end', () => {
          if (!res.complete) {
            reject(new Error('the connection closed before the whole answer arrived'));
            return;
          }
          const h = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const v = h[name.toLowerCase()];
              return Array.isArray(v) ? v.join(', ') : v;
            },
            body: into
              ? into.subarray(0, size)
              : chunks.length === 1
                ? (chunks[0] as Buffer)
                : Buffer.concat(chunks, size),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

/** Adapt a fetch function (tests that watch requests, custom agents) to HttpSend. */
export function fromFetch(fetchFn: typeof fetch): HttpSend {
  return async (url, call) => {
    const res = await fetchFn(url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: call.signal,
      redirect: 'manual',
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, body };
  };
}

/**
 * Buffers that events pages are received into, reused page after page. Each page is about half a
 * megabyte; a new Buffer per page made a million-event day allocate a gigabyte of external memory,
 * tens of megabytes of it dead at any time until V8 next collected. A page's buffer is given back
 * once its events have been decoded into strings of their own (event-text.ts), so a few suffice:
 * one per page in flight.
 */
export class PageBodies {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 4) {}

  /** A buffer of at least `size` bytes, not in use elsewhere until it is given back. */
  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.free.splice(i, 1)[0] as Buffer;
    return Buffer.allocUnsafeSlow(Math.max(size, 1024 * 1024));
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
