/**
 * One day's evidence, beside the calendar: its state, each manifest and the objects it recorded
 * (key, version id, size, SHA-256, lock mode, retain-until), event count, first and last event,
 * where the events came from, the matters holding it under a legal hold, what happened to the day,
 * the last verification, and what can be done now (export or retry, reconcile, verify this day).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Day } from '../../shared/day';
import type { DayDetails } from '../../shared/day-details';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import { formatBytes, formatCount, formatInstant } from '../app/display-format';
import { Breakable, Token } from '../app/Token';
import { reportsRouteFor } from '../app/routes';
import { useJobs, type Jobs } from '../jobs/jobs-context';
import { STATE_LABELS } from './calendar-model';
import { dayGuidance, findingDetail, type DayGuidance } from './day-guidance';
import { DayCopyPart } from './DayCopy';
import { HoldNote, PlaceHoldLauncher, ReleaseHold } from './HoldForms';

type DayManifest = DayDetails['manifests'][number];

export function DayPanel({
  bridge,
  day,
  retentionDays,
  onClose,
}: {
  bridge: Bridge;
  day: Day;
  /** Days Genesys keeps audit events (until when a failed day can still be archived). */
  retentionDays: number;
  onClose: () => void;
}) {
  const jobs = useJobs();
  const { details, error } = useDayDetails(bridge, day, jobs.archiveVersion);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeButton.current?.focus();
  }, [day]);

  const shown = details && details.status.day === day ? details : null;
  return (
    <div
      className="day-panel"
      role="dialog"
      aria-modal="false"
      aria-labelledby="day-panel-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="day-panel-head">
        <h2 id="day-panel-title">
          {day} <span className="hint">UTC</span>
        </h2>
        <button type="button" ref={closeButton} onClick={onClose} aria-label={`Close ${day}`}>
          Close
        </button>
      </header>
      {error && (
        <p className="banner banner-error" role="alert">
          {error.message}
        </p>
      )}
      {!shown && !error && <p aria-busy="true">Reading the day…</p>}
      {shown && <DayEvidence bridge={bridge} details={shown} jobs={jobs} retentionDays={retentionDays} />}
    </div>
  );
}

