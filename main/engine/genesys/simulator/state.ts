/**
 * What a running simulator holds: its knobs (changed in place by setOptions and by the counting-down
 * ones), the organisation, the seeded fault generator, issued tokens and authorization codes, the
 * queries and prepared download pages, the rate-limit window and the counters. Every handler takes
 * this state as its first argument; nothing is captured in a closure.
 */
import { type Day } from '../../../../shared/day';
import { SyntheticOrganisation, hash4 } from './organisation';
import { type SimulatorOptions, type SimulatorStats, emptyStats, simulatorDefaults } from './options';

/** Position in a query's stream of events: day offset from the interval's first day, event index. */
export interface Position {
  d: number;
  i: number;
}

export interface CursorState {
  /** Where the next page starts. */
  p: Position;
  /** The last event served, repeated at the start of the next page when a duplicate is drawn. */
  l: Position | null;
  /** Page number (1-based) of the next page. */
  n: number;
}

/** Which events of a day a query may see: its interval, its settlement snapshot, the retention horizon. */
export interface Visibility {
  readonly startMs: number;
  readonly endMs: number;
  /** An event is visible while `eventTime <= visibleUntilMs`. */
  readonly visibleUntilMs: number;
  readonly retainedFromMs: number;
}

export interface AuditQuery extends Visibility {
  readonly id: string;
  readonly firstDay: Day;
  readonly days: number;
  readonly serviceName: string | undefined;
  readonly filters: readonly { property: string; value: string }[];
  readonly sort: readonly { name: string; sortOrder?: string }[] | undefined;
  readonly interval: string;
  readonly startDate: string;
  readonly outcome: 'Succeeded' | 'Failed' | 'Cancelled';
  pollsLeft: number;
  state: 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
}

/** An authorization code handed out by `/oauth/authorize`, redeemable once. */
interface AuthCode {
  readonly challenge: string;
  readonly redirectUri: string;
  readonly clientId: string;
  readonly expiresAt: number;
}

/** A results page prepared for a presigned-style download URL. */
interface DownloadPage {
  readonly query: AuditQuery;
  readonly from: CursorState;
  readonly pageSize: number;
  readonly expiresAt: number;
}

export interface SimulatorState {
  /** The knobs; the same object setOptions assigns into. */
  readonly opts: SimulatorOptions;
  readonly org: SyntheticOrganisation;
  /** Fault draws, seeded from the organisation's seed. */
  readonly random: () => number;
  /** Issued access tokens and when each expires (wire clock ms). */
  readonly tokens: Map<string, number>;
  readonly authCodes: Map<string, AuthCode>;
  readonly queries: Map<string, AuditQuery>;
  readonly downloads: Map<string, DownloadPage>;
  /** Arrival times of the requests in the current rate-limit window. */
  readonly rateWindow: number[];
  /** Event texts sent per day, when `recordServedEvents` is on. */
  readonly servedTexts: Map<Day, string[]>;
  readonly stats: SimulatorStats;
  /** Until when the last 429's Retry-After asks clients to wait (wire clock ms). */
  retryAfterUntil: number;
  /** `http://127.0.0.1:{port}`, known once the server listens. */
  origin: string;
}

export function createSimulatorState(partial: Partial<SimulatorOptions>): SimulatorState {
  const opts: SimulatorOptions = { ...simulatorDefaults(partial.seed ?? 1), ...partial };
  return {
    opts,
    org: new SyntheticOrganisation(opts.seed),
    random: seededRandom(hash4(opts.seed, 77)),
    tokens: new Map(),
    authCodes: new Map(),
    queries: new Map(),
    downloads: new Map(),
    rateWindow: [],
    servedTexts: new Map(),
    stats: emptyStats(),
    retryAfterUntil: 0,
    origin: '',
  };
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
