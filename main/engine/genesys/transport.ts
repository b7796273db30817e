/**
 * How every request to Genesys is sent: through the shared rate budget, with a bearer token, and
 * retried the way the API asks.
 *
 * 429: wait what `Retry-After` says (and pause the whole budget), or back off exponentially with
 * jitter when the header is missing. 408/5xx and dropped connections: back off and retry. 401: log in
 * again once. Every failure ends as an AuditArchiveError with a stable GENESYS_* code and a message
 * that says what to do; no token or secret ever goes into a message.
 */
import { AuditArchiveError } from '../../../shared/errors';
import { ErrorBodySchema, type ErrorBody } from './wire';
import { type RateBudget } from './rate-budget';
import { PageBodies, type HttpSend } from './http-send';
import { SYSTEM_CLOCK, type WireClock } from './wire-clock';

/** What every Genesys request gets its bearer token from (auth.ts: client credentials; pkce.ts: an officer's sign-in). */
export interface TokenProvider {
  /** A bearer token valid for a while yet (cached; renewed before expiry). */
  getToken(signal?: AbortSignal): Promise<string>;
  /** The API refused this token (401): forget it so the next getToken logs in again. */
  invalidate(token: string): void;
  /** The OAuth client id the token is issued to, when known (not a secret; recorded as the source). */
  readonly clientId?: string;
}

export type FetchFn = typeof fetch;

export const AUDIT_PERMISSION = 'audits:audit:view';

export interface RetryPolicy {
  /** Retries per request after the first attempt (429, 408, 5xx, dropped connections). */
  readonly maxRetries: number;
  /** First backoff step; doubles each retry, with full jitter, capped at `maxBackoffMs`. */
  readonly retryBaseMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 8, retryBaseMs: 500, maxBackoffMs: 30_000 };

export interface GenesysReply {
  readonly status: number;
  /** The body as sent (pages are scanned as bytes: see event-text.ts). */
  readonly body: Buffer;
  /** The body decoded as UTF-8, on first use. */
  readonly text: string;
  /**
   * For a reply sent with `pageBody`: gives its buffer back for the next page. The body must not
   * be read afterwards (it throws).
   */
  release(): void;
  header(name: string): string | undefined;
}

interface TransportCounters {
  requests: number;
  retries: number;
}

const TRANSIENT = new Set([408, 500, 502, 503, 504]);

export { sleep } from './wire-clock';

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxBackoffMs, policy.retryBaseMs * 2 ** attempt);
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

export function parseErrorBody(text: string): ErrorBody {
  try {
    return ErrorBodySchema.parse(JSON.parse(text));
  } catch {
    return {};
  }
}

/** What Genesys said, short and safe to show: its code and message, never headers or tokens. */
export function describeGenesysError(status: number, body: ErrorBody): string {
  const what = body.message ?? body.description ?? body.error ?? '';
  const code = body.code ?? body.error;
  return `HTTP ${status}${code ? ` ${code}` : ''}${what ? `: ${what.slice(0, 300)}` : ''}${body.contextId ? ` (contextId ${body.contextId})` : ''}`;
}

/** Seconds in a Retry-After header (delta-seconds or an HTTP date); undefined when absent or bad. */
function retryAfterMs(raw: string | undefined, now: number = Date.now()): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.min(Number(raw) * 1000, 10 * 60_000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now, 10 * 60_000));
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === 'AbortError');
}

interface SendOptions {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Plain GET of a presigned download URL: no token, no budget (it is not the Genesys API). */
  readonly anonymous?: boolean;
  /** What the request is, for messages ("the audit query", "results page 3"). */
  readonly what: string;
  /** Code for a refusal that retrying cannot fix (other 4xx); default GENESYS_BAD_RESPONSE. */
  readonly refusedCode?: 'GENESYS_BAD_RESPONSE' | 'GENESYS_QUERY_FAILED';
  /** Added to the message of such a refusal: what the user can change. */
  readonly refusedHint?: string;
  /** Refusals the caller handles itself (returned, not thrown), e.g. an expired download URL. */
  readonly passThrough?: readonly number[];
  /** An events page: received into a reused buffer, which the caller gives back with `release()`. */
  readonly pageBody?: boolean;
}

export class GenesysTransport {
  readonly counters: TransportCounters = { requests: 0, retries: 0 };
  private readonly pageBodies = new PageBodies();

  constructor(
    private readonly deps: {
      readonly auth: TokenProvider;
      readonly budget: RateBudget;
      readonly send: HttpSend;
      readonly retry: RetryPolicy;
      /** Default: the wall clock. */
      readonly clock?: WireClock;
    },
  ) {}

  private get clock(): WireClock {
    return this.deps.clock ?? SYSTEM_CLOCK;
  }

