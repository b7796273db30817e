/**
 * UTC days: the unit of archiving.
 *
 * A day `D` is the closed-open interval `[D 00:00Z, D+1 00:00Z)`. Days are handled as `YYYY-MM-DD`
 * strings so that no local time zone can leak into what is archived.
 */
import { z } from 'zod';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

export const DaySchema = z
  .string()
  .regex(DAY_RE, 'must be a UTC day written YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00.000Z`).toISOString().slice(0, 10) === s, 'is not a real calendar day');
export type Day = z.infer<typeof DaySchema>;

export function parseDay(input: string): Day {
  return DaySchema.parse(input);
}

/** Milliseconds since the epoch of the day's first instant. */
export function dayStartMs(day: Day): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function dayFromMs(ms: number): Day {
  return new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY).toISOString().slice(0, 10);
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
