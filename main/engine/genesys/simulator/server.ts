/**
 * The Genesys Cloud Audit API simulator: a real HTTP server on 127.0.0.1.
 *
 * Tests, benchmarks and the demo organisation all talk to it exactly as they would to Genesys: OAuth
 * token (client credentials and authorization code + PKCE), the organisation (`organizations/me`),
 * service mapping, async audit queries with Queued/Running/Succeeded/Failed/Cancelled states, paged
 * results with opaque cursors, 302 redirect pages to a presigned-style download URL, and the
 * documented error bodies. Events go out as JSON text built by hand, never re-serialised, so a test
 * can make them hold what a re-serialising client would alter (`rawEventTexts`) and read back
 * exactly what was sent (`servedEventTexts`). Faults are knobs (see
 * SimulatorOptions), drawn from a seeded generator so a run can be replayed.
 *
 * The login host is served under `/login` on the same port (`loginUrl = {origin}/login`), so a client
 * that mixes up its API and login bases gets a 404 instead of passing by accident.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { z } from 'zod';
import { type Day, addDays, dayFromMs, dayStartMs, firstRecoverableDay } from '../../../../shared/day';
import { EVENT_DATE_RE } from '../../../../shared/audit-event';
import {
  SyntheticOrganisation,
  dayNumber,
  eventId,
  eventTimeMs,
  hash4,
  realisticDayVolume,
  unitFromHash,
} from './organisation';
import { SYSTEM_CLOCK, type WireClock } from '../wire-clock';

const MS_PER_DAY = 86_400_000;
const MAX_INTERVAL_DAYS = 31;
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 25;

/** Knobs of the simulated organisation and of the faults it injects. */
export interface SimulatorOptions {
  /** Seed of the organisation, its events and its fault draws (fixed at start; setOptions ignores it). */
  seed: number;
  /** "Now" for settlement and retention (tests place "today" with it). Default `Date.now`. */
  now: () => number;
  /**
   * Events per UTC day: a number (every day exactly that many) or a function of the day. Default: a
   * seeded realistic pattern (about 400 on weekdays, quiet weekends, some empty days, a rare heavy day).
   */
  eventsPerDay: number | ((day: Day) => number);
  /** Days with ten times the usual volume (applied on top of eventsPerDay). */
  heavyDays: readonly Day[];
  /** Days with no events at all. */
  quietDays: readonly Day[];
  /**
   * Days Genesys still holds. A day before `firstRecoverableDay(now, retentionDays)` is gone: its
   * queries succeed with no events (the API does not refuse old intervals; the data is simply absent).
   */
  retentionDays: number;
  /** An event becomes visible only once `eventTime + settlementLagMinutes <= now()`. */
  settlementLagMinutes: number;
  /** Delay before every answer (ms). */
  latencyMs: number;
  /**
   * The time on the wire: rate-limit windows, Retry-After, token and download URL lifetimes, the
   * delay before answers. Default the wall clock; tests share a virtual one with the client (see
   * main/engine/genesys/wire-clock.ts), so waits are kept without time going by.
   */
  clock: WireClock;
  /**
   * Per-client rate limit: at most `requestsPerMinute` requests in any rolling `windowMs` (default
   * 60 s). Over it: 429 `too.many.requests.retry.after` with a `Retry-After` header (seconds), or,
   * with `retryAfter: false`, 429 `too.many.requests` without one. `null`: unlimited.
   */
  rateLimit: { requestsPerMinute: number; retryAfter: boolean; windowMs?: number } | null;
  /**
   * Random faults per API request (not token, not download): `http429` answers 429 (honouring
   * `rateLimit.retryAfter` for the header, default with it), `http5xx` answers 500/503/504 at random,
   * `dropConnection` destroys the socket without an answer.
   */
  failureRates: { http429: number; http5xx: number; dropConnection: number };
  /** Seconds in `Retry-After` on 429 (Genesys sends whole seconds). */
  retryAfterSeconds: number;
  /** Queries whose interval touches one of these days end `Failed`. */
  failQueryForDays: readonly Day[];
  /** The next N queries end `Failed` (counts down). */
  failNextQueries: number;
  /** The next N queries end `Cancelled` (counts down; applied after `failNextQueries`). */
  cancelNextQueries: number;
  /** How many status polls answer `Running` before the final state. */
  runningPolls: number;
  /** `expires_in` of issued tokens; a token is refused (401) once expired. */
  tokenLifetimeSeconds: number;
  /** Probability that a page starts by repeating the last event of the previous page. */
  duplicateRate: number;
  /** With `allowRedirect=true`, every Nth results page answers 302 with a download URL (0: never). */
  redirectEveryNthPage: number;
  /** The next N download URLs answer 403 "Request has expired" (counts down). */
  expireNextDownloads: number;
  /** Download arrays write `eventTime` instead of `eventDate` (one integration reads that). */
  downloadUsesEventTime: boolean;
  /** Events served broken (their `eventDate` is not a date), to prove the client reports them. */
  malformedEvents: readonly { day: Day; index: number }[];
  /**
   * Events served with a text of the test's making: `text` gets the generated JSON text (keep its
   * `id` and time so the day's order and `expectedEventIds` still hold) and returns what to send,
   * e.g. with a 20-digit integer, `1.0`, `\u00e9` escapes or fields Genesys may add one day. Sent
   * as given on results pages and download pages alike.
   */
  rawEventTexts: readonly { day: Day; index: number; text: (generated: string) => string }[];
  /** Keep every event text sent on results and download pages, for `servedEventTexts(day)`. */
  recordServedEvents: boolean;
  /** Orgs that still require `serviceName` on a query answer 400 without it. */
  requireServiceName: boolean;
  /** The client lacks `audits:audit:view`: audit calls answer 403 `missing.permissions`. */
  missingPermission: boolean;
  /** The client's role may not read the organisation: `organizations/me` answers 403 `missing.permissions`. */
  organizationRefused: boolean;
  clientId: string;
  clientSecret: string;
  /** TCP port; 0 picks a free one. */
  port: number;
}

