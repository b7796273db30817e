/**
 * What the archive calendar shows, computed from the day statuses: the range of the shown years,
 * counts per state, each day's label and the problems grouped into ranges.
 *
 * Pure (no React, no DOM) so it reads like the page's rules.
 */
import { addDays, dayFromMs, daysBetween, type Day } from '../../shared/day';
import type { DayState, DayStatus } from '../../shared/day-status';

/** Legend order: what needs action first, then the rest. */
export const LEGEND_ORDER: readonly DayState[] = [
  'archived',
  'missing',
  'failed',
  'tampered',
  'pending',
  'unrecoverable',
  'not-required',
];

/** Days an officer must act on (catch up or investigate). */
export const PROBLEM_STATES: ReadonlySet<DayState> = new Set<DayState>(['missing', 'failed', 'tampered']);

export const STATE_LABELS: Record<DayState, string> = {
  archived: 'archived',
  missing: 'missing',
  failed: 'failed',
  tampered: 'tampered',
  pending: 'pending',
  unrecoverable: 'unrecoverable',
  'not-required': 'not required',
};

/** What each state means, for the legend's tooltips. */
export const STATE_MEANINGS: Record<DayState, string> = {
  archived: 'Written to the archive and read back locked',
  missing: 'Not archived; Genesys still holds it, so it can be caught up',
  failed: 'The last export attempt failed; Genesys still holds it',
  tampered: 'Verification found a deleted, hidden or changed object',
  pending: 'Not settled yet (the day or its settlement margin has not ended)',
  unrecoverable: 'Not archived and older than Genesys keeps audit events',
  'not-required': 'Before the retention policy start date',
};

const numberFormat = new Intl.NumberFormat('en-US');

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

export const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** The UTC day of an instant. */
export function utcToday(nowMs: number): Day {
  return dayFromMs(nowMs);
}

/** The shown years, newest first, and the one range that covers them: 1 January of the oldest to today. */
export function calendarRange(today: Day, years: number): { from: Day; to: Day; years: number[] } {
  const newest = Number(today.slice(0, 4));
  const shown = Array.from({ length: Math.max(1, years) }, (_, i) => newest - i);
  const oldest = shown[shown.length - 1] ?? newest;
  return { from: `${String(oldest).padStart(4, '0')}-01-01`, to: today, years: shown };
}

export function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

export function dayOf(year: number, monthIndex: number, dayOfMonth: number): Day {
  return `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

export function countStates(days: readonly DayStatus[]): Record<DayState, number> {
  const counts: Record<DayState, number> = {
    archived: 0,
    missing: 0,
    failed: 0,
    tampered: 0,
    pending: 0,
    unrecoverable: 0,
    'not-required': 0,
  };
  for (const d of days) counts[d.state] += 1;
  return counts;
}

/** "1,204 archived · 3 missing · 1 failed", states with no day left out. */
export function countsLine(counts: Record<DayState, number>): string {
  return LEGEND_ORDER.filter((s) => counts[s] > 0)
    .map((s) => `${formatNumber(counts[s])} ${STATE_LABELS[s]}`)
    .join(' · ');
}

/** "2026-03-14: archived, 1,234 events" or "2026-03-15: failed — GENESYS_UNAVAILABLE: …". */
export function dayLabel(status: DayStatus): string {
  const head = `${status.day}: ${STATE_LABELS[status.state]}`;
  const events =
    status.events === undefined ? '' : `, ${formatNumber(status.events)} ${status.events === 1 ? 'event' : 'events'}`;
  const error = status.error ? ` — ${status.error}` : '';
  return head + events + error;
}

export interface ProblemRange {
  readonly state: DayState;
  /** Oldest day of the range. */
  readonly from: Day;
  /** Newest day of the range. */
  readonly to: Day;
  readonly days: number;
  /** The newest day's error, for failed and tampered days. */
  readonly error?: string;
}

/**
 * Every missing, failed or tampered day, newest first, consecutive days of the same state merged
 * into one range (a week-long outage is one line, not seven).
 */
export function problemRanges(days: readonly DayStatus[]): ProblemRange[] {
  const problems = days
    .filter((d) => PROBLEM_STATES.has(d.state))
    .sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
  const ranges: ProblemRange[] = [];
  for (const p of problems) {
    const last = ranges[ranges.length - 1];
    if (last && last.state === p.state && addDays(last.from, -1) === p.day) {
      ranges[ranges.length - 1] = { ...last, from: p.day, days: last.days + 1 };
    } else {
      ranges.push({ state: p.state, from: p.day, to: p.day, days: 1, ...(p.error ? { error: p.error } : {}) });
    }
  }
  return ranges;
}

/** "2026-01-03 – 2026-01-05 missing (3 days)" or "2026-01-07 failed". */
export function problemRangeText(r: ProblemRange): string {
  if (r.days === 1) return `${r.from} ${STATE_LABELS[r.state]}`;
  return `${r.from} – ${r.to} ${STATE_LABELS[r.state]} (${formatNumber(daysBetween(r.from, r.to) + 1)} days)`;
}
