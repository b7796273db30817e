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
 *
 * This file starts the server and hands out its handle. The parts, each taking the simulator's state
 * (state.ts) as an explicit argument: the knobs and counters (options.ts), the route table
 * (routes.ts), the login endpoints and bearer check (auth-endpoints.ts), the audit endpoints
 * (audit-endpoints.ts), the gateway's rate limit and injected faults (faults.ts), pages and cursors
 * (pages.ts), the events a day holds and a query sees (day-events.ts). Every wait and expiry is on
 * the wire clock of the knobs (`clock`, see ../wire-clock.ts); settlement and retention use `now`.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { dayNumber, eventId, type SyntheticOrganisation } from './organisation';
import { dayCount, visibleRange } from './day-events';
import { answerError } from './http';
import { type Day } from '../../../../shared/day';
import { type SimulatorOptions, type SimulatorStats } from './options';
import { route } from './routes';
import { type SimulatorState, createSimulatorState } from './state';

export type { SimulatorOptions, SimulatorStats } from './options';

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

/**
 * Start the simulator on 127.0.0.1 (a free port unless `port` is given).
 *
 * `sim.clientId` / `sim.clientSecret` are the demo credentials; `sim.expectedEventIds(day)` is the
 * exact answer a complete, deduplicated export of the day must hold.
 */
export async function startGenesysSimulator(partial: Partial<SimulatorOptions> = {}): Promise<GenesysSimulator> {
  const state = createSimulatorState(partial);
  const server: Server = createServer((req, res) => {
    route(state, req, res).catch((e: unknown) => answerError(res, e));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(state.opts.port, '127.0.0.1', () => resolve());
  });
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return simulatorHandle(state, server);
}

/** What tests, benchmarks and the demo hold of a running simulator. */
function simulatorHandle(state: SimulatorState, server: Server): GenesysSimulator {
  const { opts } = state;
  return {
    apiUrl: state.origin,
    loginUrl: `${state.origin}/login`,
    get clientId() {
      return opts.clientId;
    },
    get clientSecret() {
      return opts.clientSecret;
    },
    organisation: state.org,
    stats: state.stats,
    options: opts,
    setOptions(p) {
      // The organisation was built from the seed: changing it now would mix two organisations.
      const { seed: _seed, ...rest } = p;
      Object.assign(opts, rest);
    },
    revokeTokens() {
      state.tokens.clear();
    },
    dayEventCount: (day) => dayCount(opts, day),
    expectedEventIds(day) {
      const { from, to } = visibleRange(opts, day);
      const dn = dayNumber(day);
      const ids: string[] = [];
      for (let i = from; i < to; i++) ids.push(eventId(opts.seed, dn, i));
      return ids;
    },
    expectedEventCount(day) {
      const { from, to } = visibleRange(opts, day);
      return to - from;
    },
    servedEventTexts(day) {
      if (!opts.recordServedEvents)
        throw new Error('servedEventTexts needs the simulator option recordServedEvents: true');
      return [...(state.servedTexts.get(day) ?? [])];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
