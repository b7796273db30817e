/**
 * What the archive calendar shows, computed from the day statuses: the range of the shown years,
 * counts per state, each day's label, today and the Genesys retention horizon, the summary strip,
 * the problems grouped into ranges, and where the keyboard moves.
 *
 * Pure (no React, no DOM) so it reads like the page's rules.
 */
import { addDays, dayFromMs, daysBetween, type Day } from '../../shared/day';
import type { CopyProblemKind } from '../../shared/copy-check';
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
const PROBLEM_STATES: ReadonlySet<DayState> = new Set<DayState>(['missing', 'failed', 'tampered']);

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
  tampered: 'Verification found a deleted, hidden or changed object, or events not each archived once',
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

/**
 * The Genesys retention horizon: the oldest day Genesys still guarantees to hold today. A day
 * older than it that is not archived can no longer be exported.
 */
export function retentionHorizon(today: Day, genesysRetentionDays: number): Day {
  return addDays(today, -genesysRetentionDays);
}

/** The last day a missing `day` can still be caught up (Genesys keeps it this long). */
function recoverableUntil(day: Day, genesysRetentionDays: number): Day {
  return addDays(day, genesysRetentionDays);
}

/**
 * The summary strip: "12 missing days, recoverable until 3 March 2027 · 1 failed · 0 tampered", the
 * deadline being the day the oldest missing or failed day falls out of Genesys retention.
 */
export function summaryStrip(
  days: readonly DayStatus[],
  genesysRetentionDays: number,
  formatDay: (day: Day) => string,
): string {
  const counts = countStates(days);
  const gaps = days.filter((d) => d.state === 'missing' || d.state === 'failed');
  const oldest = gaps.reduce<Day | null>((o, d) => (o === null || d.day < o ? d.day : o), null);
  const missing = `${formatNumber(counts.missing)} missing ${counts.missing === 1 ? 'day' : 'days'}`;
  const deadline = oldest ? `, recoverable until ${formatDay(recoverableUntil(oldest, genesysRetentionDays))}` : '';
  const parts = [
    `${missing}${deadline}`,
    `${formatNumber(counts.failed)} failed`,
    `${formatNumber(counts.tampered)} tampered`,
  ];
  if (counts.unrecoverable > 0) parts.push(`${formatNumber(counts.unrecoverable)} unrecoverable`);
  // The primary can be whole while the second copy is not: the strip says so too, not only the marks.
  const copyWrongDays = countCopyWrong(days);
  if (copyWrongDays > 0) {
    parts.push(`${formatNumber(copyWrongDays)} ${copyWrongDays === 1 ? 'day' : 'days'} wrong in the second copy`);
  }
  return parts.join(' · ');
}

/** What the legal-hold mark means, for the legend's tooltip. */
export const HELD_MEANING =
  'Under a legal hold: a matter holds the day, so its records are kept past their retention until released';

/** Whether a matter holds the day under a legal hold now. */
export function isHeld(status: DayStatus): boolean {
  return (status.holds?.length ?? 0) > 0;
}

/** Days a matter holds, for the legend's count. */
export function countHeld(days: readonly DayStatus[]): number {
  return days.reduce((n, d) => n + (isHeld(d) ? 1 : 0), 0);
}

/**
 * A day a running job pushed (archived, failed): its new state, keeping the matters that hold it (a
 * job's push does not read the hold records, and a job never releases a hold).
 */
export function pushedDay(previous: DayStatus, pushed: DayStatus): DayStatus {
  const held =
    pushed.holds === undefined && previous.holds !== undefined ? { ...pushed, holds: previous.holds } : pushed;
  // What the last copy check found stays said (with when it was checked) until the next check.
  return held.copy === undefined && previous.copy !== undefined ? { ...held, copy: previous.copy } : held;
}

/**
 * A cell's label for a screen reader: its state and events, any legal hold, what the last copy check
 * found (`copyChecked`: when, as the calendar shows it), and whether it is today or the horizon.
 */
export function cellLabel(
  status: DayStatus,
  marks: { today: boolean; horizon: boolean; copyChecked?: string | undefined },
): string {
  const notes = [
    ...(isHeld(status) ? [`under legal hold for ${(status.holds ?? []).join(', ')}`] : []),
    ...(copyWrong(status)
      ? [`${copyKindsText(status.copy ?? [])} at the copy check of ${marks.copyChecked ?? 'an unknown time'}`]
      : []),
    ...(marks.today ? ['today'] : []),
    ...(marks.horizon ? ['Genesys retention horizon: older days can no longer be exported'] : []),
  ];
  return notes.length > 0 ? `${dayLabel(status)} (${notes.join('; ')})` : dayLabel(status);
}

/** What the second-copy mark means, for the legend's tooltip. */
export const COPY_MEANING =
  'The last check of the second locked copy found an object of this day missing, different or not locked as in the primary there; the primary is unchanged';

/** What each copy finding says about the day's objects in the copy. */
export const COPY_KIND_WORDS: Record<CopyProblemKind, string> = {
  'copy-missing': 'missing from the copy',
  'copy-different': 'different in the copy',
  'copy-unlocked': 'not locked in the copy as long as in the primary',
};

