/**
 * Legal holds on the calendar: a held day's label names the matters (a screen reader hears what
 * the corner flag shows), the legend counts held days, and a day a running job pushes keeps the
 * matters holding it (the push does not read the hold records; the page in Chromium:
 * test/integration/ui/holds-calendar.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DayStatus } from '../../../shared/day-status';
import { cellLabel, countHeld, isHeld, pushedDay } from '../../../renderer/calendar/calendar-model';

const held: DayStatus = { day: '2026-03-14', state: 'archived', events: 1234, holds: ['Matter A', 'SEC HO-1'] };
const plain: DayStatus = { day: '2026-03-15', state: 'archived', events: 5 };

describe('legal holds on the calendar', () => {
  it("names every matter holding a day in the day's label, beside its state and today's mark", () => {
    expect(cellLabel(held, { today: true, horizon: false })).toBe(
      '2026-03-14: archived, 1,234 events (under legal hold for Matter A, SEC HO-1; today)',
    );
    expect(cellLabel(plain, { today: false, horizon: false })).toBe('2026-03-15: archived, 5 events');
  });

  it('counts only days some matter holds (an empty list holds nothing)', () => {
    const released: DayStatus = { ...plain, day: '2026-03-16', holds: [] };
    expect([held, plain, released].map(isHeld)).toEqual([true, false, false]);
    expect(countHeld([held, plain, released])).toBe(1);
  });

  it("keeps the matters holding a day when a job pushes the day's new state, and takes the push's own when it has them", () => {
    const failed: DayStatus = { day: held.day, state: 'failed', error: 'GENESYS_UNAVAILABLE: down' };
    expect(pushedDay(held, failed)).toEqual({ ...failed, holds: ['Matter A', 'SEC HO-1'] });
    expect(pushedDay(plain, { ...plain, events: 9 })).toEqual({ ...plain, events: 9 });
    expect(pushedDay(held, { ...held, holds: ['Matter A'] }).holds).toEqual(['Matter A']);
  });
});