/** The day's details, read again whenever a job changed the archive. */
function useDayDetails(bridge: Bridge, day: Day, archiveVersion: number) {
  const [details, setDetails] = useState<DayDetails | null>(null);
  const [error, setError] = useState<ResultError | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    void bridge.archiveDay({ day }).then((r) => {
      if (!live) return;
      if (r.ok) setDetails(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [bridge, day, archiveVersion]);
  return { details, error };
}

function DayEvidence({
  bridge,
  details,
  jobs,
  retentionDays,
}: {
  bridge: Bridge;
  details: DayDetails;
  jobs: Jobs;
  retentionDays: number;
}) {
  const { status } = details;
  const guidance = dayGuidance(details, retentionDays);
  // A release's outcome outlives the matter it removes from the list.
  const [released, setReleased] = useState<readonly string[] | null>(null);
  return (
    <>
      <p className={`day-state state-${status.state}`}>
        <span className={`swatch day-${status.state}`} aria-hidden="true" />
        <strong>{STATE_LABELS[status.state]}</strong>
        {status.events !== undefined && <> · {formatCount(status.events)} events</>}
      </p>
      {status.error && <p className="day-error">{findingDetail(status.error)}</p>}
      {guidance && <GuidanceView guidance={guidance} />}
      <DayHolds
        holds={details.holds}
        release={(matter) => <ReleaseHold bridge={bridge} matter={matter} onReleased={setReleased} />}
      />
      <HoldNote lines={released} />
      <PlaceHoldLauncher bridge={bridge} day={status.day} />
      <DayCopyPart copy={details.copy} archived={details.manifests.length > 0} />
      <DayActions details={details} jobs={jobs} />
      <section aria-labelledby="day-manifests-title">
        <h3 id="day-manifests-title">Manifests</h3>
        {details.manifests.length === 0 ? (
          <p className="hint">No manifest: this day is not in the archive.</p>
        ) : (
          details.manifests.map((m) => <ManifestView key={m.key} manifest={m} />)
        )}
      </section>
      <DayProblems problems={details.problems} />
      <LastVerification last={details.lastVerification} />
      <DayHistory history={details.history} />
    </>
  );
}

/** The matters holding the day under a legal hold: each period's matter, reference, who placed it, when and why. */
function DayHolds({ holds, release }: { holds: DayDetails['holds']; release: (matter: string) => ReactNode }) {
  if (holds.length === 0) return null;
  return (
    <section className="day-holds" aria-labelledby="day-holds-title">
      <h3 id="day-holds-title">
        <span className="swatch swatch-held day-held" aria-hidden="true" /> Under legal hold
      </h3>
      <p className="hint">
        Kept past its retention until every matter below is released ("Release…" under the matter, or audit-archive hold
        release --matter NAME).
      </p>
      {holds.map((h) => (
        <article key={`${h.matter}-${h.placedAt}`} className="hold" aria-label={`Legal hold: ${h.matter}`}>
          <dl className="facts">
            <dt>Matter</dt>
            <dd>{h.matter}</dd>
            <dt>Reference</dt>
            <dd>{h.reference || 'none given'}</dd>
            <dt>Placed by</dt>
            <dd>{h.by}</dd>
            <dt>Placed</dt>
            <dd>{formatInstant(h.placedAt)}</dd>
            <dt>Period</dt>
            <dd>
              {h.from} to {h.to}
            </dd>
            <dt>Reason</dt>
            <dd>{h.reason || 'none given'}</dd>
          </dl>
          {release(h.matter)}
        </article>
      ))}
    </section>
  );
}

/** What happened to the day, what it means for the evidence, and the next steps, in plain words. */
function GuidanceView({ guidance }: { guidance: DayGuidance }) {
  return (
    <section className={`day-guidance guidance-${guidance.tone}`} aria-labelledby="day-guidance-title">
      <h3 id="day-guidance-title">{guidance.title}</h3>
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
    </section>
  );
}

/** What can be done with the day now; nothing while another job runs on the archive. */
function DayActions({ details, jobs }: { details: DayDetails; jobs: Jobs }) {
  const day = details.status.day;
  const busy = jobs.current !== null;
  return (
    <div className="actions day-actions">
      {details.actions.export && (
        <button type="button" className="primary" disabled={busy} onClick={() => void jobs.exportDay(day, false)}>
          {details.status.state === 'failed' ? 'Retry export' : 'Export this day'}
        </button>
      )}
      {details.actions.reconcile && (
        <button type="button" disabled={busy} onClick={() => void jobs.exportDay(day, true)}>
          Reconcile (add late events)
        </button>
      )}
      {details.actions.verify && (
        <button type="button" disabled={busy} onClick={() => void jobs.verify({ from: day, to: day, full: true })}>
          Verify this day
        </button>
      )}
      {details.status.state === 'tampered' && (
        <a className="button-link" href={reportsRouteFor({ from: day, to: day })}>
          Export this day&apos;s report
        </a>
      )}
    </div>
  );
}

function ManifestView({ manifest: m }: { manifest: DayManifest }) {
  return (
    <article className="manifest" aria-label={`Manifest ${m.sequence}`}>
      <dl className="facts">
        <dt>Manifest</dt>
        <dd>
          {m.sequence} ({m.kind}), written {formatInstant(m.createdAt)}
        </dd>
        <dt>Events</dt>
        <dd>
          {formatCount(m.events)} in this run, {formatCount(m.dayEventsTotal)} in the day
          {m.duplicatesDropped > 0 ? `, ${formatCount(m.duplicatesDropped)} duplicates dropped` : ''}
        </dd>
        <dt>First event</dt>
        <dd>{m.firstEventDate ?? 'none (an empty day)'}</dd>
        <dt>Last event</dt>
        <dd>{m.lastEventDate ?? 'none'}</dd>
        <dt>Source</dt>
        <dd>
          {m.source.organisationName ?? m.source.organisationId ?? m.source.apiHost}
          {m.source.organisationId ? ` (${m.source.organisationId})` : ''} at {m.source.apiHost}
          {m.source.demo ? ' · the demo organisation (simulated)' : ''}
        </dd>
        <dt>Key</dt>
        <dd>
          <Token value={m.key} what={`key of manifest ${m.sequence}`} />
        </dd>
        <dt>Version id</dt>
        <dd>
          {m.versionId ? (
            <Token value={m.versionId} what={`version id of manifest ${m.sequence}`} className="version-id" />
          ) : (
            <code className="version-id">none (a local folder has no versions)</code>
          )}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <Token value={m.sha256} what={`SHA-256 of manifest ${m.sequence}`} className="hash" />
        </dd>
      </dl>
      <ManifestObjects manifest={m} />
      {m.objectsTotal > m.objects.length && (
        <p className="hint">
          {formatCount(m.objectsTotal - m.objects.length)} more objects are recorded in this manifest.
        </p>
      )}
    </article>
  );
}

function ManifestObjects({ manifest: m }: { manifest: DayManifest }) {
  return (
    <table className="objects" aria-label={`Objects of manifest ${m.sequence}`}>
      <thead>
        <tr>
          <th scope="col">Object</th>
          <th scope="col">Version id</th>
          <th scope="col">Size</th>
          <th scope="col">SHA-256</th>
          <th scope="col">Events</th>
          <th scope="col">Lock</th>
          <th scope="col">Retain until</th>
        </tr>
      </thead>
      <tbody>
        {m.objects.map((o) => (
          <tr key={o.key}>
            <td>
              <code>
                <Breakable text={o.key} />
              </code>
            </td>
            <td>
              {o.versionId ? (
                <Token value={o.versionId} what={`version id of ${o.key}`} className="version-id" />
              ) : (
                <code className="version-id">none (a local folder has no versions)</code>
              )}
            </td>
            <td className="size">{formatBytes(o.size)}</td>
            <td>
              <Token value={o.sha256} what={`SHA-256 of ${o.key}`} className="hash" />
            </td>
            <td className="count">{formatCount(o.events)}</td>
            <td className="lock-mode">{o.lockMode ?? 'none (not WORM)'}</td>
            <td className="retain-until">{o.retainUntil ? formatInstant(o.retainUntil) : 'none'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DayProblems({ problems }: { problems: DayDetails['problems'] }) {
  if (problems.length === 0) return null;
  return (
    <section aria-labelledby="day-problems-title">
      <h3 id="day-problems-title">Problems</h3>
      <ul className="verify-problems">
        {problems.map((p, i) => (
          <li key={`${p.kind}-${p.key ?? i}`} className={`verify-problem kind-${p.kind}`}>
            <span className="verify-kind">{p.kind}</span>
            {p.key && <code className="verify-key">{p.key}</code>}
            <span className="verify-detail">{findingDetail(p.detail)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LastVerification({ last }: { last: DayDetails['lastVerification'] }) {
  return (
    <section aria-labelledby="day-verified-title">
      <h3 id="day-verified-title">Last verification</h3>
      <p>
        {last
          ? `${formatInstant(last.at)}: ${
              last.problems === 0 ? 'no problem found on this day' : `${last.problems} problem(s) on this day`
            }.`
          : 'Not covered by the last verification. Verify this day, or the archive, to prove it unaltered.'}
      </p>
    </section>
  );
}

function DayHistory({ history }: { history: DayDetails['history'] }) {
  return (
    <section aria-labelledby="day-history-title">
      <h3 id="day-history-title">History</h3>
      {history.length === 0 ? (
        <p className="hint">Nothing has happened to this day yet.</p>
      ) : (
        <ul className="day-history">
          {history.map((h, i) => (
            <li key={`${h.at}-${i}`} className={`history-${h.what}`}>
              <span className="history-when">{formatInstant(h.at)}</span> {h.detail}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
