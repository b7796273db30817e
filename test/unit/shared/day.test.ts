/**
 * Days come from flags, settings files, requests, the journal and manifests. Reading one never
 * throws; handing a malformed one to the day arithmetic is a coded INVALID_ARGUMENT, never the
 * RangeError `Date` throws (which the CLI could only report as INTERNAL, exit 1).
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayFromMs,
  dayInterval,
  daysBetween,
  DaySchema,
  dayStartMs,
  eachDay,
  isDay,
  isSettled,
  parseDay,
} from '../../../shared/day';
import { isAuditArchiveError } from '../../../shared/errors';

const MALFORMED = [
  'yesterday',
  '2026-13-45',
  '2026-00-10',
  '2026-02-30',
  '2026-1-5',
  '',
  ' 2026-01-05',
  '2026-01-05T00:00:00Z',
];

describe('reading a day never throws', () => {
  it.each(MALFORMED)('%j is refused with a reason a person understands', (input) => {
    const schema = DaySchema.safeParse(input);
    expect(schema.success).toBe(false);
    expect(schema.error?.issues[0]?.message).toMatch(
      /^(must be a UTC day written YYYY-MM-DD|is not a real calendar day)/,
    );
    expect(isDay(input)).toBe(false);
    const parsed = parseDay(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.code).toBe('INVALID_ARGUMENT');
  });

  it('says which is wrong: the way it is written, or the calendar', () => {
    expect(parseDay('yesterday')).toMatchObject({
      error: { message: 'must be a UTC day written YYYY-MM-DD, such as 2026-01-31' },
    });
    expect(parseDay('2026-13-45')).toMatchObject({ error: { message: 'is not a real calendar day' } });
  });

  it.each([42, null, undefined, {}, ['2026-01-05']])('a value that is not text (%j) is refused too', (input) => {
    expect(DaySchema.safeParse(input).success).toBe(false);
    expect(parseDay(input).ok).toBe(false);
  });

  it('accepts real days, leap days and the ends of the calendar', () => {
    for (const day of ['2026-01-05', '2024-02-29', '0000-01-01', '9999-12-31']) {
      expect(DaySchema.parse(day)).toBe(day);
      expect(parseDay(day)).toEqual({ ok: true, value: day });
    }
    expect(isDay('2025-02-29')).toBe(false);
  });
});

describe('day arithmetic handed something that is not a day', () => {
  function thrown(f: () => unknown): unknown {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  }

  it.each([
    ['dayStartMs', () => dayStartMs('2026-13-45')],
    ['addDays', () => addDays('yesterday', 1)],
    ['daysBetween', () => daysBetween('2026-01-01', '2026-13-45')],
    ['eachDay', () => [...eachDay('2026-01-01', 'tomorrow')]],
    ['dayInterval', () => dayInterval('2026-02-30')],
    ['isSettled', () => isSettled('2026-13-45', Date.now(), 120)],
    ['dayFromMs of NaN', () => dayFromMs(Number.NaN)],
    ['dayFromMs beyond year 9999', () => dayFromMs(Date.parse('9999-12-31T00:00:00Z') + 86_400_000)],
    ['addDays past the calendar', () => addDays('9999-12-31', 1)],
  ])('%s throws INVALID_ARGUMENT saying what is wrong, not a RangeError', (_name, f) => {
    const e = thrown(f);
    expect(e).not.toBeInstanceOf(RangeError);
    expect(isAuditArchiveError(e) && e.code).toBe('INVALID_ARGUMENT');
  });

  it('quotes the bad value briefly and on one line', () => {
    const e = thrown(() => dayStartMs(`2026-01-01\n${'x'.repeat(500)}`)) as Error;
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(120);
  });
});
