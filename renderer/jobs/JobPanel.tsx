/**
 * The job on the archive as it runs (overall and per-day progress, events, bytes, ETA, a writer it
 * waits for, a rate-limit pause) with Cancel; then how it ended, with the failed days and what
 * verify found; and a catch-up left unfinished, with Resume.
 */
import type { JobState } from '../../shared/archive-jobs';
import { formatBytes, formatCount, formatDuration, formatInstant } from '../app/display-format';
import { useJobs } from './jobs-context';
import './jobs.css';

export function jobTitle(job: JobState): string {
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
  }
}

export function JobPanel({ showLast = true }: { showLast?: boolean }) {
  const jobs = useJobs();
  const { current, last, interrupted, refusal } = jobs;
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
      {!current && interrupted && (
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
      {!current && showLast && last && <FinishedJob job={last} />}
    </div>
  );
}

function RunningJob({ job, onCancel }: { job: JobState; onCancel: () => void }) {
  const cancelling = job.phase === 'cancelling';
  const dayBased = job.kind !== 'verify';
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
            · {formatCount(job.events)} events · {formatBytes(job.bytes)} · {formatDuration(job.elapsedMs)} elapsed
            {job.etaMs !== null ? ` · about ${formatDuration(job.etaMs)} left` : ''}
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
            {verifyProgress.phase === 'listing'
              ? 'Reading the archive (every key and version)…'
              : `Checked ${formatCount(verifyProgress.done)} of ${formatCount(verifyProgress.total)} locks and objects`}{' '}
            · {formatDuration(job.elapsedMs)} elapsed
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

function FinishedJob({ job }: { job: JobState }) {
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
        {job.summary}
      </p>
      {job.error && <p className="detail">{job.error.code}</p>}
      {!demo && <FailureList job={job} />}
      {job.problems && job.problems.listed.length > 0 && (
        <>
          <h3 className="job-problems-title">
            What verify found{' '}
            <span className="hint">
              ({formatCount(job.problems.failing)} failing of {formatCount(job.problems.total)}
              {job.problems.total > job.problems.listed.length
                ? `; the first ${job.problems.listed.length} listed`
                : ''}
              )
            </span>
          </h3>
          <ul className="verify-problems" aria-label="Verification problems">
            {job.problems.listed.map((p, i) => (
              <li key={`${p.day ?? 'archive'}-${p.kind}-${p.key ?? i}`} className={`verify-problem kind-${p.kind}`}>
                <span className="verify-day">{p.day ?? 'archive'}</span> <span className="verify-kind">{p.kind}</span>
                {p.key && <code className="verify-key">{p.key}</code>}
                <span className="verify-detail">{p.detail}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
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