  /**
   * Send one request until it gets a usable answer (2xx or 3xx) and return it with its body read.
   * Reading the body is part of the attempt: a connection dropped mid-body is retried too.
   */
  async send(o: SendOptions): Promise<GenesysReply> {
    const { auth, budget } = this.deps;
    let retries = 0;
    let reauthenticated = false;
    let lastProblem = '';
    for (;;) {
      const token = o.anonymous ? undefined : await auth.getToken(o.signal);
      // The token first: a login can take a while, and the budget must count when the request leaves.
      if (!o.anonymous) await budget.acquire(o.signal);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      let reply: GenesysReply;
      try {
        this.counters.requests++;
        let lent: Buffer | null = null;
        const receiveInto = o.pageBody
          ? (size: number) => {
              lent = this.pageBodies.take(size);
              return lent;
            }
          : undefined;
        const res = await this.deps
          .send(o.url, {
            method: o.method,
            headers,
            body: o.body,
            signal: o.signal,
            ...(receiveInto ? { receiveInto } : {}),
          })
          .catch((e: unknown) => {
            if (lent) this.pageBodies.give(lent);
            throw e;
          });
        reply = textReply(res.status, res.header, res.body, lent ? () => this.pageBodies.give(lent as Buffer) : null);
      } catch (e) {
        if (isAbort(e, o.signal)) throw o.signal?.reason ?? e;
        lastProblem = `the connection failed (${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)})`;
        retries = await this.backOff(retries, undefined, o, lastProblem, 'GENESYS_UNAVAILABLE');
        continue;
      }
      const { status } = reply;
      if (status < 400 || o.passThrough?.includes(status)) return reply;
      const body = parseErrorBody(reply.text);
      reply.release(); // a refusal is read; its page buffer (if any) is free for the retry
      if (status === 401 && !o.anonymous) {
        if (token) auth.invalidate(token);
        if (!reauthenticated) {
          reauthenticated = true;
          continue;
        }
        throw new AuditArchiveError(
          'GENESYS_AUTH_FAILED',
          `Genesys refused the login for ${o.what} (${describeGenesysError(status, body)}). Check the OAuth client id and secret and that the client is active in this region.`,
        );
      }
      if (status === 403 && !o.anonymous) {
        throw new AuditArchiveError(
          'GENESYS_PERMISSION_MISSING',
          `Genesys refused ${o.what} (${describeGenesysError(status, body)}). Give the OAuth client a role with the permission ${AUDIT_PERMISSION} (Audits > Audit > View).`,
        );
      }
      if (status === 429) {
        lastProblem = describeGenesysError(status, body);
        const wait = retryAfterMs(reply.header('retry-after'), this.clock.now());
        if (wait !== undefined && !o.anonymous) budget.pauseUntil(this.clock.now() + wait);
        retries = await this.backOff(retries, wait, o, lastProblem, 'GENESYS_RATE_LIMITED');
        continue;
      }
      if (TRANSIENT.has(status)) {
        lastProblem = describeGenesysError(status, body);
        retries = await this.backOff(retries, undefined, o, lastProblem, 'GENESYS_UNAVAILABLE');
        continue;
      }
      throw new AuditArchiveError(
        o.refusedCode ?? 'GENESYS_BAD_RESPONSE',
        `Genesys answered ${o.what} with ${describeGenesysError(status, body)}. ${o.refusedHint ?? 'This will not pass on retry; report it with the contextId.'}`,
      );
    }
  }

  /** Count a retry, or give up with `code` once the policy's retries are spent. */
  private async backOff(
    retries: number,
    waitMs: number | undefined,
    o: SendOptions,
    problem: string,
    code: 'GENESYS_RATE_LIMITED' | 'GENESYS_UNAVAILABLE',
  ): Promise<number> {
    if (retries >= this.deps.retry.maxRetries) {
      const hint =
        code === 'GENESYS_RATE_LIMITED'
          ? 'Lower the requests per minute in settings or run fewer days at once, then retry.'
          : 'Genesys may be down or unreachable; check the network and the Genesys status page, then retry.';
      throw new AuditArchiveError(code, `Gave up on ${o.what} after ${retries + 1} attempts: ${problem}. ${hint}`);
    }
    this.counters.retries++;
    await this.clock.sleep(waitMs ?? backoffMs(this.deps.retry, retries), o.signal);
    return retries + 1;
  }
}

/** A reply whose text is decoded only when asked for: an events page is scanned as bytes instead. */
function textReply(
  status: number,
  header: GenesysReply['header'],
  received: Buffer,
  giveBack: (() => void) | null,
): GenesysReply {
  let text: string | null = null;
  let released = false;
  const body = (): Buffer => {
    if (released) throw new Error('a page body was read after it was given back');
    return received;
  };
  return {
    status,
    header,
    get body() {
      return body();
    },
    get text() {
      text ??= body().toString('utf8');
      return text;
    },
    release() {
      if (released) return;
      released = true;
      giveBack?.();
    },
  };
}
