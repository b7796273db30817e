/**
 * UTC days: the unit of archiving.
 *
 * A day `D` is the closed-open interval `[D 00:00Z, D+1 00:00Z)`. Days are handled as `YYYY-MM-DD`
 * strings so that no local time zone can leak into what is archived.
 *
 * Parsing never throws: a day from outside (a flag, a settings file, a request, a journal, a
 * manifest) goes through `DaySchema`, `parseDay` or `isDay`, which answer "not a day" with a reason.
 * The arithmetic helpers take days already checked; handed something else they throw a coded
 * INVALID_ARGUMENT (exit 2 on the CLI, a Result over IPC), never the RangeError `Date` would.
 */
import * as z from 'zod';
import { AuditArchiveError } from './errors';
import { fail, ok, type Result } from './result';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;
/** The days a `YYYY-MM-DD` string can name: 0000-01-01 to 9999-12-31. */
const FIRST_DAY_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_DAY_MS = Date.parse('9999-12-31T00:00:00.000Z');

const NOT_WRITTEN_AS_DAY = 'must be a UTC day written YYYY-MM-DD, such as 2026-01-31';
const NOT_IN_CALENDAR = 'is not a real calendar day';

/** True when `value` is a real UTC calendar day written `YYYY-MM-DD`. Never throws. */
export function isDay(value: unknown): value is Day {
  if (typeof value !== 'string' || !DAY_RE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  // `Date.parse` is lenient on some engines (2026-02-30 becomes March 2nd): the round trip must match.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

export const DaySchema = z
  .string()
  .regex(DAY_RE, NOT_WRITTEN_AS_DAY)
  // zod runs every check even after the regex failed, so this one must accept what the regex refused.
  .refine((s) => !DAY_RE.test(s) || isDay(s), NOT_IN_CALENDAR);
/** A day as `DaySchema` accepts it (the same string; named so signatures say what they take). */
export type Day = string;

/**
 * A day from outside, or why it is not one (the reason reads after the value: "'yesterday' must be
 * a UTC day written YYYY-MM-DD, …"). Never throws.
 */
export function parseDay(input: unknown): Result<Day> {
  return isDay(input) ? ok(input) : fail('INVALID_ARGUMENT', whyNotADay(input));
}

function whyNotADay(input: unknown): string {
  return typeof input === 'string' && DAY_RE.test(input) ? NOT_IN_CALENDAR : NOT_WRITTEN_AS_DAY;
}

/** The value as it may be shown in a message: short, on one line. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

function notADay(value: unknown): AuditArchiveError {
  return new AuditArchiveError('INVALID_ARGUMENT', `'${shown(value)}' ${whyNotADay(value)}.`);
}

/** Milliseconds since the epoch of the day's first instant. */
export function dayStartMs(day: Day): number {
  if (!isDay(day)) throw notADay(day);
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** The UTC day holding the instant `ms`. */
export function dayFromMs(ms: number): Day {
  const start = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
  if (!(start >= FIRST_DAY_MS && start <= LAST_DAY_MS)) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `The instant ${shown(ms)} ms is outside the days a date can name (0000-01-01 to 9999-12-31).`,
    );
  }
  return new Date(start).toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  return dayFromMs(dayStartMs(day) + n * MS_PER_DAY);
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((dayStartMs(b) - dayStartMs(a)) / MS_PER_DAY);
}

/** Inclusive range of days, ascending. Empty when `to` is before `from`. */
export function* eachDay(from: Day, to: Day): Generator<Day> {
  for (let ms = dayStartMs(from), end = dayStartMs(to); ms <= end; ms += MS_PER_DAY) yield dayFromMs(ms);
}

export interface UtcInterval {
  /** ISO-8601 instant, inclusive. */
  readonly start: string;
  /** ISO-8601 instant, exclusive. */
  readonly end: string;
}

export function dayInterval(day: Day): UtcInterval {
  const start = dayStartMs(day);
  return { start: new Date(start).toISOString(), end: new Date(start + MS_PER_DAY).toISOString() };
}

/** The interval as Genesys writes it: `start/end`. */
export function formatInterval(i: UtcInterval): string {
  return `${i.start}/${i.end}`;
}

/**
 * The last day whose end plus the settlement margin has passed at `nowMs`, i.e. the newest day that
 * may be exported as final. Genesys indexes events minutes after they happen.
 */
export function lastSettledDay(nowMs: number, settlementMinutes: number): Day {
  const settledInstant = nowMs - settlementMinutes * 60_000;
  // Day D is settled when D+1 00:00Z <= settledInstant, so the last settled day ends at or before it.
  return addDays(dayFromMs(settledInstant), -1);
}

export function isSettled(day: Day, nowMs: number, settlementMinutes: number): boolean {
  return dayStartMs(day) + MS_PER_DAY + settlementMinutes * 60_000 <= nowMs;
}

/** The earliest day Genesys still guarantees to hold at `nowMs`. */
export function firstRecoverableDay(nowMs: number, genesysRetentionDays: number): Day {
  return addDays(dayFromMs(nowMs), -genesysRetentionDays);
}
