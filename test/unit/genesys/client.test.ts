import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dayInterval, dayStartMs } from '../../../shared/day';
import {
  AUDIT_PERMISSION,
  ClientCredentialsAuth,
  GenesysAuditClient,
  RateBudget,
  splitInterval,
} from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { SettingsSchema } from '../../../shared/settings';
import {
  DAY,
  NOW,
  clientFor,
  collect,
  virtualClock,
  withExactnessProbe,
  withoutInsignificantWhitespace,
} from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('exporting a day from Genesys', () => {
  it('streams every event of the day once, in ascending time, including both day edges', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 1234, seed: 7 });
    const { client } = clientFor(sim);
    const run = client.queryInterval(dayInterval(DAY));
    const records = await collect(run.events);

    expect(records.map((r) => r.id)).toEqual(sim.expectedEventIds(DAY));
    expect(records.length).toBe(1234);
    const times = records.map((r) => r.eventTimeMs);
    expect(times[0]).toBe(dayStartMs(DAY));
    expect(times.at(-1)).toBe(dayStartMs(DAY) + 86_400_000 - 1);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    expect(run.transactionIds).toHaveLength(1);
    expect(run.progress.events).toBe(1234);
    expect(run.progress.pages).toBe(3); // 500 + 500 + 234
  });

  it('keeps each event exactly as Genesys returned it, unknown and empty fields included', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 50 });
    const { client } = clientFor(sim);
    const records = await collect(client.queryInterval(dayInterval(DAY)).events);
    const parsed = records.map((r) => JSON.parse(r.json) as Record<string, unknown>);
    const first = parsed[0] as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining([
        'userHomeOrgId',
        'user',
        'client',
        'remoteIp',
        'serviceName',
        'level',
        'message',
        'action',
        'entity',
        'entityType',
        'status',
        'initiatingAction',
        'transactionInitiator',
        'propertyChanges',
        'context',
        'entityChanges',
      ]),
    );
    expect(parsed.some((e) => JSON.stringify(e.client) === '{"id":""}')).toBe(true);
    expect(parsed.some((e) => JSON.stringify(e.entityChanges) === '[]')).toBe(true);
    const size = records[0]?.json.length ?? 0;
    expect(size).toBeGreaterThan(500);
  });

  it('asks for a closed-open UTC interval sorted by ascending Timestamp, 500 per page', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 10 });
    const seen: { url: string; body?: string }[] = [];
    const { client } = clientFor(sim, {
      fetch: (input, init) => {
        seen.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : undefined });
        return fetch(input, init);
      },
    });
    await collect(client.queryInterval(dayInterval(DAY)).events);
    const post = seen.find((s) => s.url.endsWith('/api/v2/audits/query'));
    expect(JSON.parse(post?.body ?? '{}')).toEqual({
      interval: '2026-11-20T00:00:00.000Z/2026-11-21T00:00:00.000Z',
      sort: [{ name: 'Timestamp', sortOrder: 'ascending' }],
    });
    expect(seen.some((s) => /\/results\?pageSize=500&allowRedirect=true$/.test(s.url))).toBe(true);
  });

  it('a month and a half is queried in pieces of at most 31 days and nothing is skipped', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 3 });
    const { client } = clientFor(sim);
    const run = client.queryInterval({ start: '2026-09-01T00:00:00.000Z', end: '2026-10-17T00:00:00.000Z' });
    const records = await collect(run.events);
    expect(run.transactionIds).toHaveLength(2);
    expect(sim.stats.maxIntervalDays).toBeLessThanOrEqual(31);
    expect(records).toHaveLength(46 * 3);
    expect(new Set(records.map((r) => r.id)).size).toBe(46 * 3);
  });

  it('an org that still requires serviceName is exported service by service, every event once', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 700, requireServiceName: true });
    const plain = clientFor(sim).client;
    await expect(collect(plain.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_QUERY_FAILED',
      message: expect.stringMatching(/per-service/),
    });

    const { client } = clientFor(sim, { perServiceQueries: true });
    const run = client.queryInterval(dayInterval(DAY));
    const records = await collect(run.events);
    const mapping = await client.serviceMapping();
    expect(run.transactionIds).toHaveLength(mapping.services.length);
    expect([...records.map((r) => r.id)].sort()).toEqual([...sim.expectedEventIds(DAY)].sort());
  });
});

