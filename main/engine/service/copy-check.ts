/**
 * The second locked copy in the app: the calendar's marks and the day panel's part, read from the
 * last copy check the app ran (the run journal's record, main/engine/archive/run-journal.ts), and
 * only when that check was of the copy set now (another copy's findings say nothing of this one).
 * The record is of a check made at a time, never the copy as it is now: each answer carries `at`.
 */
import { JOB_LIST_LIMITS, type JobState } from '../../../shared/archive-jobs';
import { normalisePrefix } from '../../../shared/archive-layout';
import {
  isCopyProblemKind,
  type CopyCheckSummary,
  type CopyProblemKind,
  type DayCopy,
} from '../../../shared/copy-check';
import type { Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import type { Settings } from '../../../shared/settings';
import type { CopyCheckResult } from '../archive/copy/verify-copy';
import type { CopyCheckRecord, RunJournal } from '../archive/run-journal';

/** The copy's URL as its store names it (`s3://bucket/prefix`), or null when none is set. */
export function copyUrlOf(settings: Pick<Settings, 'archive'>): string | null {
  const target = settings.archive.copy.target;
  if (!target.startsWith('s3://')) return null;
  const rest = target.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const prefix = slash < 0 ? '' : normalisePrefix(rest.slice(slash + 1));
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  return prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
}

/** The journal's last copy check when it was of the copy set now (null: none, or of another copy). */
export function currentCopyCheck(
  settings: Pick<Settings, 'archive'>,
  journal: Pick<RunJournal, 'lastCopyCheck'>,
): CopyCheckRecord | null {
  const url = copyUrlOf(settings);
  const record = journal.lastCopyCheck;
  return url !== null && record !== null && record.copy === url ? record : null;
}

/** What the calendar receives: each day with what the last check found wrong there, and the check's summary. */
export function withCopyCheck(
  days: readonly DayStatus[],
  settings: Pick<Settings, 'archive'>,
  journal: Pick<RunJournal, 'lastCopyCheck'>,
): { days: DayStatus[]; copyCheck?: CopyCheckSummary | null } {
  if (copyUrlOf(settings) === null) return { days: [...days] };
  const record = currentCopyCheck(settings, journal);
  if (!record) return { days: [...days], copyCheck: null };
  const kinds = new Map<Day, Set<CopyProblemKind>>();
  for (const p of record.problems)
    if (isCopyProblemKind(p.kind)) kinds.set(p.day, (kinds.get(p.day) ?? new Set()).add(p.kind));
  return {
    days: days.map((d) => {
      const found = kinds.get(d.day);
      return found ? { ...d, copy: [...found].sort() } : d;
    }),
    copyCheck: summaryOf(record),
  };
}

function summaryOf(r: CopyCheckRecord): CopyCheckSummary {
  return {
    at: r.at,
    copy: r.copy,
    mode: r.mode,
    from: r.from,
    to: r.to,
    objectsChecked: r.objectsChecked,
    problems: r.found,
    problemDays: r.foundDays,
  };
}

/**
 * The day panel's part on the copy (null: no copy is set). The last check covered the day when the
 * day was in its range and archived as it is now before it ran: a manifest written after the check
 * (`newestManifestAt`) was not checked in the copy.
 */
export function dayCopyOf(
  settings: Pick<Settings, 'archive'>,
  journal: Pick<RunJournal, 'lastCopyCheck'>,
  day: Day,
  newestManifestAt: string | null,
): DayCopy | null {
  const target = copyUrlOf(settings);
  if (target === null) return null;
  const record = currentCopyCheck(settings, journal);
  const covered =
    record !== null &&
    record.from !== null &&
    record.to !== null &&
    record.from <= day &&
    day <= record.to &&
    newestManifestAt !== null &&
    Date.parse(newestManifestAt) <= Date.parse(record.at);
  return {
    target,
    mode: settings.archive.copy.mode,
    checked: covered
      ? {
          at: record.at,
          from: record.from,
          to: record.to,
          problems: record.problems.filter((p) => p.day === day).slice(0, 50),
          omitted: record.omitted,
        }
      : null,
  };
}

const counts = new Intl.NumberFormat('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${counts.format(n)} ${n === 1 ? one : many}`;

/** A finished copy check as its job shows it: the days checked, what passed, and what did not, by kind. */
export function copyCheckJobPatch(result: CopyCheckResult, primaryUrl: string): Partial<JobState> {
  const span = result.from && result.to ? `${result.from} to ${result.to}` : 'no archived day';
  const head = `The copy ${result.copy} (${result.mode} mode) against ${primaryUrl}, ${span}`;
  const n = result.objectsChecked;
  const byKind = (kind: CopyProblemKind) => result.problems.filter((p) => p.kind === kind).length;
  const wrong = [
    byKind('copy-missing') > 0 ? `${counts.format(byKind('copy-missing'))} missing` : '',
    byKind('copy-different') > 0 ? `${counts.format(byKind('copy-different'))} with other bytes` : '',
    byKind('copy-unlocked') > 0 ? `${counts.format(byKind('copy-unlocked'))} not locked as long as the primary` : '',
  ].filter(Boolean);
  const days = new Set(result.problems.map((p) => p.day ?? 'archive')).size;
  const summary = result.ok
    ? `${head}: matches. All ${plural(n, 'object')} the manifests vouch for are in the copy with the recorded SHA-256 (bytes hashed) and locked at least as long as in the primary.`
    : `${head}: DOES NOT MATCH. ${counts.format(n - result.problems.length)} of ${plural(n, 'object')} matched; ${wrong.join(', ')}, on ${plural(days, 'day')} (listed below).`;
  return {
    range: result.from && result.to ? { from: result.from, to: result.to } : null,
    problems: {
      total: result.problems.length,
      failing: result.problems.length,
      listed: result.problems.slice(0, JOB_LIST_LIMITS.problems),
    },
    summary: summary.slice(0, 1000),
  };
}
