/**
 * The archive calendar: the state of every day in a range, judged by the same assessment as verify
 * and the writer (assessment.ts), over the listing of the root and the two layout folders (7 years
 * is a handful of LIST requests) and the manifests this installation has already read (a local
 * cache: each manifest version is read once; on a new installation's first look, optionally the
 * archive's signed monthly checkpoints, each manifest in them checked as if read: checkpoints.ts).
 * A day is archived only when a valid, signed manifest
 * for it is on the chain; a junk key is visible as what it is, never as an archived day.
 *
 * The run journal adds what the archive cannot tell: the last failure per day and the last
 * verification's findings (a changed byte found by a full verify, a lock found shortened).
 */
import { dayFromMs, eachDay, firstRecoverableDay, isSettled, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { isFailingProblem, type VerifyProblem } from '../../../shared/verify';
import type { Assessment } from './assessment';
import type { DayFailure, RunJournalSnapshot } from './run-journal';

interface DayStatusInput {
  readonly assessment: Assessment;
  readonly from: Day;
  readonly to: Day;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly settlementMinutes: number;
  /** Days Genesys keeps audit events (older gaps are unrecoverable). */
  readonly genesysRetentionDays: number;
  /** Days before it are `not-required`. */
  readonly policyStartDate?: Day;
  readonly journal?: RunJournalSnapshot;
}

/**
 * The state of each day of [from, to], ascending.
 *
 * Precedence, most alarming first: a failing problem the archive shows for the day (a second
 * version, a delete marker, an invalid or unsigned manifest, an object gone) or that the last
 * verification recorded, on a day that has or had manifests, is `tampered`; a manifest on the chain
 * is `archived`; otherwise `not-required` before the policy start, `pending` until settled,
 * `unrecoverable` beyond Genesys retention, `failed` when the journal's last attempt failed, else
 * `missing`. Parts an interrupted run left on a day never archived do not make it tampered.
 */
export function computeDayStatuses(input: DayStatusInput): DayStatus[] {
  const { assessment, journal } = input;
  const firstRecoverable = firstRecoverableDay(input.now, input.genesysRetentionDays);
  const out: DayStatus[] = [];
  for (const day of eachDay(input.from, input.to)) {
    const evidence = assessment.days.get(day);
    const archived = evidence !== undefined && evidence.manifests.length > 0;
    const record = journal?.day(day);
    const problem =
      evidence?.problems.find((p) => isFailingProblem(p.kind) && (archived || !leftoverPart(p))) ??
      (archived ? journal?.verifyProblems(day).find((p) => isFailingProblem(p.kind)) : undefined);
    const events = archived
      ? { events: evidence.manifests[evidence.manifests.length - 1]!.manifest.dayEventsTotal }
      : {};
    if (problem) {
      out.push({ day, state: 'tampered', ...events, error: describe(problem) });
    } else if (archived) {
      out.push(archivedDayStatus(day, events.events));
    } else if (input.policyStartDate && day < input.policyStartDate) {
      out.push({ day, state: 'not-required' });
    } else if (!isSettled(day, input.now, input.settlementMinutes)) {
      out.push({ day, state: 'pending' });
    } else if (day < firstRecoverable) {
      out.push({ day, state: 'unrecoverable', ...(record?.failure ? { error: failureText(record.failure) } : {}) });
    } else if (record?.failure) {
      out.push(failedDayStatus(day, record.failure));
    } else {
      out.push({ day, state: 'missing' });
    }
  }
  return out;
}

/** A data part no manifest names (the only day-scoped unexpected object), on a day never archived: what an interrupted run leaves. */
function leftoverPart(p: VerifyProblem): boolean {
  return p.kind === 'unexpected-object';
}

function describe(p: VerifyProblem): string {
  return `${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}`;
}

function failureText(f: DayFailure): string {
  return `${f.code}: ${f.message} (at ${f.at})`;
}

/** An archived day, as the calendar shows it (also live, as a run archives it). */
export function archivedDayStatus(day: Day, events: number | undefined): DayStatus {
  return { day, state: 'archived', ...(events !== undefined ? { events } : {}) };
}

/** A day whose last attempt failed, as the calendar shows it (also live, as a run fails it: the failure as journalFailure in run-journal.ts bounds it). */
export function failedDayStatus(day: Day, failure: DayFailure): DayStatus {
  return { day, state: 'failed', error: failureText(failure) };
}

/** Counts per state, for summaries (CLI, demo, the calendar header). */
export function countStates(statuses: readonly DayStatus[]): Record<DayStatus['state'], number> {
  const counts = { archived: 0, missing: 0, unrecoverable: 0, pending: 0, failed: 0, tampered: 0, 'not-required': 0 };
  for (const s of statuses) counts[s.state] += 1;
  return counts;
}

/**
 * The default calendar range: from the earliest of (policy start, first day on the chain, start
 * of the Genesys window) to today (today shows `pending`).
 */
export function defaultStatusRange(
  assessment: Assessment,
  now: number,
  genesysRetentionDays: number,
  policyStartDate?: Day,
): { from: Day; to: Day } {
  let from = policyStartDate ?? firstRecoverableDay(now, genesysRetentionDays);
  for (const c of assessment.chain) if (c.manifest.day < from) from = c.manifest.day;
  return { from, to: dayFromMs(now) };
}

/** The default catch-up range: the start of the Genesys window (or the policy start, if later) to the last settled day. */
export function defaultCatchUpFrom(now: number, genesysRetentionDays: number, policyStartDate?: Day): Day {
  const first = firstRecoverableDay(now, genesysRetentionDays);
  return policyStartDate && policyStartDate > first ? policyStartDate : first;
}
