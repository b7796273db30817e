/**
 * When the daily run is due: the next local wall-clock occurrence of the configured time, on
 * ordinary days and across daylight-saving transitions (each zone named explicitly, so the test does
 * not depend on the machine's zone).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nextRunAt, settlementFollowUp } from '../../../main/engine/schedule/daily-schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** nextRunAt without a zone, in a fresh process whose local zone is `tz` (as the app runs it). */
async function nextRunInProcessZone(tz: string, nowIso: string, time: string): Promise<string> {
  const script =
    "import { nextRunAt } from './main/engine/schedule/daily-schedule';" +
    `console.log(new Date(nextRunAt(Date.parse('${nowIso}'), '${time}')).toISOString());`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '-e', script],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TZ: tz },
    },
  );
  return stdout.trim();
}

describe('the next daily run on ordinary days', () => {
  it('runs at 02:00 London time the next morning when asked at midday in winter (GMT = UTC)', () => {
    expect(iso(nextRunAt(at('2026-01-15T12:00:00Z'), '02:00', 'Europe/London'))).toBe('2026-01-16T02:00:00.000Z');
  });

  it('runs later the same night when asked just before the time, and the next day when asked at or just after it', () => {
    expect(iso(nextRunAt(at('2026-01-15T01:59:59.999Z'), '02:00', 'Europe/London'))).toBe('2026-01-15T02:00:00.000Z');
    expect(iso(nextRunAt(at('2026-01-15T02:00:00.000Z'), '02:00', 'Europe/London'))).toBe('2026-01-16T02:00:00.000Z');
    expect(iso(nextRunAt(at('2026-01-15T02:00:00.001Z'), '02:00', 'Europe/London'))).toBe('2026-01-16T02:00:00.000Z');
  });

  it('uses local time, not UTC: 02:00 in New York is 07:00Z in winter and 06:00Z in summer', () => {
    expect(iso(nextRunAt(at('2026-01-15T06:00:00Z'), '02:00', 'America/New_York'))).toBe('2026-01-15T07:00:00.000Z');
    expect(iso(nextRunAt(at('2026-07-15T12:00:00Z'), '02:00', 'America/New_York'))).toBe('2026-07-16T06:00:00.000Z');
  });

  it('crosses a local midnight that is a different UTC date (Tokyo 23:30 is 14:30Z)', () => {
    expect(iso(nextRunAt(at('2026-01-15T12:00:00Z'), '23:30', 'Asia/Tokyo'))).toBe('2026-01-15T14:30:00.000Z');
    expect(iso(nextRunAt(at('2026-01-15T15:00:00Z'), '23:30', 'Asia/Tokyo'))).toBe('2026-01-16T14:30:00.000Z');
  });

  it('refuses a time that is not HH:MM', () => {
    expect(() => nextRunAt(0, '2am', 'UTC')).toThrow(RangeError);
    expect(() => nextRunAt(0, '24:00', 'UTC')).toThrow(RangeError);
  });
});

describe('the next daily run across daylight-saving changes', () => {
  it('spring forward in London (29 March 2026): 01:30 does not exist, so the run is at the jump (02:00 BST), once', () => {
    const due = nextRunAt(at('2026-03-28T12:00:00Z'), '01:30', 'Europe/London');
    expect(iso(due)).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(nextRunAt(due, '01:30', 'Europe/London'))).toBe('2026-03-30T00:30:00.000Z');
  });

  it('spring forward in London: 02:00 comes 23 hours after the day before', () => {
    const first = nextRunAt(at('2026-03-27T12:00:00Z'), '02:00', 'Europe/London');
    const second = nextRunAt(first, '02:00', 'Europe/London');
    expect([iso(first), iso(second)]).toEqual(['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    expect(second - first).toBe(23 * 3_600_000);
  });

  it('spring forward in New York (8 March 2026): 02:30 does not exist, so the run is at 03:00 EDT', () => {
    expect(iso(nextRunAt(at('2026-03-07T12:00:00Z'), '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('fall back in London (25 October 2026): 01:30 happens twice and the run is at the first, once', () => {
    const due = nextRunAt(at('2026-10-24T12:00:00Z'), '01:30', 'Europe/London');
    expect(iso(due)).toBe('2026-10-25T00:30:00.000Z'); // 01:30 BST
    // The second 01:30 (GMT, 01:30Z) is not a new occurrence: the next one is the next night.
    expect(iso(nextRunAt(due, '01:30', 'Europe/London'))).toBe('2026-10-26T01:30:00.000Z');
  });

  it('fall back in New York (1 November 2026): 01:30 runs at 01:30 EDT and next at 01:30 EST the next night', () => {
    const due = nextRunAt(at('2026-10-31T12:00:00Z'), '01:30', 'America/New_York');
    expect(iso(due)).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(nextRunAt(due, '01:30', 'America/New_York'))).toBe('2026-11-02T06:30:00.000Z');
  });
});

describe('the local time zone of the app', () => {
  it('is the zone the process runs in (TZ), across a spring-forward night', async () => {
    expect(await nextRunInProcessZone('America/New_York', '2026-03-07T12:00:00Z', '02:30')).toBe(
      '2026-03-08T07:00:00.000Z',
    );
    expect(await nextRunInProcessZone('Europe/London', '2026-03-28T12:00:00Z', '02:30')).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
});

describe('a second run once yesterday has settled', () => {
  it('follows a London-summer 02:00 run (01:00Z), when yesterday (UTC) is still within its settlement margin', () => {
    expect(settlementFollowUp(at('2026-06-11T01:00:00Z'), 120)).toBe(at('2026-06-11T02:00:00Z'));
  });

  it('is not needed when yesterday had settled by the run (02:00 UTC, 07:00Z in New York)', () => {
    expect(settlementFollowUp(at('2026-06-11T02:00:00Z'), 120)).toBeNull();
    expect(settlementFollowUp(at('2026-06-11T06:00:00Z'), 120)).toBeNull();
  });
});
