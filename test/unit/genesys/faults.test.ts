/**
 * Faults Genesys really produces, against the simulator: whatever happens on the wire, every event of
 * the day comes out exactly once, or the export stops with a stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dayInterval, dayStartMs } from '../../../shared/day';
import { RateBudget } from '../../../main/engine/genesys';
import {
  type GenesysSimulator,
  type SimulatorOptions,
  startGenesysSimulator,
} from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, clientFor, collect, deliveries, virtualClock } from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function exportDay(options: Partial<SimulatorOptions>, clientExtra: Parameters<typeof clientFor>[1] = {}) {
  // Retry-After, backoff and token lifetimes kept by a virtual clock: waited as told, in no real time.
  sim = await startGenesysSimulator({ now: () => NOW, seed: 3, clock: virtualClock(), ...options });
  const { client, auth } = clientFor(sim, clientExtra);
  const run = client.queryInterval(dayInterval(DAY));
  const ids = (await collect(run.events)).map((r) => r.id);
  return { sim, ids, run, auth };
}

function expectExactlyOnce(ids: readonly string[], expected: readonly string[]): void {
  const counts = deliveries(ids);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(ids).toEqual(expected);
}

describe('a day is exported exactly once whatever the network does', () => {
  it('a 429 storm with Retry-After: every caller waits as told and every event arrives once', async () => {
    const { sim, ids } = await exportDay({
      eventsPerDay: 2600,
      rateLimit: { requestsPerMinute: 3, windowMs: 1000, retryAfter: true },
    });
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(sim.stats.retryAfterIgnored).toBe(0);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('a 429 storm without Retry-After: backoff with jitter and every event arrives once', async () => {
    const { sim, ids, run } = await exportDay(
      { eventsPerDay: 2600, rateLimit: { requestsPerMinute: 3, windowMs: 500, retryAfter: false } },
      { maxRetries: 12 },
    );
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(run.progress.retries).toBeGreaterThanOrEqual(sim.stats.rateLimited);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('random 429s on top of a 5xx burst still deliver every event once', async () => {
    const { sim, ids } = await exportDay(
      { eventsPerDay: 3000, failureRates: { http429: 0.15, http5xx: 0.35, dropConnection: 0 }, retryAfterSeconds: 1 },
      { maxRetries: 12 },
    );
    expect(sim.stats.faults5xx).toBeGreaterThan(0);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('dropped connections are retried and lose nothing', async () => {
    const { sim, ids } = await exportDay(
      { eventsPerDay: 3000, failureRates: { http429: 0, http5xx: 0, dropConnection: 0.35 } },
      { maxRetries: 12 },
    );
    expect(sim.stats.droppedConnections).toBeGreaterThan(0);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('a token revoked in the middle of the day is replaced once and the export carries on', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 1800 });
    const { client, auth } = clientFor(sim);
    const ids: string[] = [];
    for await (const r of client.queryInterval(dayInterval(DAY)).events) {
      ids.push(r.id);
      if (ids.length === 10) sim.revokeTokens();
    }
    expect(auth.logins).toBe(2);
    expect(sim.stats.unauthorized).toBe(1);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('a short-lived token is renewed before it expires, without a refused request', async () => {
    // 4 s tokens renewed 0.4 s early; 19 requests of 250 ms each (on the virtual clock) outlive the first token.
    sim = await startGenesysSimulator({
      now: () => NOW,
      clock: virtualClock(),
      eventsPerDay: 8000,
      tokenLifetimeSeconds: 4,
      latencyMs: 250,
    });
    const { client, auth } = clientFor(sim);
    const ids = (await collect(client.queryInterval(dayInterval(DAY)).events)).map((r) => r.id);
    expect(auth.logins).toBeGreaterThanOrEqual(2);
    expect(sim.stats.unauthorized).toBe(0);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('redirect pages are downloaded without the auth header and their cursor is followed', async () => {
    const { sim, ids } = await exportDay({ eventsPerDay: 2600, redirectEveryNthPage: 2 });
    expect(sim.stats.redirects).toBe(3); // pages 2, 4 and 6 of 6
    expect(sim.stats.downloadsWithAuth).toBe(0);
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('a download URL that expired before use is renewed by asking for the page again', async () => {
    const { sim, ids } = await exportDay({ eventsPerDay: 2600, redirectEveryNthPage: 2, expireNextDownloads: 1 });
    expect(sim.stats.redirects).toBe(4); // page 2 twice, then pages 4 and 6
    expectExactlyOnce(ids, sim.expectedEventIds(DAY));
  });

  it('a download URL refused again after renewal stops the export with GENESYS_BAD_RESPONSE', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 1200,
      redirectEveryNthPage: 2,
      expireNextDownloads: 2,
    });
    const { client } = clientFor(sim);
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_BAD_RESPONSE',
      message: expect.stringContaining('refused twice'),
    });
  });

  it('redirect downloads that name the time eventTime keep the event as downloaded', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 1200,
      redirectEveryNthPage: 1,
      downloadUsesEventTime: true,
    });
    const { client } = clientFor(sim);
    const records = await collect(client.queryInterval(dayInterval(DAY)).events);
    expect(records.map((r) => r.id)).toEqual(sim.expectedEventIds(DAY));
    expect(
      records.every((r) => r.json.includes(`"eventTime":"${r.eventDate}"`) && !r.json.includes('"eventDate"')),
    ).toBe(true);
    expect(records[0]?.eventTimeMs).toBe(dayStartMs(DAY));
  });

  it('duplicated deliveries are passed on as delivered, for the exporter to drop and count', async () => {
    const { sim, ids } = await exportDay({ eventsPerDay: 5000, duplicateRate: 0.6 });
    const extra = ids.length - new Set(ids).size;
    expect(sim.stats.duplicatesServed).toBeGreaterThan(0);
    expect(extra).toBe(sim.stats.duplicatesServed);
    expect([...new Set(ids)]).toEqual(sim.expectedEventIds(DAY));
  });

  it('every fault at once, over two days exported concurrently with one budget, still yields each event once', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      clock: virtualClock(),
      eventsPerDay: 1600,
      failureRates: { http429: 0.1, http5xx: 0.15, dropConnection: 0.1 },
      redirectEveryNthPage: 3,
      rateLimit: { requestsPerMinute: 6, windowMs: 1000, retryAfter: true },
    });
    const budget = new RateBudget({ requestsPerMinute: 6000, clock: sim.options.clock });
    const a = clientFor(sim, { budget, maxRetries: 16 }).client;
    const b = clientFor(sim, { budget, maxRetries: 16 }).client;
    const other = addDays(DAY, 1);
    const [x, y] = await Promise.all([
      collect(a.queryInterval(dayInterval(DAY)).events),
      collect(b.queryInterval(dayInterval(other)).events),
    ]);
    expectExactlyOnce(
      x.map((r) => r.id),
      sim.expectedEventIds(DAY),
    );
    expectExactlyOnce(
      y.map((r) => r.id),
      sim.expectedEventIds(other),
    );
  });
});

describe('when retrying cannot help, the export stops with a stable code', () => {
  it('a rate limit that never lifts ends in GENESYS_RATE_LIMITED', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      clock: virtualClock(),
      eventsPerDay: 10,
      failureRates: { http429: 1, http5xx: 0, dropConnection: 0 },
      rateLimit: { requestsPerMinute: 1000, retryAfter: false },
    });
    const { client } = clientFor(sim, { maxRetries: 3 });
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_RATE_LIMITED',
    });
    expect(sim.stats.rateLimited).toBe(4);
  });

  it('a Genesys outage ends in GENESYS_UNAVAILABLE after bounded retries', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      clock: virtualClock(),
      eventsPerDay: 10,
      failureRates: { http429: 0, http5xx: 1, dropConnection: 0 },
    });
    const { client } = clientFor(sim, { maxRetries: 2 });
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_UNAVAILABLE',
    });
    expect(sim.stats.faults5xx).toBe(3);
  });

  it('a malformed event is reported with its position instead of being dropped', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 1200,
      malformedEvents: [{ day: DAY, index: 700 }],
    });
    const { client } = clientFor(sim);
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of client.queryInterval(dayInterval(DAY)).events) got.push(r.id);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'GENESYS_BAD_RESPONSE',
      message: expect.stringMatching(/Event 701 \(page 2, position 201 /),
    });
    expect(got).toEqual(sim.expectedEventIds(DAY).slice(0, 700));
  });

  it('an export stopped by the user ends promptly with nothing more delivered', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 3000, latencyMs: 30 });
    const { client } = clientFor(sim);
    const controller = new AbortController();
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of client.queryInterval(dayInterval(DAY), { signal: controller.signal }).events) {
        got.push(r.id);
        if (got.length === 600) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(got).toHaveLength(600);
  });
});

describe('what the simulated organisation holds', () => {
  it('events become visible only after the settlement lag', async () => {
    let now = dayStartMs(addDays(DAY, 1)) + 5 * 60_000; // five minutes after midnight
    sim = await startGenesysSimulator({ now: () => now, eventsPerDay: 2880, settlementLagMinutes: 10 });
    const { client } = clientFor(sim);
    const early = (await collect(client.queryInterval(dayInterval(DAY)).events)).map((r) => r.id);
    expect(early.length).toBeLessThan(2880);
    expect(early).toEqual(sim.expectedEventIds(DAY));
    now += 10 * 60_000;
    const late = (await collect(client.queryInterval(dayInterval(DAY)).events)).map((r) => r.id);
    expect(late).toHaveLength(2880);
    expect(late.slice(0, early.length)).toEqual(early);
  });

  it('a day older than the retention window holds nothing', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 100, retentionDays: 30 });
    const old = addDays('2026-11-28', -31);
    const { client } = clientFor(sim);
    expect(await collect(client.queryInterval(dayInterval(old)).events)).toEqual([]);
    expect(sim.expectedEventCount(old)).toBe(0);
    expect(sim.dayEventCount(old)).toBe(100);
  });
});
