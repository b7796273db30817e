/**
 * The job on the archive as it runs (overall and per-day progress, events, bytes, ETA, a writer it
 * waits for, a rate-limit pause) with Cancel; then how it ended, with the failed days and what
 * verify found; and a catch-up left unfinished, with Resume.
 */
import { useEffect, useState } from 'react';
import type { JobState } from '../../shared/archive-jobs';
import type { DayStatus } from '../../shared/day-status';
import type { VerifyProblem } from '../../shared/verify';
import { formatBytes, formatCount, formatDuration, formatInstant } from '../app/display-format';
import { findingDetail } from '../calendar/day-guidance';
import { useJobs } from './jobs-context';
import { knownFactsText, verifyOutcome, type VerifyOutcome } from './verify-outcome';
import './jobs.css';

function jobTitle(job: JobState): string {
  switch (job.kind) {
    case 'catch-up':
      return job.origin === 'daily-job' ? 'Daily archive run' : 'Catch-up';
    case 'verify':
      return job.range && job.range.from === job.range.to
        ? `Verifying ${job.range.from}`
        : `${job.full ? 'Full' : 'Fast'} verification`;
    case 'export-day':
      return `Exporting ${job.range?.from ?? ''}`;
    case 'reconcile-day':
      return `Reconciling ${job.range?.from ?? ''}`;
    case 'demo-archive':
      return 'Preparing the demo archive';
    case 'verify-copy':
      return 'Check of the second locked copy';
  }
}

export function JobPanel({
  showLast = true,
  calendar,
}: {
  showLast?: boolean;
  /** The calendar's days, when shown beside it: a verification's outcome is told against them. */
  calendar?: readonly DayStatus[] | undefined;
}) {
  const jobs = useJobs();
  const { current, last, interrupted, refusal } = jobs;
  // A catch-up just cancelled is the interrupted one: one box says so, with Resume in it.
  const cancelledHere = last?.kind === 'catch-up' && last.phase === 'cancelled' && interrupted !== null;
  return (
    <div className="job-area">
      {refusal && (
        <div className="banner banner-error job-refusal" role="alert">
          <p>
            <strong>Not started.</strong> {refusal.message}
          </p>
          <button type="button" className="link-button" onClick={jobs.dismissRefusal}>
            Dismiss
          </button>
        </div>
      )}
      {current && <RunningJob job={current} onCancel={() => void jobs.cancel()} />}
      {!current && interrupted && !(showLast && cancelledHere) && (
        <div className="banner banner-warning job-interrupted" role="status">
          <p>
            <strong>A catch-up stopped before its end</strong> (started {formatInstant(interrupted.startedAt)}):{' '}
            {formatCount(interrupted.done)} of {formatCount(interrupted.days)} days archived
            {interrupted.failed > 0 ? `, ${formatCount(interrupted.failed)} failed` : ''}. Resuming plans again from the
            archive, so nothing is written twice.
          </p>
          <button type="button" className="primary" onClick={() => void jobs.catchUp()}>
            Resume catch-up
          </button>
        </div>
      )}
      {!current && showLast && last && (
        <FinishedJob job={last} calendar={calendar} onResume={cancelledHere ? () => void jobs.catchUp() : undefined} />
      )}
    </div>
  );
}

/**
 * Milliseconds since this state of the job arrived, ticking every second: the elapsed time and the
 * estimate move between the engine's updates (which come when a day ends) instead of standing still.
 */
function useSinceArrival(job: JobState): number {
  const [arrived, setArrived] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setArrived(Date.now());
    setNow(Date.now());
  }, [job]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, now - arrived);
}

/** "about 38 s left", counting down from the engine's estimate; "finishing" once it has run out. */
function etaText(etaMs: number | null, since: number): string {
  if (etaMs === null) return '';
  const left = etaMs - since;
  return left > 1000 ? ` · about ${formatDuration(left)} left` : ' · finishing';
}

