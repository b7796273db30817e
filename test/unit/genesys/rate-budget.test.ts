/**
 * The shared budget: everything in the process that calls Genesys stays inside one limit, so the
 * exporter is never the cause of a 429 storm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dayInterval } from '../../../shared/day';
import { defaultSettings } from '../../../shared/settings';
import {
  GenesysAuditClient,
  RateBudget,
  resolveGenesysEndpoints,
  sharedRateBudget,
} from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, clientFor, collect } from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('one rate budget for the whole process', () => {
  it('three days exported at once within the budget never trip the server limit', async () => {
    // The server counts 8 requests per rolling 600 ms; the client allows 8 per 1000 ms (the margin
    // absorbs the time between a request leaving the client and the server counting it).
    sim = await startGenesysSimulator({
      now: () => NOW,
      eventsPerDay: 1500,
      rateLimit: { requestsPerMinute: 8, windowMs: 600, retryAfter: true },
    });
    const budget = new RateBudget({ requestsPerMinute: 8, windowMs: 1000 });
    const days = [DAY, addDays(DAY, 1), addDays(DAY, 2)];
    const results = await Promise.all(
      days.map((d) =>
        collect(clientFor(sim as GenesysSimulator, { budget }).client.queryInterval(dayInterval(d)).events),
      ),
    );
    expect(sim.stats.rateLimited).toBe(0);
    expect(sim.stats.requests - (sim.stats.byEndpoint.token ?? 0)).toBe(budget.granted);
    results.forEach((records, k) => expect(records.map((r) => r.id)).toEqual(sim?.expectedEventIds(days[k] as string)));
  });

  it('a caller stopped while waiting for the budget leaves the queue without spending a token', async () => {
    const budget = new RateBudget({ requestsPerMinute: 1, windowMs: 60_000 });
    await budget.acquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(budget.granted).toBe(1);
  });

  it('sharedRateBudget is one budget per process, re-configured when settings change', () => {
    const a = sharedRateBudget(300);
    const b = sharedRateBudget(120);
    expect(b).toBe(a);
    expect(a.requestsPerMinute).toBe(120);
  });

  it('clients built from the same settings share the process budget', () => {
    const settings = defaultSettings();
    settings.genesys.clientId = 'x';
    const env = {
      AUDIT_ARCHIVE_GENESYS_API_URL: 'http://127.0.0.1:1',
      AUDIT_ARCHIVE_GENESYS_LOGIN_URL: 'http://127.0.0.1:2',
    };
    const a = GenesysAuditClient.forSettings(settings, 'secret', env);
    const b = GenesysAuditClient.forSettings(settings, 'secret', env);
    expect(a.apiUrl).toBe('http://127.0.0.1:1');
    expect((a as unknown as { o: { budget: RateBudget } }).o.budget).toBe(
      (b as unknown as { o: { budget: RateBudget } }).o.budget,
    );
  });
});

describe('where Genesys is', () => {
  it('a region maps to its api and login hosts', () => {
    const g = { ...defaultSettings().genesys, region: 'mypurecloud.ie' as const };
    expect(resolveGenesysEndpoints(g, {})).toEqual({
      apiUrl: 'https://api.mypurecloud.ie',
      loginUrl: 'https://login.mypurecloud.ie',
    });
    const eu = { ...g, region: 'edee1.eusc-pure.cloud' as const };
    expect(resolveGenesysEndpoints(eu, {})).toEqual({
      apiUrl: 'https://api.edee1.eusc-pure.cloud',
      loginUrl: 'https://login.edee1.eusc-pure.cloud',
    });
  });

  it('settings override the region and the environment overrides settings', () => {
    const g = {
      ...defaultSettings().genesys,
      apiUrl: 'https://gateway.bank.example/genesys-api/',
      loginUrl: 'https://gateway.bank.example/genesys-login',
    };
    expect(resolveGenesysEndpoints(g, {})).toEqual({
      apiUrl: 'https://gateway.bank.example/genesys-api',
      loginUrl: 'https://gateway.bank.example/genesys-login',
    });
    expect(resolveGenesysEndpoints(g, { AUDIT_ARCHIVE_GENESYS_API_URL: 'http://127.0.0.1:9001' })).toEqual({
      apiUrl: 'http://127.0.0.1:9001',
      loginUrl: 'https://gateway.bank.example/genesys-login',
    });
  });

  it('a malformed URL in the environment is refused, naming the variable', () => {
    expect(() =>
      resolveGenesysEndpoints(defaultSettings().genesys, { AUDIT_ARCHIVE_GENESYS_LOGIN_URL: 'login.mypurecloud.com' }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: expect.stringContaining('AUDIT_ARCHIVE_GENESYS_LOGIN_URL'),
      }),
    );
  });

  it('exporting without a client id or secret says what to set', () => {
    expect(() => GenesysAuditClient.forSettings(defaultSettings(), '', {})).toThrow(
      expect.objectContaining({ code: 'GENESYS_NOT_CONFIGURED' }),
    );
  });
});