export interface SimulatorStats {
  requests: number;
  byEndpoint: Record<string, number>;
  rateLimited: number;
  faults5xx: number;
  droppedConnections: number;
  tokensIssued: number;
  queries: number;
  pages: number;
  redirects: number;
  downloads: number;
  duplicatesServed: number;
  eventsServed: number;
  /** Largest interval (days) any query asked for. */
  maxIntervalDays: number;
  /** Requests that carried an Authorization header to the presigned download URL (refused). */
  downloadsWithAuth: number;
  /** API requests that arrived before the last 429's Retry-After had passed (a misbehaving client). */
  retryAfterIgnored: number;
  /** API requests refused with 401 (no, unknown, expired or revoked token). */
  unauthorized: number;
}

export interface GenesysSimulator {
  /** Base of `/api/v2` (as `https://api.{host}`). */
  readonly apiUrl: string;
  /** Base of `/oauth` (as `https://login.{host}`). */
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organisation: SyntheticOrganisation;
  readonly stats: SimulatorStats;
  readonly options: Readonly<SimulatorOptions>;
  /** Change knobs while running (next requests see them). */
  setOptions(partial: Partial<SimulatorOptions>): void;
  /** Every token issued so far stops working (as when Genesys expires a token early). */
  revokeTokens(): void;
  /** Events the day holds in total (visible or not). */
  dayEventCount(day: Day): number;
  /** Exactly the distinct event ids a complete query of the day returns at `now()`, in order. */
  expectedEventIds(day: Day): string[];
  /**
   * Every event text sent for the day so far (results and download pages, repeats included), in the
   * order sent, exactly as sent. Needs `recordServedEvents: true`.
   */
  servedEventTexts(day: Day): string[];
  /** `expectedEventIds(day).length`, without building the ids. */
  expectedEventCount(day: Day): number;
  close(): Promise<void>;
}

