/**
 * How a finished verification reads beside the calendar, so the two tell one story: what passed as
 * well as what failed, and the known, accepted facts (days older than Genesys keeps that were never
 * archived, which the calendar already shows as unrecoverable) apart from new problems. Pure, so the
 * wording is unit-tested (test/unit/renderer/verify-outcome.test.ts).
 */
import type { JobState } from '../../shared/archive-jobs';
import type { Day } from '../../shared/day';
import type { DayStatus } from '../../shared/day-status';
import { isFailingProblem, type VerifyProblem } from '../../shared/verify';
import { formatCount } from '../app/display-format';

export interface VerifyOutcome {
  readonly headline: string;
  /** Problems that are new: each needs looking at. */
  readonly fresh: readonly VerifyProblem[];
  /** Known and accepted: a day the calendar shows unrecoverable (or not required) that has no manifest. */
  readonly known: readonly VerifyProblem[];
  readonly alarm: boolean;
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

export function verifyOutcome(job: JobState, calendar: readonly DayStatus[]): VerifyOutcome | null {
  if (job.kind !== 'verify' || job.phase !== 'done' || !job.problems || !job.range) return null;
  const states = new Map<Day, DayStatus['state']>(calendar.map((d) => [d.day, d.state]));
  const accepted = (p: VerifyProblem) =>
    p.kind === 'day-missing' &&
    p.day !== null &&
    (states.get(p.day) === 'unrecoverable' || states.get(p.day) === 'not-required');
  const known = job.problems.listed.filter(accepted);
  const fresh = job.problems.listed.filter((p) => !accepted(p));
  const freshFailing = Math.max(0, job.problems.failing - known.length);
  const freshDays = new Set(fresh.filter((p) => isFailingProblem(p.kind)).map((p) => p.day ?? 'archive')).size;
  const { from, to } = job.range;
  const passed = calendar.filter((d) => d.day >= from && d.day <= to && d.state === 'archived').length;
  const found =
    freshFailing === 0
      ? 'no new problem'
      : `${plural(freshFailing, 'new problem', 'new problems')} on ${plural(Math.max(1, freshDays), 'day', 'days')}`;
  return {
    headline: `Verified ${from} to ${to}: ${plural(passed, 'archived day', 'archived days')} passed; ${found}.`,
    fresh,
    known,
    alarm: freshFailing > 0,
  };
}

/** The known, accepted facts in one sentence. */
export function knownFactsText(known: readonly VerifyProblem[]): string {
  return `${plural(known.length, 'day', 'days')} older than Genesys keeps ${known.length === 1 ? 'was' : 'were'} never archived (unrecoverable on the calendar): known and accepted, not new.`;
}
