/**
 * The simulator's knobs (SimulatorOptions), their defaults, and the counters it keeps
 * (SimulatorStats). Tests and benchmarks set the knobs; server.ts re-exports these types.
 */
import { type Day } from '../../../../shared/day';
import { realisticDayVolume } from './organisation';
import { SYSTEM_CLOCK, type WireClock } from '../wire-clock';

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

/** The knobs a simulator started with only a seed has. */
export function simulatorDefaults(seed: number): SimulatorOptions {
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

/** Every counter at zero. */
export function emptyStats(): SimulatorStats {
  return {
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
}
