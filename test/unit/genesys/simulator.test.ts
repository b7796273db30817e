/**
 * The simulated organisation is realistic and deterministic, and the simulator runs on its own for
 * the demo and for manual testing.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dayInterval, eachDay } from '../../../shared/day';
import { realisticDayVolume } from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, clientFor, collect } from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('the simulated organisation', () => {
  it('is the same organisation for the same seed and a different one for another seed', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 30, seed: 11 });
    const a = (await collect(clientFor(sim).client.queryInterval(dayInterval(DAY)).events)).map((r) => r.json);
    const b = (await collect(clientFor(sim).client.queryInterval(dayInterval(DAY)).events)).map((r) => r.json);
    await sim.close();
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 30, seed: 12 });
    const c = (await collect(clientFor(sim).client.queryInterval(dayInterval(DAY)).events)).map((r) => r.json);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('a year holds quiet days, at least one heavy day and calmer weekends', () => {
    const volume = realisticDayVolume(1);
    const days = [...eachDay('2025-01-01', '2025-12-31')];
    const counts = days.map((d) => volume(d));
    expect(counts.filter((n) => n === 0).length).toBeGreaterThan(3);
    const typical = [...counts].sort((x, y) => x - y)[Math.floor(counts.length / 2)] as number;
    expect(Math.max(...counts)).toBeGreaterThan(5 * typical);
    const weekend = days.filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())).map((d) => volume(d));
    const weekday = days.filter((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())).map((d) => volume(d));
    const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(weekend)).toBeLessThan(mean(weekday) / 2);
  });

  it('speaks with real-looking people and things: unicode names, a redacted password change, system events, services from the mapping', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 2000 });
    const { client } = clientFor(sim);
    const events = (await collect(client.queryInterval(dayInterval(DAY)).events)).map(
      (r) => JSON.parse(r.json) as Record<string, unknown>,
    );
    const text = JSON.stringify(events);
    expect(text).toMatch(/[^\x00-\x7f]/);
    const password = events.find((e) => JSON.stringify(e.propertyChanges).includes('"property":"password"'));
    expect(JSON.stringify(password?.propertyChanges)).not.toMatch(/"newValues":\["(?!\[REDACTED\])/);
    expect(events.some((e) => e.level === 'SYSTEM' && JSON.stringify(e.user) === '{"id":""}')).toBe(true);
    const services = new Set((await client.serviceMapping()).services.map((s) => s.name));
    expect(events.every((e) => services.has(e.serviceName as string))).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(
      events.every((e) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.id as string)),
    ).toBe(true);
  });

  it('ids stay the same when the day is asked again later, so late arrivals only add', async () => {
    let now = NOW;
    sim = await startGenesysSimulator({ now: () => now, eventsPerDay: 300 });
    const today = '2026-11-28';
    const morning = sim.expectedEventIds(today);
    now += 6 * 3_600_000;
    const afternoon = sim.expectedEventIds(today);
    expect(afternoon.length).toBeGreaterThan(morning.length);
    expect(afternoon.slice(0, morning.length)).toEqual(morning);
    expect(sim.expectedEventIds(addDays(today, 1))).toEqual([]);
  });

  it('a query that never finishes ends in GENESYS_QUERY_FAILED after the poll timeout', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 5, runningPolls: 1_000_000 });
    const { client } = clientFor(sim, { pollTimeoutMs: 300 });
    await expect(collect(client.queryInterval(dayInterval(DAY)).events)).rejects.toMatchObject({
      code: 'GENESYS_QUERY_FAILED',
      message: expect.stringContaining('still Running'),
    });
  });
});

describe('npm run simulator', () => {
  it('prints its base URLs and demo credentials, and they work', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'main/engine/genesys/simulator/cli.ts',
        '--port',
        '0',
        '--seed',
        '5',
        '--events-per-day',
        '40',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes('Ctrl+C')) resolve(text);
        });
        child.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
      });
      const loginUrl = /Login URL:\s+(\S+)/.exec(out)?.[1] ?? '';
      const id = /Client id:\s+(\S+)/.exec(out)?.[1] ?? '';
      const secret = /Client secret:\s+(\S+)/.exec(out)?.[1] ?? '';
      expect(out).toMatch(/API URL:\s+http:\/\/127\.0\.0\.1:\d+/);
      const res = await fetch(`${loginUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ token_type: 'bearer', expires_in: 86_400 });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('a bad flag exits 2 and points to --help', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'main/engine/genesys/simulator/cli.ts', '--latency', 'slow'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--latency must be a number');
    expect(err).toContain('--help');
  });
});