describe("a query's status is looked at after the configured wait, then x1.5", () => {
  /** The waits a client made for settings `genesys` (forSettings, as the app and the CLI build it). */
  async function pollWaits(genesys: Record<string, unknown>): Promise<number[]> {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 20, runningPolls: 2 });
    const clock = virtualClock(NOW);
    const waits: number[] = [];
    const recording = {
      now: clock.now,
      sleep: (ms: number, signal?: AbortSignal) => (waits.push(ms), clock.sleep(ms, signal)),
    };
    const settings = SettingsSchema.parse({
      genesys: { apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, clientId: sim.clientId, ...genesys },
    });
    const client = GenesysAuditClient.forSettings(settings, sim.clientSecret, {}, { clock: recording });
    expect(await collect(client.queryInterval(dayInterval(DAY)).events)).toHaveLength(20);
    return waits;
  }

  it('500 ms by default; the statusPollMs setting (AUDIT_ARCHIVE_GENESYS_POLL_MS) sets the first wait', async () => {
    expect(await pollWaits({})).toEqual([500, 750, 1125]);
    await sim?.close();
    expect(await pollWaits({ statusPollMs: 20 })).toEqual([20, 30, 45]);
  });
});

describe('each event is kept as the text Genesys sent', () => {
  it('a 20-digit integer, 1.0, escaped unicode and unknown fields arrive untouched, from results and download pages alike', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 1200,
      redirectEveryNthPage: 2,
      recordServedEvents: true,
      // Event 3 is on results page 1, event 700 on page 2, a download page; event 9 is pretty-printed.
      rawEventTexts: [
        { day: DAY, index: 3, text: (g) => withExactnessProbe(g) },
        { day: DAY, index: 9, text: (g) => withExactnessProbe(g, true) },
        { day: DAY, index: 700, text: (g) => withExactnessProbe(g) },
      ],
    });
    const { client } = clientFor(sim);
    const records = await collect(client.queryInterval(dayInterval(DAY)).events);
    const served = sim.servedEventTexts(DAY);
    expect(sim.stats.downloads).toBe(1);
    expect(records.map((r) => r.json)).toEqual(served.map(withoutInsignificantWhitespace));
    for (const i of [3, 9, 700]) {
      expect(records[i]?.json).toContain(
        '"sequenceNumber":12345678901234567890,"ratio":1.0,"note":"caf\\u00e9 \\ud83d\\ude00 two  spaces"',
      );
      expect(records[i]?.json).toContain('"futureField":{"list":[1.50,2E3,-0.0]}');
    }
    // What a parse-and-stringify client would have archived instead: a different number, 1, é.
    expect(JSON.stringify(JSON.parse(records[3]?.json ?? '{}'))).toContain(
      '"sequenceNumber":12345678901234567000,"ratio":1,"note":"café',
    );
    expect(records[9]?.json).not.toMatch(/\n/);
  });

  it('an event that is not valid JSON stops the export, naming it, after the events before it', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 40,
      rawEventTexts: [{ day: DAY, index: 5, text: (g) => g.replace('"level":', '"level":,') }],
    });
    const { client } = clientFor(sim);
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of client.queryInterval(dayInterval(DAY)).events) got.push(r.id);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'GENESYS_BAD_RESPONSE',
      message: expect.stringMatching(
        /^Event 6 \(page 1, position 6 of audit query \S+\) is malformed: it is not valid JSON/,
      ),
    });
    expect(got).toEqual(sim.expectedEventIds(DAY).slice(0, 5));
  });

  it('an eventDate that has the right shape but is no real instant is refused, not filed under no day', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 10,
      rawEventTexts: [
        { day: DAY, index: 2, text: (g) => g.replace(/"eventDate":"[^"]*"/, '"eventDate":"2026-13-45T00:00:00Z"') },
      ],
    });
    const { client } = clientFor(sim);
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_BAD_RESPONSE',
      message: expect.stringContaining('Event 3 (page 1, position 3 of audit query'),
    });
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toThrow(
      /eventDate is not a real instant/,
    );
  });

  it('a page whose brackets do not close is refused with the byte where it went wrong', async () => {
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 10,
      rawEventTexts: [{ day: DAY, index: 4, text: (g) => g.slice(0, -1) }],
    });
    const { client } = clientFor(sim);
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_BAD_RESPONSE',
      message: expect.stringMatching(
        /results page 1 of audit query \S+ with something that is not JSON \(HTTP 200; .*byte \d+/,
      ),
    });
  });
});