function RunningJob({ job, onCancel }: { job: JobState; onCancel: () => void }) {
  const since = useSinceArrival(job);
  const cancelling = job.phase === 'cancelling';
  const dayBased = job.kind !== 'verify' && job.kind !== 'verify-copy';
  const finished = job.days.done + job.days.failed;
  const verifyProgress = job.verify;
  return (
    <section className="job job-running" aria-labelledby="job-title" aria-busy="true">
      <header className="job-head">
        <h2 id="job-title">{jobTitle(job)}</h2>
        <button type="button" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </header>
      {job.phase === 'waiting-for-writer' && (
        <p className="job-waiting" role="status">
          Waiting for {job.waitingFor ?? 'another writer'} to finish writing the archive. One writer at a time keeps the
          manifest chain whole; this job starts as soon as it is done.
        </p>
      )}
      {job.rateLimitedUntil && (
        <p className="job-waiting" role="status">
          Genesys asked to slow down: no request goes out before {formatInstant(job.rateLimitedUntil)}.
        </p>
      )}
      {dayBased && job.days.total > 0 && (
        <>
          <progress
            className="job-progress"
            value={finished}
            max={job.days.total}
            aria-label={`${finished} of ${job.days.total} days`}
          />
          <p className="job-figures" role="status" aria-live="polite">
            <span className="job-days">
              {formatCount(finished)} of {formatCount(job.days.total)} days
            </span>{' '}
            · {formatCount(job.events)} events · {formatBytes(job.bytes)} · {formatDuration(job.elapsedMs + since)}{' '}
            elapsed
            <span className="job-eta">{etaText(job.etaMs, since)}</span>
            {job.days.failed > 0 ? ` · ${formatCount(job.days.failed)} failed` : ''}
          </p>
        </>
      )}
      {!dayBased && verifyProgress && (
        <>
          <progress
            className="job-progress"
            value={verifyProgress.done}
            max={Math.max(1, verifyProgress.total)}
            aria-label={verifyProgress.phase === 'listing' ? 'Reading the archive' : 'Checking objects'}
          />
          <p className="job-figures" role="status" aria-live="polite">
            {checkProgressText(job.kind, verifyProgress)} · {formatDuration(job.elapsedMs + since)} elapsed
          </p>
        </>
      )}
      {(job.phase === 'planning' || (dayBased && job.days.total === 0 && job.phase === 'running')) && (
        <p className="job-figures" role="status">
          {job.summary}
        </p>
      )}
      {job.inFlight.length > 0 && (
        <ul className="job-days-in-flight" aria-label="Days in progress">
          {job.inFlight.map((d) => (
            <li key={d.day}>
              <span className="job-day">{d.day}</span> {formatCount(d.events)} events, {formatBytes(d.bytes)}
            </li>
          ))}
        </ul>
      )}
      <FailureList job={job} />
    </section>
  );
}

/** What a verification or a copy check is doing now. */
function checkProgressText(kind: JobState['kind'], p: NonNullable<JobState['verify']>): string {
  if (kind === 'verify-copy')
    return p.phase === 'listing'
      ? 'Reading the primary’s manifests and listing the copy…'
      : `Checked ${formatCount(p.done)} of ${formatCount(p.total)} objects in the copy (bytes hashed, locks read)`;
  return p.phase === 'listing'
    ? 'Reading the archive (every key and version)…'
    : `Checked ${formatCount(p.done)} of ${formatCount(p.total)} locks and objects`;
}

