/**
 * The second locked copy on the calendar and in the day panel: a day the last copy check found
 * wrong says so in its label with when it was checked, the legend counts such days, the problems
 * list merges consecutive days, a job's pushed day keeps the finding until the next check, and the
 * day panel's guidance says what was found, that the primary is still the evidence while the SEC
 * 17a-4(f)(2)(v) backup set is incomplete, and the step that fits the finding and the copy's mode
 * (the page in Chromium: test/integration/ui/copy-calendar.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DayCopy } from '../../../shared/copy-check';
import type { DayStatus } from '../../../shared/day-status';
import {
  cellLabel,
  copyProblemRanges,
  copyProblemRangeText,
  copyWrong,
  countCopyWrong,
  pushedDay,
} from '../../../renderer/calendar/calendar-model';
import { copyGuidance } from '../../../renderer/calendar/day-guidance';

const missing: DayStatus = { day: '2026-03-14', state: 'archived', events: 1234, copy: ['copy-missing'] };
const both: DayStatus = { day: '2026-03-15', state: 'archived', events: 5, copy: ['copy-different', 'copy-missing'] };
const plain: DayStatus = { day: '2026-03-16', state: 'archived', events: 7 };
const lone: DayStatus = { day: '2026-03-20', state: 'tampered', copy: ['copy-unlocked'] };

describe('the second locked copy on the calendar', () => {
  it("says in a day's label what the copy check found and when it ran, beside holds and today", () => {
    expect(cellLabel(missing, { today: false, horizon: false, copyChecked: '7 Dec 2026, 05:00 UTC' })).toBe(
      '2026-03-14: archived, 1,234 events (second copy: objects missing from the copy at the copy check of 7 Dec 2026, 05:00 UTC)',
    );
    expect(cellLabel({ ...both, holds: ['M'] }, { today: true, horizon: false, copyChecked: 'T' })).toBe(
      '2026-03-15: archived, 5 events (under legal hold for M; second copy: objects different in the copy and missing from the copy at the copy check of T; today)',
    );
    expect(cellLabel(plain, { today: false, horizon: false, copyChecked: 'T' })).toBe('2026-03-16: archived, 7 events');
  });

  it('counts only days with a copy finding (an empty list is none)', () => {
    const none: DayStatus = { ...plain, day: '2026-03-17', copy: [] };
    expect([missing, both, plain, none, lone].map(copyWrong)).toEqual([true, true, false, false, true]);
    expect(countCopyWrong([missing, both, plain, none, lone])).toBe(3);
  });

  it('lists consecutive days with copy findings as one range, newest first, with every kind found', () => {
    const ranges = copyProblemRanges([missing, plain, both, lone]);
    expect(ranges.map(copyProblemRangeText)).toEqual([
      '2026-03-20: second copy: objects not locked in the copy as long as in the primary',
      '2026-03-14 – 2026-03-15 (2 days): second copy: objects different in the copy and missing from the copy',
    ]);
  });

  it("keeps a day's copy finding when a job pushes its new state (until the next copy check)", () => {
    const pushed: DayStatus = { day: missing.day, state: 'archived', events: 1300 };
    expect(pushedDay(missing, pushed)).toEqual({ ...pushed, copy: ['copy-missing'] });
    expect(pushedDay(plain, { ...plain, events: 9 })).toEqual({ ...plain, events: 9 });
  });
});

describe("the day panel's guidance on the copy", () => {
  const copy = (mode: DayCopy['mode'], kinds: DayStatus['copy'] = []): DayCopy => ({
    target: 's3://copy-bucket/acme',
    mode,
    checked: {
      at: '2026-12-07T05:00:00.000Z',
      from: '2026-03-01',
      to: '2026-03-31',
      omitted: 0,
      problems: (kinds ?? []).map((kind, i) => ({ day: '2026-03-14', kind, key: `k${i}`, detail: 'd' })),
    },
  });

  it('a missing object in write mode: what was found and when, the primary still the evidence, the backup set incomplete, catch-up repairs it', () => {
    const g = copyGuidance(copy('write', ['copy-missing', 'copy-missing']), '7 Dec 2026, 05:00 UTC');
    expect(g?.happened).toBe(
      'The copy check of 7 Dec 2026, 05:00 UTC found 2 objects missing from the copy (s3://copy-bucket/acme). The findings below name each key.',
    );
    expect(g?.meaning).toContain('The primary archive is still the evidence for this day');
    expect(g?.meaning).toContain('the backup set that SEC 17a-4(f)(2)(v) asks for');
    expect(g?.steps[0]).toMatch(
      /^Run "Catch up now" .*writes every object missing from the copy from the primary's verified bytes, never from Genesys/,
    );
    expect(g?.steps.at(-1)).toMatch(/^Check the copy again/);
  });

  it('check mode points at the replication rule; a different or short-locked object cannot be repaired on WORM storage', () => {
    const replicated = copyGuidance(copy('check', ['copy-missing']), 'T');
    expect(replicated?.steps[0]).toMatch(
      /^The copy is filled by S3 Replication \(check mode\), so catch-up writes nothing there/,
    );
    const changed = copyGuidance(copy('write', ['copy-different', 'copy-unlocked']), 'T');
    expect(changed?.happened).toContain('1 object in the copy with other bytes');
    expect(changed?.happened).toContain('1 object in the copy not locked, or locked weaker or shorter');
    expect(changed?.steps[0]).toMatch(
      /^An object with other bytes or a weaker lock cannot be replaced on WORM storage/,
    );
    expect(changed?.steps.some((s) => s.includes('Catch up now'))).toBe(false);
  });

  it('nothing to say when the check found nothing for the day, or did not cover it', () => {
    expect(copyGuidance(copy('write'), 'T')).toBeNull();
    expect(copyGuidance({ ...copy('write'), checked: null }, 'T')).toBeNull();
  });
});