/** Whether the last copy check found something wrong with the day in the copy. */
export function copyWrong(status: DayStatus): boolean {
  return (status.copy?.length ?? 0) > 0;
}

/** Days the last copy check found wrong, for the legend's count. */
export function countCopyWrong(days: readonly DayStatus[]): number {
  return days.reduce((n, d) => n + (copyWrong(d) ? 1 : 0), 0);
}

/** "objects missing from the copy and different in the copy". */
export function copyKindsText(kinds: readonly CopyProblemKind[]): string {
  const words = kinds.map((k) => COPY_KIND_WORDS[k]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? 'wrong');
  return `second copy: objects ${list}`;
}

export interface CopyProblemRange {
  readonly from: Day;
  readonly to: Day;
  readonly days: number;
  /** Every kind found on the range's days. */
  readonly kinds: readonly CopyProblemKind[];
}

/** The days the last copy check found wrong, newest first, consecutive days merged into one range. */
export function copyProblemRanges(days: readonly DayStatus[]): CopyProblemRange[] {
  const wrong = days.filter(copyWrong).sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
  const ranges: CopyProblemRange[] = [];
  for (const d of wrong) {
    const last = ranges[ranges.length - 1];
    const kinds = d.copy ?? [];
    if (last && addDays(last.from, -1) === d.day) {
      const merged = [...new Set([...last.kinds, ...kinds])].sort();
      ranges[ranges.length - 1] = { from: d.day, to: last.to, days: last.days + 1, kinds: merged };
    } else ranges.push({ from: d.day, to: d.day, days: 1, kinds: [...kinds] });
  }
  return ranges;
}

/** "2026-01-03 – 2026-01-05 (3 days): second copy: objects missing from the copy". */
export function copyProblemRangeText(r: CopyProblemRange): string {
  const span = r.days === 1 ? r.from : `${r.from} – ${r.to} (${formatNumber(r.days)} days)`;
  return `${span}: ${copyKindsText(r.kinds)}`;
}

/** Keys that move across days, and where they lead (kept inside `[first, last]`); null for other keys. */
export function moveDay(day: Day, key: string, first: Day, last: Day): Day | null {
  let next: Day;
  switch (key) {
    case 'ArrowLeft':
      next = addDays(day, -1);
      break;
    case 'ArrowRight':
      next = addDays(day, 1);
      break;
    case 'ArrowUp':
      next = shiftMonths(day, -1);
      break;
    case 'ArrowDown':
      next = shiftMonths(day, 1);
      break;
    case 'PageUp':
      next = shiftMonths(day, -12);
      break;
    case 'PageDown':
      next = shiftMonths(day, 12);
      break;
    case 'Home':
      next = `${day.slice(0, 8)}01`;
      break;
    case 'End':
      next = dayOf(
        Number(day.slice(0, 4)),
        Number(day.slice(5, 7)) - 1,
        daysInMonth(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1),
      );
      break;
    default:
      return null;
  }
  return next < first ? first : next > last ? last : next;
}

/** The same day of the month `months` later (the month's last day when it is shorter). */
function shiftMonths(day: Day, months: number): Day {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7)) - 1 + months;
  const y = year + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  return dayOf(y, m, Math.min(Number(day.slice(8, 10)), daysInMonth(y, m)));
}

/**
 * The oldest shown years in which no day is required (all before the policy start date): folded
 * into one line under the calendar, so the first archived day is not 1,500 px down. Never this year.
 */
export function foldedYears(years: readonly number[], days: readonly DayStatus[]): number[] {
  const required = new Set<number>();
  for (const d of days) if (d.state !== 'not-required') required.add(Number(d.day.slice(0, 4)));
  const folded: number[] = [];
  // Newest first: fold from the oldest year up to the first one that holds a required day.
  for (const year of [...years].reverse()) {
    if (required.has(year) || year === years[0]) break;
    folded.push(year);
  }
  return folded.reverse();
}

/** One year's days, by day. */
export type YearDays = ReadonlyMap<Day, DayStatus>;

/**
 * The days grouped by year. A year whose days are the very same objects as in `previous` keeps its
 * map from there, so a batch of days a job pushed draws again only the years it touched (each year
 * is a memoised block of up to 366 cells).
 */
export function daysByYear(days: readonly DayStatus[], previous: ReadonlyMap<number, YearDays>): Map<number, YearDays> {
  const grouped = new Map<number, Map<Day, DayStatus>>();
  for (const d of days) {
    const year = Number(d.day.slice(0, 4));
    let yearDays = grouped.get(year);
    if (!yearDays) grouped.set(year, (yearDays = new Map()));
    yearDays.set(d.day, d);
  }
  const byYear = new Map<number, YearDays>();
  for (const [year, yearDays] of grouped) {
    const before = previous.get(year);
    byYear.set(year, before && sameDays(before, yearDays) ? before : yearDays);
  }
  return byYear;
}

function sameDays(a: YearDays, b: YearDays): boolean {
  if (a.size !== b.size) return false;
  for (const [day, status] of b) if (a.get(day) !== status) return false;
  return true;
}