function FinishedJob({
  job,
  calendar,
  onResume,
}: {
  job: JobState;
  calendar: readonly DayStatus[] | undefined;
  onResume: (() => void) | undefined;
}) {
  const outcome = calendar ? verifyOutcome(job, calendar) : null;
  if (outcome) return <VerifyOutcomeView job={job} outcome={outcome} />;
  // The demo's failed day fails on purpose; its fill is not an alarm.
  const demo = job.kind === 'demo-archive' && job.phase === 'done';
  const tone = demo
    ? 'banner-info'
    : job.phase === 'failed' || job.days.failed > 0 || (job.problems?.failing ?? 0) > 0
      ? 'banner-error'
      : job.phase === 'cancelled'
        ? 'banner-warning'
        : 'banner-info';
  return (
    <section className={`job job-finished banner ${tone}`} aria-labelledby="job-last-title">
      <h2 id="job-last-title" className="job-last-title">
        {jobTitle(job)}: {job.phase === 'done' ? 'finished' : job.phase}
        {job.finishedAt ? <span className="job-when"> · {formatInstant(job.finishedAt)}</span> : null}
      </h2>
      <p className="job-summary" role="status">
        {job.kind === 'verify-copy' && job.phase === 'done' && (
          <span aria-hidden="true">{(job.problems?.failing ?? 0) > 0 ? '✗ ' : '✓ '}</span>
        )}
        {job.summary}
      </p>
      {job.error && <p className="detail">{job.error.code}</p>}
      {onResume && (
        <p>
          Resuming plans again from the archive, so nothing is written twice.{' '}
          <button type="button" className="primary" onClick={onResume}>
            Resume catch-up
          </button>
        </p>
      )}
      {!demo && <FailureList job={job} />}
      {job.problems && job.problems.listed.length > 0 && (
        <>
          <h3 className="job-problems-title">
            {job.kind === 'verify-copy' ? 'What the copy check found' : 'What verify found'}{' '}
            <span className="hint">
              ({formatCount(job.problems.failing)} failing of {formatCount(job.problems.total)}
              {job.problems.total > job.problems.listed.length
                ? `; the first ${job.problems.listed.length} listed`
                : ''}
              )
            </span>
          </h3>
          <ProblemList problems={job.problems.listed} label="Verification problems" />
        </>
      )}
    </section>
  );
}

/** A verification told against the calendar: what passed, what is new, what was already known. */
function VerifyOutcomeView({ job, outcome }: { job: JobState; outcome: VerifyOutcome }) {
  return (
    <section
      className={`job job-finished banner ${outcome.alarm ? 'banner-error' : 'banner-info'}`}
      aria-labelledby="job-last-title"
    >
      <h2 id="job-last-title" className="job-last-title">
        {jobTitle(job)}: finished
        {job.finishedAt ? <span className="job-when"> · {formatInstant(job.finishedAt)}</span> : null}
      </h2>
      <p className="job-summary" role="status">
        <span aria-hidden="true">{outcome.alarm ? '✗ ' : '✓ '}</span>
        {outcome.headline}
      </p>
      {outcome.fresh.length > 0 && (
        <>
          <h3 className="job-problems-title">New problems</h3>
          <ProblemList problems={outcome.fresh} label="Verification problems" />
        </>
      )}
      {outcome.known.length > 0 && (
        <details className="job-known">
          <summary>{knownFactsText(outcome.known)}</summary>
          <ProblemList problems={outcome.known} label="Known, accepted" />
        </details>
      )}
    </section>
  );
}

function ProblemList({ problems, label }: { problems: readonly VerifyProblem[]; label: string }) {
  return (
    // It scrolls past 260 px: focusable, so a keyboard can scroll it (axe: scrollable-region-focusable).
    <ul className="verify-problems" aria-label={label} tabIndex={0}>
      {problems.map((p, i) => (
        <li key={`${p.day ?? 'archive'}-${p.kind}-${p.key ?? i}`} className={`verify-problem kind-${p.kind}`}>
          <span className="verify-day">{p.day ?? 'archive'}</span> <span className="verify-kind">{p.kind}</span>
          {p.key && <code className="verify-key">{p.key}</code>}
          <span className="verify-detail">{findingDetail(p.detail)}</span>
        </li>
      ))}
    </ul>
  );
}

function FailureList({ job }: { job: JobState }) {
  if (job.failures.length === 0) return null;
  return (
    <ul className="job-failures" aria-label="Failed days">
      {job.failures.map((f) => (
        <li key={f.day}>
          <span className="job-day">{f.day}</span> {f.code}: {f.message}
        </li>
      ))}
    </ul>
  );
}
