/**
 * The day panel's part on the second locked copy: what the app's last copy check found for this
 * day (and when it ran), and when it found something wrong, what that means and what to do
 * (day-guidance.ts `copyGuidance`). A day the last check did not cover is said to be unchecked.
 */
import type { DayCopy } from '../../shared/copy-check';
import { formatInstant } from '../app/display-format';
import { copyGuidance, findingDetail, type DayGuidance } from './day-guidance';

export function DayCopyPart({ copy, archived }: { copy: DayCopy | null | undefined; archived: boolean }) {
  if (!copy || !archived) return null;
  const checked = copy.checked;
  const when = checked ? formatInstant(checked.at) : null;
  const guidance = checked && when ? copyGuidance(copy, when) : null;
  return (
    <section className="day-copy-part" aria-labelledby="day-copy-title">
      <h3 id="day-copy-title">
        {guidance && <span className="swatch swatch-copy day-copy" aria-hidden="true" />} Second locked copy
      </h3>
      {!guidance && <p className="copy-state">{copyStateText(copy, when)}</p>}
      {guidance && <CopyGuidanceView guidance={guidance} />}
      {checked && checked.problems.length > 0 && (
        <ul className="verify-problems" aria-label="Copy findings">
          {checked.problems.map((p, i) => (
            <li key={`${p.kind}-${p.key ?? i}`} className={`verify-problem kind-${p.kind}`}>
              <span className="verify-kind">{p.kind}</span>
              {p.key && <code className="verify-key">{p.key}</code>}
              <span className="verify-detail">{findingDetail(p.detail)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The copy's state for a day with no finding: checked and matched (and when), or not checked. */
function copyStateText(copy: DayCopy, when: string | null): string {
  if (!copy.checked || !when)
    return `No copy check covers this day as archived now (none has run yet, its days did not include it, or the day was archived or reconciled after it): "Check the copy" on the calendar checks its objects in ${copy.target}, their SHA-256 and their locks.`;
  if (copy.checked.omitted > 0)
    return `The copy check of ${when} kept no finding for this day, but it found more than the app keeps (${copy.checked.omitted} not kept): check the copy again over this day to know.`;
  return `The copy check of ${when} found every object of this day in ${copy.target} with the SHA-256 the primary's manifest records (bytes hashed) and locked at least as long as in the primary.`;
}

function CopyGuidanceView({ guidance }: { guidance: DayGuidance }) {
  return (
    <div className={`day-guidance guidance-${guidance.tone}`}>
      <p className="copy-guidance-title">
        <strong>{guidance.title}</strong>
      </p>
      <dl className="guidance-facts">
        <dt>What happened</dt>
        <dd>{guidance.happened}</dd>
        <dt>What it means for the evidence</dt>
        <dd>{guidance.meaning}</dd>
      </dl>
      <h4>What to do next</h4>
      <ol className="guidance-steps">
        {guidance.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </div>
  );
}
