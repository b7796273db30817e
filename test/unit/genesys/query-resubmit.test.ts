/**
 * A query Genesys ends `Failed` is a transient fault on their side: the day is asked again (a new
 * query, a new transaction id) a few times before it fails, and every query made is on record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dayInterval, formatInterval } from '../../../shared/day';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { type ArchiveFixture, archiveFixture, archivedIds } from '../archive/archive-fixture';
import { DAY, NOW, clientFor, collect, deliveries } from './fixtures';

let sim: GenesysSimulator | undefined;
let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await sim?.close();
  await fx?.close();
  sim = undefined;
  fx = undefined;
});

const INTERVAL = formatInterval(dayInterval(DAY));

describe('a query that Genesys ends Failed', () => {
  it('is submitted again once it failed, and the day arrives exactly once', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 1300, failNextQueries: 1 });
    const { client } = clientFor(sim, { queryRetryDelayMs: 5 });
    const run = client.queryInterval(dayInterval(DAY));
    const ids = (await collect(run.events)).map((r) => r.id);

    expect(ids).toEqual(sim.expectedEventIds(DAY));
    expect([...deliveries(ids).values()].every((n) => n === 1)).toBe(true);
    expect(sim.stats.queries).toBe(2);
    expect(run.queries).toEqual([
      { transactionId: expect.any(String), interval: INTERVAL, serviceName: null, state: 'Failed' },
      { transactionId: expect.any(String), interval: INTERVAL, serviceName: null, state: 'Succeeded' },
    ]);
    expect(run.queries[0]?.transactionId).not.toBe(run.queries[1]?.transactionId);
    expect(run.transactionIds).toEqual(run.queries.map((q) => q.transactionId));
    // Only the query that succeeded was read.
    expect(sim.stats.pages).toBe(3);
  });

  it('fails the day after three tries, naming every transaction id, and delivers nothing', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 20, failQueryForDays: [DAY] });
    const { client } = clientFor(sim, { queryRetryDelayMs: 5 });
    const run = client.queryInterval(dayInterval(DAY));
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of run.events) got.push(r.id);
    })().catch((e: unknown) => e);

    expect(got).toEqual([]);
    expect(sim.stats.pages).toBe(0);
    expect(run.queries.map((q) => q.state)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(new Set(run.transactionIds).size).toBe(3);
    expect(err).toMatchObject({
      code: 'GENESYS_QUERY_FAILED',
      message: expect.stringContaining('ended Failed in Genesys 3 times'),
    });
    for (const id of run.transactionIds) expect((err as Error).message).toContain(id);
  });

  it('is tried as often as queryAttempts says', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 20, failQueryForDays: [DAY] });
    const once = clientFor(sim, { queryAttempts: 1 }).client.queryInterval(dayInterval(DAY));
    await expect(collect(once.events)).rejects.toMatchObject({
      code: 'GENESYS_QUERY_FAILED',
      message: expect.stringContaining('ended Failed in Genesys once'),
    });
    expect(once.queries).toHaveLength(1);

    sim.setOptions({ failQueryForDays: [], failNextQueries: 4 });
    const five = clientFor(sim, { queryAttempts: 5, queryRetryDelayMs: 1 }).client.queryInterval(dayInterval(DAY));
    expect(await collect(five.events)).toHaveLength(20);
    expect(five.queries.map((q) => q.state)).toEqual(['Failed', 'Failed', 'Failed', 'Failed', 'Succeeded']);
  });

  it('a Cancelled query is not submitted again: someone stopped it on purpose', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 20, cancelNextQueries: 1 });
    const run = clientFor(sim, { queryRetryDelayMs: 1 }).client.queryInterval(dayInterval(DAY));
    const err = await collect(run.events).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GENESYS_QUERY_FAILED', message: expect.stringContaining('Cancelled') });
    expect((err as Error).message).toContain(run.transactionIds[0]);
    expect(run.queries).toEqual([
      { transactionId: run.transactionIds[0], interval: INTERVAL, serviceName: null, state: 'Cancelled' },
    ]);
    expect(sim.stats.queries).toBe(1);
  });

  it('service by service, only the failed service is asked again, and the run says which', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 600, requireServiceName: true });
    const { client } = clientFor(sim, { perServiceQueries: true, queryRetryDelayMs: 1 });
    const services = (await client.serviceMapping()).services.map((s) => s.name);
    // The third service's query fails once.
    const run = client.queryInterval(dayInterval(DAY));
    const it = run.events[Symbol.asyncIterator]();
    const ids: string[] = [];
    while (run.queries.length < 2) {
      const next = await it.next();
      if (next.done) break;
      ids.push(next.value.id);
    }
    sim.setOptions({ failNextQueries: 1 });
    for (let next = await it.next(); !next.done; next = await it.next()) ids.push(next.value.id);

    expect([...ids].sort()).toEqual([...sim.expectedEventIds(DAY)].sort());
    expect(run.queries.map((q) => [q.serviceName, q.state])).toEqual([
      [services[0], 'Succeeded'],
      [services[1], 'Succeeded'],
      [services[2], 'Failed'],
      [services[2], 'Succeeded'],
      ...services.slice(3).map((s) => [s, 'Succeeded']),
    ]);
  });

  it('an exported day whose first query failed is archived exactly once, and its manifest keeps both transaction ids', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 900, failNextQueries: 1 } });
    const day = '2026-11-25';
    const source = clientFor(fx.sim, { queryRetryDelayMs: 5 }).client;
    const result = await fx.export(day, {}, undefined, source);
    const ids = await archivedIds(fx.archive(), day);
    expect(ids).toHaveLength(900);
    expect([...ids].sort()).toEqual([...fx.sim.expectedEventIds(day)].sort());
    expect(result.manifest.queries.map((q) => q.state)).toEqual(['Failed', 'Succeeded']);
    expect(new Set(result.manifest.queries.map((q) => q.transactionId)).size).toBe(2);
    expect(result.manifest.events).toBe(900);
    expect(fx.sim.stats.queries).toBe(2);
  });
});