function defaults(seed: number): SimulatorOptions {
  return {
    seed,
    now: Date.now,
    eventsPerDay: realisticDayVolume(seed),
    heavyDays: [],
    quietDays: [],
    retentionDays: 365,
    settlementLagMinutes: 10,
    latencyMs: 0,
    clock: SYSTEM_CLOCK,
    rateLimit: null,
    failureRates: { http429: 0, http5xx: 0, dropConnection: 0 },
    retryAfterSeconds: 1,
    failQueryForDays: [],
    failNextQueries: 0,
    cancelNextQueries: 0,
    runningPolls: 1,
    tokenLifetimeSeconds: 86_400,
    duplicateRate: 0,
    redirectEveryNthPage: 0,
    downloadUsesEventTime: false,
    expireNextDownloads: 0,
    requireServiceName: false,
    missingPermission: false,
    organizationRefused: false,
    malformedEvents: [],
    rawEventTexts: [],
    recordServedEvents: false,
    clientId: 'demo-client-id',
    clientSecret: 'demo-client-secret',
    port: 0,
  };
}

/** Position in a query's stream of events: day offset from the interval's first day, event index. */
interface Position {
  d: number;
  i: number;
}

interface CursorState {
  /** Where the next page starts. */
  p: Position;
  /** The last event served, repeated at the start of the next page when a duplicate is drawn. */
  l: Position | null;
  /** Page number (1-based) of the next page. */
  n: number;
}

interface AuditQuery {
  readonly id: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly firstDay: Day;
  readonly days: number;
  readonly serviceName: string | undefined;
  readonly filters: readonly { property: string; value: string }[];
  readonly sort: readonly { name: string; sortOrder?: string }[] | undefined;
  readonly interval: string;
  readonly startDate: string;
  readonly outcome: 'Succeeded' | 'Failed' | 'Cancelled';
  /** Visibility is fixed when the query runs, as a real index snapshot would be. */
  readonly visibleUntilMs: number;
  readonly retainedFromMs: number;
  pollsLeft: number;
  state: 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
}

const QueryRequestSchema = z.object({
  interval: z.string(),
  serviceName: z.string().optional(),
  filters: z
    .array(
      z.object({
        property: z.enum(['UserId', 'TrusteeOrganizationId', 'ClientId', 'Action', 'EntityType', 'EntityId']),
        value: z.string(),
      }),
    )
    .optional(),
  sort: z
    .array(z.object({ name: z.literal('Timestamp'), sortOrder: z.enum(['ascending', 'descending']).optional() }))
    .optional(),
});

function errorBody(status: number, code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ message, code, status, contextId: randomUUID(), details: [], errors: [], ...extra });
}

class HttpFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseIso(s: string): number {
  if (!EVENT_DATE_RE.test(s)) return NaN;
  return Date.parse(s);
}

/** A small seeded generator (mulberry32) for fault draws. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Start the simulator on 127.0.0.1 (a free port unless `port` is given).
 *
 * `sim.clientId` / `sim.clientSecret` are the demo credentials; `sim.expectedEventIds(day)` is the
 * exact answer a complete, deduplicated export of the day must hold.
 */
