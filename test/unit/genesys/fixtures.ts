/**
 * Shared setup for the Genesys tests: a simulator placed in time and a client pointed at it with
 * short, test-sized backoff steps (the behaviour is the same, only the waits are shorter), on the
 * simulator's wire clock: a virtual one (`virtualClock`) makes Retry-After, token lifetimes and
 * latency cost no real time.
 */
import { type Day, dayStartMs } from '../../../shared/day';
import {
  ClientCredentialsAuth,
  GenesysAuditClient,
  type GenesysAuditClientOptions,
  RateBudget,
} from '../../../main/engine/genesys';
import { type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import type { WireClock } from '../../../main/engine/genesys/wire-clock';

/** "Now" for the tests: well after the test days have settled. */
export const NOW = dayStartMs('2026-11-28') + 6 * 3_600_000;
export const DAY: Day = '2026-11-20';

export function clientFor(
  sim: GenesysSimulator,
  extra: Partial<GenesysAuditClientOptions> = {},
): { client: GenesysAuditClient; auth: ClientCredentialsAuth; budget: RateBudget } {
  // The client waits by the simulator's clock: both see the same time go by.
  const clock = sim.options.clock;
  const auth = new ClientCredentialsAuth({
    loginUrl: sim.loginUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    retryBaseMs: 10,
    clock,
  });
  const budget = new RateBudget({ requestsPerMinute: 6000, clock });
  const client = new GenesysAuditClient({
    apiUrl: sim.apiUrl,
    loginUrl: sim.loginUrl,
    auth,
    budget,
    pollInitialMs: 5,
    pollMaxMs: 20,
    retryBaseMs: 10,
    clock,
    ...extra,
  });
  return { client, auth, budget };
}

/**
 * A virtual wire clock: a sleep moves it forward by its length at once, so a client waits exactly
 * what Retry-After, backoff and polling tell it, and a simulator on the same clock sees that time
 * pass (its rate window, Retry-After and token lifetimes), without the time going by. Sleepers at
 * once each move it: time only goes forward, so no wait is ever cut short.
 */
export function virtualClock(start: number = Date.now()): WireClock {
  let now = start;
  return {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      now += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** How many times each id was delivered. */
export function deliveries(ids: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/**
 * Fields a re-serialising client would alter, added to an event's text: an integer above 2^53 (20
 * digits), `1.0`, escaped unicode (`\u00e9` and a surrogate pair), and fields no model declares.
 * `spaced` puts whitespace between the tokens, as a pretty-printing server might.
 */
export function withExactnessProbe(generated: string, spaced = false): string {
  const probe = spaced
    ? ' ,\n  "sequenceNumber" : 12345678901234567890 ,\t"ratio": 1.0, "note" : "caf\\u00e9 \\ud83d\\ude00 two  spaces" ,\r\n "futureField" : { "list" : [ 1.50 , 2E3 , -0.0 ] } }'
    : ',"sequenceNumber":12345678901234567890,"ratio":1.0,"note":"caf\\u00e9 \\ud83d\\ude00 two  spaces","futureField":{"list":[1.50,2E3,-0.0]}}';
  return generated.replace(/\}$/, probe);
}

/** JSON text minus the whitespace outside its strings (a reference independent of the client's scanner). */
export function withoutInsignificantWhitespace(json: string): string {
  return json.replace(/("(?:[^"\\]|\\.)*")|[ \t\n\r]+/g, (_m, str: string | undefined) => str ?? '');
}
