/**
 * The days of a report's period that are not archived, and why: a day not archived is not silence.
 * Judged by the calendar's own rules (status.ts computeDayStatuses, over the assessment the report's
 * verification read), so the report, `status` and the app's calendar name the same days the same way.
 */
import type { Day } from '../../../shared/day';
import type { DayState } from '../../../shared/day-status';
import type { ReportGap } from '../../../shared/reports/report-evidence';
import type { Assessment } from '../archive/assessment';
import type { RunJournalSnapshot } from '../archive/run-journal';
import { computeDayStatuses } from '../archive/status';

const WHY: Record<Exclude<DayState, 'archived'>, string> = {
  missing: 'not archived; Genesys still holds it: catch-up can archive it',
  failed: 'not archived: its last export failed',
  pending: 'not settled yet when the report was made: it is archived once settled',
  unrecoverable: 'not archived, and older than Genesys keeps its audit trail: it cannot be archived any more',
  tampered: 'verification found a problem with what the archive holds for it',
  'not-required': 'before the policy start date: not required',
};

interface GapRules {
  readonly now: number;
  readonly settlementMinutes: number;
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  readonly journal?: RunJournalSnapshot;
}

/** Every day of [from, to] whose state is not `archived`, with its state and why, in day order. */
export function reportGaps(assessment: Assessment, from: Day, to: Day, rules: GapRules): ReportGap[] {
  return computeDayStatuses({ assessment, from, to, ...rules })
    .filter((s) => s.state !== 'archived')
    .map((s) => {
      const why = WHY[s.state as Exclude<DayState, 'archived'>];
      return { day: s.day, state: s.state, detail: s.error ? `${why} (${s.error.slice(0, 500)})` : why };
    });
}