export async function startGenesysSimulator(partial: Partial<SimulatorOptions> = {}): Promise<GenesysSimulator> {
  const opts: SimulatorOptions = { ...defaults(partial.seed ?? 1), ...partial };
  const org = new SyntheticOrganisation(opts.seed);
  const random = seededRandom(hash4(opts.seed, 77));
  const tokens = new Map<string, number>();
  const authCodes = new Map<string, { challenge: string; redirectUri: string; clientId: string; expiresAt: number }>();
  const queries = new Map<string, AuditQuery>();
  const downloads = new Map<string, { query: AuditQuery; from: CursorState; pageSize: number; expiresAt: number }>();
  const window: number[] = [];
  const servedTexts = new Map<Day, string[]>();
  const stats: SimulatorStats = {
    requests: 0,
    byEndpoint: {},
    rateLimited: 0,
    faults5xx: 0,
    droppedConnections: 0,
    tokensIssued: 0,
    queries: 0,
    pages: 0,
    redirects: 0,
    downloads: 0,
    duplicatesServed: 0,
    eventsServed: 0,
    maxIntervalDays: 0,
    downloadsWithAuth: 0,
    retryAfterIgnored: 0,
    unauthorized: 0,
  };
  let retryAfterUntil = 0;
  let origin = '';

  function dayCount(day: Day): number {
    if (opts.quietDays.includes(day)) return 0;
    const base = typeof opts.eventsPerDay === 'number' ? opts.eventsPerDay : opts.eventsPerDay(day);
    const n = Math.max(0, Math.floor(base));
    return opts.heavyDays.includes(day) ? n * 10 : n;
  }

  /** Index range [from, to) of the day's events within [startMs, endMs) and visible/retained. */
  function dayRange(
    day: Day,
    startMs: number,
    endMs: number,
    visibleUntilMs: number,
    retainedFromMs: number,
  ): { from: number; to: number; count: number } {
    const count = dayCount(day);
    const ds = dayStartMs(day);
    const dn = dayNumber(day);
    if (count === 0 || ds < retainedFromMs) return { from: 0, to: 0, count };
    const upper = Math.min(endMs, visibleUntilMs + 1); // visible: time <= visibleUntil
    const firstAtOrAfter = (ms: number): number => {
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (eventTimeMs(opts.seed, dn, ds, mid, count) < ms) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const from = startMs <= ds ? 0 : firstAtOrAfter(startMs);
    const to = upper >= ds + MS_PER_DAY ? count : firstAtOrAfter(upper);
    return { from, to: Math.max(from, to), count };
  }

  function matches(q: AuditQuery, dn: number, i: number): boolean {
    if (!q.serviceName && q.filters.length === 0) return true;
    const d = org.describe(dn, i);
    if (q.serviceName && d.serviceName !== q.serviceName) return false;
    for (const f of q.filters) {
      const v =
        f.property === 'UserId'
          ? d.userId
          : f.property === 'Action'
            ? d.action
            : f.property === 'EntityType'
              ? d.entityType
              : f.property === 'EntityId'
                ? d.entityId
                : f.property === 'ClientId'
                  ? d.clientId
                  : org.orgId;
      if (v !== f.value) return false;
    }
    return true;
  }

  /** The text sent for event `i` of `day`: generated, then broken or rewritten as the knobs say. */
  function eventText(day: Day, dn: number, i: number, timeMs: number, timeField: 'eventDate' | 'eventTime'): string {
    const json = org.eventJson(dn, i, timeMs, timeField);
    if (opts.malformedEvents.length > 0 && opts.malformedEvents.some((m) => m.day === day && m.index === i)) {
      return json.replace(/"(eventDate|eventTime)":"[^"]*"/, '"$1":"yesterday afternoon"');
    }
    if (opts.rawEventTexts.length > 0) {
      const raw = opts.rawEventTexts.find((r) => r.day === day && r.index === i);
      if (raw) return raw.text(json);
    }
    return json;
  }

  /**
   * One page of a query: up to `pageSize` matching events from `state.p`, possibly starting with a
   * duplicate of the previous page's last event. Pure in (query, state), so a retried cursor gets
   * exactly the same page. `sending`: the page goes out now (counted and recorded), rather than
   * being prepared for a download URL.
   */
  function buildPage(
    q: AuditQuery,
    state: CursorState,
    pageSize: number,
    timeField: 'eventDate' | 'eventTime',
    sending: boolean,
  ): { events: string[]; next: CursorState | null } {
    const events: string[] = [];
    const record = sending && opts.recordServedEvents;
    const sent = (day: Day, text: string): void => {
      events.push(text);
      if (!record) return;
      const texts = servedTexts.get(day) ?? [];
      texts.push(text);
      servedTexts.set(day, texts);
    };
    if (
      state.l &&
      opts.duplicateRate > 0 &&
      unitFromHash(hash4(opts.seed, state.l.d, state.l.i, 51)) < opts.duplicateRate
    ) {
      const day = addDays(q.firstDay, state.l.d);
      const dn = dayNumber(day);
      sent(
        day,
        eventText(day, dn, state.l.i, eventTimeMs(opts.seed, dn, dayStartMs(day), state.l.i, dayCount(day)), timeField),
      );
      if (sending) stats.duplicatesServed++;
    }
    let last: Position | null = state.l;
    let d = state.p.d;
    let i = state.p.i;
    let served = 0;
    while (d < q.days) {
      const day = addDays(q.firstDay, d);
      const range = dayRange(day, q.startMs, q.endMs, q.visibleUntilMs, q.retainedFromMs);
      const dn = dayNumber(day);
      const ds = dayStartMs(day);
      if (i < range.from) i = range.from;
      while (i < range.to && served < pageSize) {
        if (matches(q, dn, i)) {
          sent(day, eventText(day, dn, i, eventTimeMs(opts.seed, dn, ds, i, range.count), timeField));
          last = { d, i };
          served++;
        }
        i++;
      }
      if (served >= pageSize) break;
      d++;
      i = 0;
    }
    if (sending) stats.eventsServed += events.length;
    const done =
      d >= q.days ||
      (d === q.days - 1 &&
        i >= dayRange(addDays(q.firstDay, d), q.startMs, q.endMs, q.visibleUntilMs, q.retainedFromMs).to);
    return { events, next: done ? null : { p: { d, i }, l: last, n: state.n + 1 } };
  }

  function encodeCursor(q: AuditQuery, s: CursorState): string {
    return Buffer.from(JSON.stringify({ q: q.id, ...s })).toString('base64url');
  }

  const CursorSchema = z.object({
    q: z.string(),
    p: z.object({ d: z.number().int().min(0), i: z.number().int().min(0) }),
    l: z.object({ d: z.number().int().min(0), i: z.number().int().min(0) }).nullable(),
    n: z.number().int().min(1),
  });

  function decodeCursor(q: AuditQuery, cursor: string | null): CursorState {
    if (!cursor) return { p: { d: 0, i: 0 }, l: null, n: 1 };
    try {
      const c = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      if (c.q !== q.id) throw new Error('cursor of another query');
      return { p: c.p, l: c.l, n: c.n };
    } catch {
      throw new HttpFault(400, 'invalid.value', 'The cursor is not valid for this query.');
    }
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    // Encode once: pages are ~500 KB of text, and byteLength + write would encode twice.
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': bytes.length,
      ...headers,
    });
    res.end(bytes);
  }

  /** Tokens are checked as of the request's arrival (the simulated latency comes after). */
  function authorize(req: IncomingMessage, arrivalMs: number): void {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const expiresAt = m?.[1] ? tokens.get(m[1]) : undefined;
    if (expiresAt === undefined || expiresAt <= arrivalMs) {
      stats.unauthorized++;
      throw new HttpFault(401, 'bad.credentials', 'Invalid login credentials.');
    }
  }

  function rateLimitHit(now: number): boolean {
    const rl = opts.rateLimit;
    if (!rl) return false;
    const w = rl.windowMs ?? 60_000;
    while (window.length > 0 && (window[0] as number) <= now - w) window.shift();
    if (window.length >= rl.requestsPerMinute) return true;
    window.push(now);
    return false;
  }

  function send429(res: ServerResponse): void {
    stats.rateLimited++;
    const withHeader = opts.rateLimit?.retryAfter ?? true;
    const limit = {
      key: 'oauth.token.rate.per.minute',
      namespace: 'platform.api',
      value: opts.rateLimit?.requestsPerMinute ?? 300,
    };
    if (withHeader) {
      retryAfterUntil = opts.clock.now() + opts.retryAfterSeconds * 1000;
      send(
        res,
        429,
        errorBody(
          429,
          'too.many.requests.retry.after',
          `Rate limit exceeded the maximum. Retry the request in [${opts.retryAfterSeconds}] seconds`,
          { limit },
        ),
        {
          'retry-after': String(opts.retryAfterSeconds),
        },
      );
    } else {
      send(res, 429, errorBody(429, 'too.many.requests', 'Rate limit exceeded the maximum.', { limit }));
    }
  }

  function statusBody(q: AuditQuery): string {
    return JSON.stringify({
      id: q.id,
      state: q.state,
      startDate: q.startDate,
      interval: q.interval,
      ...(q.serviceName ? { serviceName: q.serviceName } : {}),
      filters: q.filters,
      sort: q.sort ?? [],
    });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type');
    const issue = (): void => {
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, opts.clock.now() + opts.tokenLifetimeSeconds * 1000);
      stats.tokensIssued++;
      send(
        res,
        200,
        JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: opts.tokenLifetimeSeconds }),
      );
    };
    if (grant === 'client_credentials') {
      const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      const [id, secret] = Buffer.from(m?.[1] ?? '', 'base64')
        .toString('utf8')
        .split(':');
      if (id !== opts.clientId || secret !== opts.clientSecret) {
        send(
          res,
          401,
          JSON.stringify({
            error: 'invalid_client',
            description: 'client not found',
            error_description: 'client not found',
          }),
        );
        return;
      }
      issue();
      return;
    }
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const entry = authCodes.get(code);
      authCodes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !entry ||
        entry.expiresAt < opts.clock.now() ||
        entry.clientId !== form.get('client_id') ||
        entry.redirectUri !== form.get('redirect_uri') ||
        verifier.length < 43 ||
        verifier.length > 128 ||
        entry.challenge !== challenge
      ) {
        send(
          res,
          400,
          JSON.stringify({
            error: 'invalid_grant',
            description: 'authorization code is invalid',
            error_description: 'authorization code is invalid',
          }),
        );
        return;
      }
      issue();
      return;
    }
    send(res, 400, JSON.stringify({ error: 'unsupported_grant_type', description: 'grant type not supported' }));
  }

  /** The officer "signs in" at once: the simulator approves and redirects back with a code. */
  function handleAuthorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    const ok =
      p.get('client_id') === opts.clientId &&
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
    authCodes.set(code, {
      challenge: p.get('code_challenge') ?? '',
      redirectUri,
      clientId: opts.clientId,
      expiresAt: opts.clock.now() + 60_000,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (p.get('state') !== null) target.searchParams.set('state', p.get('state') ?? '');
    res.writeHead(302, { location: target.toString(), 'content-length': 0 });
    res.end();
  }

  async function handleQuery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: z.infer<typeof QueryRequestSchema>;
    try {
      body = QueryRequestSchema.parse(JSON.parse(await readBody(req)));
    } catch {
      throw new HttpFault(400, 'invalid.value', 'The request body is not a valid AuditQueryRequest.');
    }
    const [a, b, extra] = body.interval.split('/');
    const startMs = parseIso(a ?? '');
    const endMs = parseIso(b ?? '');
    if (extra !== undefined || Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs) {
      throw new HttpFault(
        400,
        'invalid.date',
        'The interval must be two ISO-8601 instants, start/end, with start before end.',
      );
    }
    const spanDays = (endMs - startMs) / MS_PER_DAY;
    stats.maxIntervalDays = Math.max(stats.maxIntervalDays, spanDays);
    if (spanDays > MAX_INTERVAL_DAYS) {
      throw new HttpFault(
        400,
        'invalid.date',
        'You must specify a search interval as part of your query that does not exceed 31 days',
      );
    }
    if (opts.requireServiceName && !body.serviceName)
      throw new HttpFault(400, 'invalid.value', 'serviceName is required.');
    if (body.serviceName && !org.serviceMapping.services.some((s) => s.name === body.serviceName)) {
      throw new HttpFault(400, 'invalid.value', `Unknown serviceName ${body.serviceName}.`);
    }
    const firstDay = dayFromMs(startMs);
    const days = Math.round((dayStartMs(dayFromMs(endMs - 1)) - dayStartMs(firstDay)) / MS_PER_DAY) + 1;
    let outcome: AuditQuery['outcome'] = 'Succeeded';
    for (let d = 0; d < days; d++) if (opts.failQueryForDays.includes(addDays(firstDay, d))) outcome = 'Failed';
    if (opts.failNextQueries > 0) {
      opts.failNextQueries--;
      outcome = 'Failed';
    } else if (opts.cancelNextQueries > 0) {
      opts.cancelNextQueries--;
      outcome = 'Cancelled';
    }
    const now = opts.now();
    const q: AuditQuery = {
      id: randomUUID(),
      startMs,
      endMs,
      firstDay,
      days,
      serviceName: body.serviceName,
      filters: body.filters ?? [],
      sort: body.sort,
      interval: body.interval,
      startDate: new Date().toISOString(),
      outcome,
      visibleUntilMs: now - opts.settlementLagMinutes * 60_000,
      retainedFromMs: dayStartMs(firstRecoverableDay(now, opts.retentionDays)),
      pollsLeft: opts.runningPolls,
      state: 'Queued',
    };
    queries.set(q.id, q);
    stats.queries++;
    send(res, 202, statusBody(q));
  }

  function handleStatus(id: string, res: ServerResponse): void {
    const q = queries.get(id);
    if (!q) throw new HttpFault(404, 'not.found', `No audit query ${id}.`);
    if (q.state === 'Queued' || q.state === 'Running') {
      if (q.pollsLeft > 0) {
        q.pollsLeft--;
        q.state = 'Running';
      } else {
        q.state = q.outcome;
      }
    }
    send(res, q.state === 'Running' ? 202 : 200, statusBody(q));
  }

  function handleResults(id: string, url: URL, res: ServerResponse): void {
    const q = queries.get(id);
    if (!q) throw new HttpFault(404, 'not.found', `No audit query ${id}.`);
    if (q.state !== 'Succeeded')
      throw new HttpFault(
        400,
        'bad.request',
        `The audit query is ${q.state}; results are available once it has Succeeded.`,
      );
    const sizeParam = url.searchParams.get('pageSize');
    const pageSize = sizeParam === null ? DEFAULT_PAGE_SIZE : Number(sizeParam);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new HttpFault(400, 'invalid.value', `pageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
    }
    const state = decodeCursor(q, url.searchParams.get('cursor'));
    const allowRedirect = url.searchParams.get('allowRedirect') === 'true';
    stats.pages++;
    if (allowRedirect && opts.redirectEveryNthPage > 0 && state.n % opts.redirectEveryNthPage === 0) {
      // The page is prepared now (as Genesys writes it to S3); the download URL is presigned-style.
      const { next } = buildPage(q, state, pageSize, 'eventDate', false);
      const key = randomBytes(16).toString('hex');
      // Forget expired download pages so a long demo or benchmark does not grow without bound.
      if (downloads.size > 1000)
        for (const [k, d] of downloads) if (d.expiresAt < opts.clock.now()) downloads.delete(k);
      downloads.set(key, { query: q, from: state, pageSize, expiresAt: opts.clock.now() + 15 * 60_000 });
      const downloadUrl = `${origin}/download/audits/${key}.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=${createHash('sha256').update(key).digest('hex')}`;
      stats.redirects++;
      const body = JSON.stringify({
        id: q.id,
        pageSize,
        ...(next ? { cursor: encodeCursor(q, next) } : {}),
        downloadUrl,
      });
      send(res, 302, body, { location: downloadUrl });
      return;
    }
    const { events, next } = buildPage(q, state, pageSize, 'eventDate', true);
    const head = `{"id":"${q.id}","pageSize":${pageSize},${next ? `"cursor":"${encodeCursor(q, next)}",` : ''}"entities":[`;
    send(res, 200, `${head}${events.join(',')}]}`);
  }

  function handleDownload(req: IncomingMessage, key: string, res: ServerResponse): void {
    stats.downloads++;
    if (req.headers.authorization) {
      // S3 refuses a presigned URL that also carries an Authorization header.
      stats.downloadsWithAuth++;
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>',
      );
      return;
    }
    const d = downloads.get(key);
    const forcedExpiry = opts.expireNextDownloads > 0;
    if (forcedExpiry) opts.expireNextDownloads--;
    if (!d || d.expiresAt < opts.clock.now() || forcedExpiry) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      );
      return;
    }
    const { events } = buildPage(
      d.query,
      d.from,
      d.pageSize,
      opts.downloadUsesEventTime ? 'eventTime' : 'eventDate',
      true,
    );
    send(res, 200, `[${events.join(',')}]`);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const endpoint =
      path === '/login/oauth/token'
        ? 'token'
        : path === '/login/oauth/authorize'
          ? 'authorize'
          : path.startsWith('/download/')
            ? 'download'
            : path === '/api/v2/organizations/me'
              ? 'organization'
              : path === '/api/v2/audits/query/servicemapping'
                ? 'servicemapping'
                : path === '/api/v2/audits/query'
                  ? 'query'
                  : /^\/api\/v2\/audits\/query\/[^/]+\/results$/.test(path)
                    ? 'results'
                    : /^\/api\/v2\/audits\/query\/[^/]+$/.test(path)
                      ? 'status'
                      : 'unknown';
    const arrivalMs = opts.clock.now();
    stats.requests++;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
    if (opts.latencyMs > 0) await opts.clock.sleep(opts.latencyMs);

    if (endpoint === 'token' && method === 'POST') return handleToken(req, res);
    if (endpoint === 'authorize' && method === 'GET') return handleAuthorize(url, res);
    if (endpoint === 'download' && method === 'GET')
      return handleDownload(req, path.slice('/download/audits/'.length).replace(/\.json$/, ''), res);
    if (endpoint === 'unknown') throw new HttpFault(404, 'not.found', `No such resource ${path}.`);

    // API calls: rate limit, faults, auth, permission, in the order Genesys's gateway applies them.
    if (arrivalMs < retryAfterUntil) stats.retryAfterIgnored++;
    if (rateLimitHit(arrivalMs)) return send429(res);
    const f = opts.failureRates;
    if (f.dropConnection > 0 && random() < f.dropConnection) {
      stats.droppedConnections++;
      req.socket.destroy();
      return;
    }
    if (f.http429 > 0 && random() < f.http429) return send429(res);
    if (f.http5xx > 0 && random() < f.http5xx) {
      stats.faults5xx++;
      const status = [500, 503, 504][Math.floor(random() * 3)] as number;
      send(
        res,
        status,
        errorBody(
          status,
          status === 500 ? 'internal.server.error' : 'service.unavailable',
          'The service is temporarily unavailable.',
        ),
      );
      return;
    }
    authorize(req, arrivalMs);
    if (endpoint === 'organization' && method === 'GET') {
      if (opts.organizationRefused) {
        throw new HttpFault(
          403,
          'missing.permissions',
          "Unable to perform the requested action. The OAuth client's roles do not allow reading the organization.",
        );
      }
      return send(res, 200, JSON.stringify(org.organization));
    }
    // Only the audit endpoints need audits:audit:view.
    if (opts.missingPermission) {
      throw new HttpFault(
        403,
        'missing.permissions',
        'Unable to perform the requested action. You are missing the following permission(s): [audits:audit:view]',
      );
    }
    if (endpoint === 'servicemapping' && method === 'GET') return send(res, 200, JSON.stringify(org.serviceMapping));
    if (endpoint === 'query' && method === 'POST') return handleQuery(req, res);
    const id = decodeURIComponent(path.split('/')[5] ?? '');
    if (endpoint === 'status' && method === 'GET') return handleStatus(id, res);
    if (endpoint === 'results' && method === 'GET') return handleResults(id, url, res);
    throw new HttpFault(405, 'method.not.allowed', `${method} is not allowed on ${path}.`);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof HttpFault) send(res, e.status, errorBody(e.status, e.code, e.message));
      else send(res, 500, errorBody(500, 'internal.server.error', 'The simulator failed to answer.'));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  function visibleRange(day: Day): { from: number; to: number; count: number } {
    const now = opts.now();
    return dayRange(
      day,
      dayStartMs(day),
      dayStartMs(day) + MS_PER_DAY,
      now - opts.settlementLagMinutes * 60_000,
      dayStartMs(firstRecoverableDay(now, opts.retentionDays)),
    );
  }

  return {
    apiUrl: origin,
    loginUrl: `${origin}/login`,
    get clientId() {
      return opts.clientId;
    },
    get clientSecret() {
      return opts.clientSecret;
    },
    organisation: org,
    stats,
    options: opts,
    setOptions(p) {
      // The organisation was built from the seed: changing it now would mix two organisations.
      const { seed: _seed, ...rest } = p;
      Object.assign(opts, rest);
    },
    revokeTokens() {
      tokens.clear();
    },
    dayEventCount: dayCount,
    expectedEventIds(day) {
      const { from, to } = visibleRange(day);
      const dn = dayNumber(day);
      const ids: string[] = [];
      for (let i = from; i < to; i++) ids.push(eventId(opts.seed, dn, i));
      return ids;
    },
    expectedEventCount(day) {
      const { from, to } = visibleRange(day);
      return to - from;
    },
    servedEventTexts(day) {
      if (!opts.recordServedEvents)
        throw new Error('servedEventTexts needs the simulator option recordServedEvents: true');
      return [...(servedTexts.get(day) ?? [])];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
