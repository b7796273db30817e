/**
 * archiveGaps: which days of a range an answer from the archive does not cover, and why.
 *
 * A day not archived is not silence: an answer (a discovery result, a report) over a range holds
 * nothing of the days the archive does not hold, and says so by naming them. The judgement is the
 * calendar's own (computeDayStatuses in main/engine/archive/status.ts): every day of the range whose
 * state is anything but `archived` is a gap, with the state's reason. Nothing here decides a day's
 * state a second way.
 */
import * as z from 'zod';
import { addDays, DaySchema, type Day } from './day';
import type { DayStatus } from './day-status';

/** Every state but `archived`. */
const GAP_STATES = ['missing', 'failed', 'pending', 'unrecoverable', 'tampered', 'not-required'] as const;
type GapState = (typeof GAP_STATES)[number];

export const ArchiveGapSchema = z
  .object({
    day: DaySchema,
    state: z.enum(GAP_STATES),
    /** The last failure, or the problem found (failed, tampered, unrecoverable after a failure). */
    detail: z.string().nullable(),
  })
  .strict();
export type ArchiveGap = z.infer<typeof ArchiveGapSchema>;

/** The days of `statuses` (one range's day statuses) that are not archived, in day order. */
export function archiveGaps(statuses: readonly DayStatus[]): ArchiveGap[] {
  const gaps: ArchiveGap[] = [];
  for (const s of statuses) {
    if (s.state === 'archived') continue;
    gaps.push({ day: s.day, state: s.state, detail: s.error ?? null });
  }
  return gaps.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** What a gap's state means for an answer, in words (never colour alone). */
const GAP_WORDS: Record<GapState, string> = {
  missing: 'not archived',
  failed: 'not archived: the last export failed',
  pending: 'not archived yet: the day is not settled',
  unrecoverable: 'not archived, and Genesys no longer holds it',
  tampered: 'verification found a problem',
  'not-required': 'not archived: before the policy start date',
};

/** Consecutive days of one state and detail, as one line names them. */
interface GapSpan {
  readonly from: Day;
  readonly to: Day;
  readonly days: number;
  readonly state: GapState;
  readonly detail: string | null;
}

/** The gaps as spans of consecutive days with the same state and detail. */
export function gapSpans(gaps: readonly ArchiveGap[]): GapSpan[] {
  const spans: GapSpan[] = [];
  for (const g of gaps) {
    const last = spans[spans.length - 1];
    if (last && last.state === g.state && last.detail === g.detail && addDays(last.to, 1) === g.day) {
      spans[spans.length - 1] = { ...last, to: g.day, days: last.days + 1 };
    } else {
      spans.push({ from: g.day, to: g.day, days: 1, state: g.state, detail: g.detail });
    }
  }
  return spans;
}

/** One span in words: `2026-11-21 to 2026-11-23 (3 days): not archived`. */
export function describeGapSpan(span: GapSpan): string {
  const days = span.days === 1 ? span.from : `${span.from} to ${span.to} (${span.days} days)`;
  return `${days}: ${GAP_WORDS[span.state]}${span.detail ? ` (${span.detail})` : ''}`;
}

/** The headline: `3 days of the range are not in this answer (not archived, failed or pending)`. */
export function gapHeadline(gaps: readonly ArchiveGap[]): string {
  const states = [...new Set(gaps.map((g) => g.state))];
  return `${gaps.length} day${gaps.length === 1 ? '' : 's'} of the range ${gaps.length === 1 ? 'is' : 'are'} not in this answer (${states.map((s) => GAP_LABELS[s]).join(', ')})`;
}

/**
 * What the gaps mean for the rows: none from a day not archived. A day where verification found a
 * problem is answered from what its manifests vouch for (the local engine), or from whatever its
 * folder holds now (Athena reads the folder).
 */
export function gapMeaning(gaps: readonly ArchiveGap[], engine: 'local' | 'athena'): string {
  const tampered = gaps.some((g) => g.state === 'tampered');
  const notArchived = gaps.some((g) => g.state !== 'tampered');
  if (!tampered) return 'The answer holds no events of these days.';
  const problem =
    engine === 'local'
      ? 'For a day where verification found a problem, it holds what that day’s manifests vouch for; run verify.'
      : 'For a day where verification found a problem, Athena read whatever that day’s folder holds now; run verify.';
  return notArchived ? `The answer holds no events of the days not archived. ${problem}` : problem;
}

/** A state's short label, as the calendar names it. */
const GAP_LABELS: Record<GapState, string> = {
  missing: 'missing',
  failed: 'failed',
  pending: 'pending',
  unrecoverable: 'unrecoverable',
  tampered: 'tampered',
  'not-required': 'before the policy start',
};
