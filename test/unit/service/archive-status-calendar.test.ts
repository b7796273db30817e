/**
 * The calendar page's rules over day statuses: the range it asks for, the labels it shows and how
 * problems are grouped (the page itself is exercised in Chromium by test/ui/calendar.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DayStatus } from '../../../shared/day-status';
import {
  calendarRange,
  cellLabel,
  countsLine,
  countStates,
  dayLabel,
  moveDay,
  problemRanges,
  problemRangeText,
  retentionHorizon,
  summaryStrip,
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

describe('the calendar, finished', () => {
  const days = (states: Array<[string, DayStatus['state']]>): DayStatus[] =>
    states.map(([day, state]) => ({ day, state }));

  it('the summary strip says how many days are missing and until when the oldest can still be caught up', () => {
    const strip = summaryStrip(
      days([
        ['2026-03-01', 'missing'],
        ['2026-03-02', 'archived'],
        ['2026-03-03', 'failed'],
        ['2026-03-05', 'missing'],
        ['2026-03-06', 'tampered'],
        ['2025-01-01', 'unrecoverable'],
      ]),
      365,
      (d) => `«${d}»`,
    );
    expect(strip).toBe('2 missing days, recoverable until «2027-03-01» · 1 failed · 1 tampered · 1 unrecoverable');
    expect(summaryStrip(days([['2026-03-02', 'archived']]), 365, String)).toBe(
      '0 missing days · 0 failed · 0 tampered',
    );
  });

  it('the summary strip also says how many days the last copy check found wrong in the second copy', () => {
    const checked: DayStatus[] = [
      { day: '2026-03-01', state: 'archived', copy: ['copy-missing'] },
      { day: '2026-03-02', state: 'archived', copy: ['copy-different', 'copy-unlocked'] },
      { day: '2026-03-03', state: 'archived', copy: [] },
    ];
    expect(summaryStrip(checked, 365, String)).toBe(
      '0 missing days · 0 failed · 0 tampered · 2 days wrong in the second copy',
    );
    expect(summaryStrip(checked.slice(1), 365, String)).toBe(
      '0 missing days · 0 failed · 0 tampered · 1 day wrong in the second copy',
    );
  });

  it('marks the retention horizon: the oldest day Genesys still holds', () => {
    expect(retentionHorizon('2026-12-02', 365)).toBe('2025-12-02');
  });

  it('labels today and the horizon for a screen reader', () => {
    expect(cellLabel({ day: '2026-12-02', state: 'pending' }, { today: true, horizon: false })).toBe(
      '2026-12-02: pending (today)',
    );
    expect(cellLabel({ day: '2025-12-02', state: 'archived', events: 3 }, { today: false, horizon: true })).toBe(
      '2025-12-02: archived, 3 events (Genesys retention horizon: older days can no longer be exported)',
    );
  });

  it.each([
    ['ArrowRight', '2026-03-15'],
    ['ArrowLeft', '2026-03-13'],
    ['ArrowUp', '2026-02-14'],
    ['ArrowDown', '2026-04-14'],
    ['PageUp', '2025-03-14'],
    ['Home', '2026-03-01'],
    ['End', '2026-03-31'],
  ])('%s moves from 2026-03-14 to %s', (key, expected) => {
    expect(moveDay('2026-03-14', key, '2020-01-01', '2026-12-02')).toBe(expected);
  });

  it('keeps the keyboard inside the shown days and ignores other keys', () => {
    expect(moveDay('2026-01-31', 'ArrowUp', '2020-01-01', '2026-12-02')).toBe('2025-12-31');
    expect(moveDay('2026-03-31', 'ArrowUp', '2020-01-01', '2026-12-02')).toBe('2026-02-28');
    expect(moveDay('2026-12-02', 'ArrowRight', '2020-01-01', '2026-12-02')).toBe('2026-12-02');
    expect(moveDay('2020-01-01', 'PageUp', '2020-01-01', '2026-12-02')).toBe('2020-01-01');
    expect(moveDay('2026-03-14', 'Tab', '2020-01-01', '2026-12-02')).toBeNull();
  });
});
