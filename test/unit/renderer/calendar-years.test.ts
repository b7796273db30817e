/**
 * The calendar draws each year as a memoised block: a batch of days a running job pushes must draw
 * again only the years it touched, so each year keeps its map of days while none of them changed.
 */
import { describe, expect, it } from 'vitest';
import type { DayStatus } from '../../../shared/day-status';
import { daysByYear, pushedDay } from '../../../renderer/calendar/calendar-model';

const days: DayStatus[] = [
  { day: '2024-12-31', state: 'archived', events: 7 },
  { day: '2025-01-01', state: 'missing' },
  { day: '2025-06-30', state: 'archived', events: 3 },
  { day: '2026-03-01', state: 'pending' },
];

describe('daysByYear', () => {
  it('groups the days by their UTC year', () => {
    const byYear = daysByYear(days, new Map());
    expect([...byYear.keys()]).toEqual([2024, 2025, 2026]);
    expect([...(byYear.get(2025)?.keys() ?? [])]).toEqual(['2025-01-01', '2025-06-30']);
    expect(byYear.get(2024)?.get('2024-12-31')).toBe(days[0]);
  });

  it('keeps the map of every year a pushed day did not touch, and makes a new one for the year it did', () => {
    const before = daysByYear(days, new Map());
    const pushed = pushedDay(days[1] as DayStatus, { day: '2025-01-01', state: 'archived', events: 12 });
    const after = daysByYear(
      days.map((d) => (d.day === '2025-01-01' ? pushed : d)),
      before,
    );
    expect(after.get(2024)).toBe(before.get(2024));
    expect(after.get(2026)).toBe(before.get(2026));
    expect(after.get(2025)).not.toBe(before.get(2025));
    expect(after.get(2025)?.get('2025-01-01')).toEqual({ day: '2025-01-01', state: 'archived', events: 12 });
  });

  it('a year that gained or lost a day is new, even when its other days are the same', () => {
    const before = daysByYear(days, new Map());
    const after = daysByYear([...days, { day: '2026-03-02', state: 'pending' }], before);
    expect(after.get(2026)).not.toBe(before.get(2026));
    expect(after.get(2026)?.size).toBe(2);
    expect(daysByYear(days.slice(1), before).get(2025)).toBe(before.get(2025));
    expect(daysByYear(days.slice(1), before).has(2024)).toBe(false);
  });
});