describe('the 31-day cap', () => {
  it('exactly 31 days is one query; a millisecond more is two, back to back', () => {
    expect(splitInterval({ start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' })).toHaveLength(1);
    expect(splitInterval({ start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.001Z' })).toEqual([
      { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
      { start: '2026-02-01T00:00:00.000Z', end: '2026-02-01T00:00:00.001Z' },
    ]);
  });

  it('an interval that ends before it starts is refused before anything is sent', () => {
    expect(() => splitInterval({ start: '2026-01-02T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('what Genesys refuses, the user is told plainly', () => {
  it('an API URL that points at something other than Genesys gives GENESYS_BAD_RESPONSE', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 5 });
    // A proxy's sign-in page answering everything with HTML: a common misconfigured gateway URL.
    const portal = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in to the proxy</body></html>'),
    );
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    try {
      const wrong = new GenesysAuditClient({
        apiUrl: `http://127.0.0.1:${(portal.address() as AddressInfo).port}`,
        loginUrl: sim.loginUrl,
        auth: new ClientCredentialsAuth({
          loginUrl: sim.loginUrl,
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
        }),
        budget: new RateBudget({ requestsPerMinute: 600 }),
      });
      await expect(collect(wrong.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
        code: 'GENESYS_BAD_RESPONSE',
        message: expect.stringContaining('API URL points at Genesys'),
      });
    } finally {
      portal.close();
    }
  });

  it('wrong client credentials end in GENESYS_AUTH_FAILED without leaking the secret', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 5 });
    const bad = new GenesysAuditClient({
      apiUrl: sim.apiUrl,
      loginUrl: sim.loginUrl,
      auth: new ClientCredentialsAuth({
        loginUrl: sim.loginUrl,
        clientId: sim.clientId,
        clientSecret: 'not-the-secret-xyz',
      }),
      budget: new RateBudget({ requestsPerMinute: 600 }),
    });
    const err = await collect(bad.queryInterval(dayInterval(DAY)).events).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GENESYS_AUTH_FAILED' });
    expect(String((err as Error).message)).not.toContain('not-the-secret-xyz');
  });

  it('a client without the audit permission gets GENESYS_PERMISSION_MISSING naming it', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 5, missingPermission: true });
    const { client } = clientFor(sim);
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_PERMISSION_MISSING',
      message: expect.stringContaining(AUDIT_PERMISSION),
    });
  });

  it('a query that ends Failed in Genesys every time gives GENESYS_QUERY_FAILED and no events', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 5, failQueryForDays: [DAY] });
    const { client } = clientFor(sim, { queryRetryDelayMs: 5 });
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of client.queryInterval(dayInterval(DAY)).events) got.push(r.id);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GENESYS_QUERY_FAILED', message: expect.stringContaining('Failed') });
    expect(got).toEqual([]);
  });
});
