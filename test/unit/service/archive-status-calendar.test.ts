/**
 * The calendar page's rules over day statuses: the range it asks for, the labels it shows and how
 * problems are grouped (the page itself is exercised in Chromium by test/ui/calendar.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DayStatus } from '../../../shared/day-status';
import {
  calendarRange,
  countsLine,
  countStates,
  dayLabel,
  problemRanges,
  problemRangeText,
} from '../../../renderer/calendar/calendar-model';

describe('the archive calendar page', () => {
  it('asks for every shown year in one range: 1 January of the oldest year to today, newest year first', () => {
    expect(calendarRange('2026-03-14', 7)).toEqual({
      from: '2020-01-01',
      to: '2026-03-14',
      years: [2026, 2025, 2024, 2023, 2022, 2021, 2020],
    });
    expect(calendarRange('2026-01-01', 1)).toEqual({ from: '2026-01-01', to: '2026-01-01', years: [2026] });
  });

  it('labels a day with its state, its event count in thousands and the error that stopped it', () => {
    expect(dayLabel({ day: '2026-03-14', state: 'archived', events: 1234 })).toBe('2026-03-14: archived, 1,234 events');
    expect(dayLabel({ day: '2026-03-14', state: 'archived', events: 1 })).toBe('2026-03-14: archived, 1 event');
    expect(dayLabel({ day: '2026-03-14', state: 'archived' })).toBe('2026-03-14: archived');
    expect(dayLabel({ day: '2026-03-15', state: 'failed', error: 'GENESYS_UNAVAILABLE: try later' })).toBe(
      '2026-03-15: failed — GENESYS_UNAVAILABLE: try later',
    );
    expect(dayLabel({ day: '2020-01-01', state: 'not-required' })).toBe('2020-01-01: not required');
  });

  it('sums the days per state, leaving out states with no day', () => {
    const days: DayStatus[] = [
      ...Array.from({ length: 1204 }, (): DayStatus => ({ day: '2026-01-01', state: 'archived' })),
      { day: '2026-01-02', state: 'missing' },
      { day: '2026-01-03', state: 'failed', error: 'x' },
    ];
    expect(countsLine(countStates(days))).toBe('1,204 archived · 1 missing · 1 failed');
  });

  it('lists problems newest first, one line per run of consecutive days of the same state', () => {
    const days: DayStatus[] = [
      { day: '2026-01-01', state: 'missing' },
      { day: '2026-01-02', state: 'archived' },
      { day: '2026-01-03', state: 'missing' },
      { day: '2026-01-04', state: 'missing' },
      { day: '2026-01-05', state: 'missing' },
      { day: '2026-01-06', state: 'failed', error: 'GENESYS_QUERY_FAILED: first' },
      { day: '2026-01-07', state: 'failed', error: 'GENESYS_QUERY_FAILED: newest' },
      { day: '2026-01-08', state: 'tampered', error: 'delete marker' },
      { day: '2026-01-09', state: 'unrecoverable' },
      { day: '2026-01-10', state: 'pending' },
    ];
    const lines = problemRanges(days).map((r) => [problemRangeText(r), r.error]);
    expect(lines).toEqual([
      ['2026-01-08 tampered', 'delete marker'],
      ['2026-01-06 – 2026-01-07 failed (2 days)', 'GENESYS_QUERY_FAILED: newest'],
      ['2026-01-03 – 2026-01-05 missing (3 days)', undefined],
      ['2026-01-01 missing', undefined],
    ]);
  });
});
