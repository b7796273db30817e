/**
 * The second locked copy on the calendar: "Check the copy" (verify --copy's check, run as a job),
 * its legend entry (the days the last check found wrong, and when it ran) and its part of the
 * problems list. Everything shown comes from the last check the app ran and says when that was:
 * it is a record of a check, not the copy as it is now.
 */
import type { CopyCheckSummary } from '../../shared/copy-check';
import type { Day } from '../../shared/day';
import type { DayStatus } from '../../shared/day-status';
import { formatInstant } from '../app/display-format';
import { useJobs } from '../jobs/jobs-context';
import { COPY_MEANING, copyProblemRanges, copyProblemRangeText, countCopyWrong, formatNumber } from './calendar-model';

/** The copy set in Settings (null: none). */
export type CalendarCopy = { readonly target: string; readonly mode: 'write' | 'check' } | null;

/** "Check the copy" over the verify form's days, or where to set a copy when none is. */
export function CopyCheckButton({
  copy,
  running,
  range,
}: {
  copy: CalendarCopy;
  running: boolean;
  range: { from?: Day; to?: Day };
}) {
  const jobs = useJobs();
  if (!copy)
    return (
      <p className="hint copy-none">
        No second locked copy is configured, so there is none to check: one can be set in{' '}
        <a href="#/settings">Settings</a> (Archive location, with the archive on S3).
      </p>
    );
  return (
    <button
      type="button"
      disabled={running}
      onClick={() => void jobs.checkCopy(range)}
      title={`Check every object of the days above (all days when empty) in ${copy.target}: there, with the recorded SHA-256 and locked as long as in the primary`}
    >
      Check the copy
    </button>
  );
}

/** When the last copy check ran, as every statement drawn from it says. */
export function copyCheckedText(check: CopyCheckSummary | null): string | undefined {
  return check ? formatInstant(check.at) : undefined;
}

/** The legend's entry for the copy: its mark, the days the last check found wrong, and when it ran. */
export function CopyLegendEntry({ days, check }: { days: readonly DayStatus[]; check: CopyCheckSummary | null }) {
  const when = check ? `checked ${formatInstant(check.at)}` : 'not checked yet';
  return (
    <li title={`${COPY_MEANING} (${when})`} data-mark="copy">
      <span className="swatch swatch-copy day-copy" aria-hidden="true" />
      <span className="legend-name">second copy wrong</span>{' '}
      <span className="legend-count">{check ? formatNumber(countCopyWrong(days)) : '–'}</span>{' '}
      <span className="legend-when">({when})</span>
    </li>
  );
}

/** The problems list's part on the copy: each range of days the last check found wrong, and when it ran. */
export function CopyProblems({ days, check }: { days: readonly DayStatus[]; check: CopyCheckSummary | null }) {
  if (!check) return null;
  const ranges = copyProblemRanges(days);
  const span = check.from && check.to ? `${check.from} to ${check.to}` : 'no archived day';
  return (
    <div className="copy-problems">
      <h3>Second locked copy</h3>
      <p className="hint">
        As the last copy check found it ({formatInstant(check.at)}, {span}, {formatNumber(check.objectsChecked)}{' '}
        objects):{' '}
        {ranges.length === 0
          ? check.problems === 0
            ? 'every object matched.'
            : `${formatNumber(check.problems)} finding(s) not on a shown day (the archive's root object, or older days): check the copy again for the list.`
          : 'open a day for what is wrong and what to do. The primary is unchanged.'}
      </p>
      {ranges.length > 0 && (
        <ul className="problem-list">
          {ranges.map((r) => (
            <li key={r.to} className="problem problem-copy">
              <span className="swatch swatch-copy day-copy" aria-hidden="true" />
              <span className="problem-text">{copyProblemRangeText(r)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
