/**
 * Reports: what the officer hands the examiner. Start from a Discovery result ("Add to report") or
 * a saved query, fill in the request, preview the first pages, generate the report (PDF, CSV,
 * NDJSON, evidence, bundle) with progress, open its folder, and see past reports with their bundle
 * hashes, each re-checkable with one click.
 *
 * The preview is an HTML view of the same report model the PDF is drawn from (cover, verdict,
 * results, summary, first events): the renderer's CSP forbids embedding a PDF (object/embed), and
 * a view of the model needs no PDF renderer in the page.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ResultMetadata } from '../../shared/discovery/result-metadata';
import type { Bridge } from '../../shared/ipc/bridge';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { describeChange } from '../../shared/reports/event-row';
import { count, organisationText, populationStatement } from '../../shared/reports/report-words';
import type { ResultError } from '../../shared/result';
import { defaultRange, formatCount, resultSummary, TYPE_LABELS } from '../discovery/discovery-model';
import { reportHandoff } from '../discovery/report-handoff';
import './reports.css';

type Library = ResponseOf<'discovery:library'>;
type Preview = ResponseOf<'reports:preview'>;
type JobStatus = ResponseOf<'reports:status'>;
type Receipt = ResponseOf<'reports:list'>['reports'][number];
type Check = ResponseOf<'reports:check'>;
type Spec = RequestOf<'reports:preview'>;

const POLL_MS = 300;

interface RequestFields {
  reference: string;
  requester: string;
  recipient: string;
  dueDate: string;
  question: string;
  preparedBy: string;
  timeZone: string;
}

export function ReportsPage({ bridge }: { bridge: Bridge }) {
  const handoff = useMemo(() => reportHandoff(), []);
  const initial = useMemo(() => handoff?.range ?? defaultRange(Date.now()), [handoff]);
  const [library, setLibrary] = useState<Library | null>(null);
  const [source, setSource] = useState<'result' | 'saved'>(handoff ? 'result' : 'saved');
  const [savedId, setSavedId] = useState('');
  const [savedParams, setSavedParams] = useState<Record<string, string>>({});
  const [fields, setFields] = useState<RequestFields>({
    reference: '',
    requester: '',
    recipient: '',
    dueDate: '',
    question: '',
    preparedBy: '',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
  const [period, setPeriod] = useState({ from: initial.from, to: initial.to });
  const [archiveCopy, setArchiveCopy] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<ResultError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<JobStatus | null>(null);
  const [reports, setReports] = useState<{ folder: string; reports: Receipt[] } | null>(null);
  const [checks, setChecks] = useState<Record<string, Check | 'checking' | ResultError>>({});
  const [folderNotice, setFolderNotice] = useState<string | null>(null);

  const loadReports = useCallback(async () => {
    const r = await bridge.reportsList({});
    if (r.ok) setReports(r.value);
    else setError(r.error);
  }, [bridge]);

  useEffect(() => {
    void (async () => {
      const r = await bridge.discoveryLibrary({});
      if (!r.ok) return setError(r.error);
      setLibrary(r.value);
      setSavedId((id) => id || r.value.queries[0]?.id || '');
    })();
    void loadReports();
  }, [bridge, loadReports]);

  // Poll the generation until it ends, then refresh the list.
  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      const r = await bridge.reportsStatus({ jobId });
      if (stopped) return;
      if (!r.ok) return setError(r.error);
      setJob(r.value);
      if (r.value.state === 'running') timer = setTimeout(tick, POLL_MS);
      else void loadReports();
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [bridge, jobId, loadReports]);

  const saved = library?.queries.find((q) => q.id === savedId) ?? null;

  function spec(): Spec | null {
    if (!fields.reference.trim()) {
      setError({ code: 'INVALID_REQUEST', message: 'Give the request reference (as the examiner wrote it) first.' });
      return null;
    }
    const request = {
      reference: fields.reference,
      requester: fields.requester,
      recipient: fields.recipient,
      dueDate: fields.dueDate || null,
      question: fields.question,
      preparedBy: fields.preparedBy,
      timeZone: fields.timeZone,
    };
    if (source === 'result' && handoff) return { request, period, sources: [{ kind: 'result', metadata: handoff }] };
    if (!saved) {
      setError({ code: 'INVALID_REQUEST', message: 'Choose the query the report cites.' });
      return null;
    }
    return {
      request,
      period,
      sources: [{ kind: 'query', query: { kind: 'saved', id: saved.id, parameters: savedParams, range: period } }],
    };
  }

  async function runPreview() {
    const s = spec();
    if (!s) return;
    setError(null);
    setPreviewing(true);
    const r = await bridge.reportsPreview(s);
    setPreviewing(false);
    if (r.ok) setPreview(r.value);
    else setError(r.error);
  }

  async function generate() {
    const s = spec();
    if (!s) return;
    setError(null);
    setJob(null);
    const r = await bridge.reportsGenerate({ ...s, archiveCopy });
    if (r.ok) setJobId(r.value.jobId);
    else setError(r.error);
  }

  async function recheck(reportId: string) {
    setChecks((c) => ({ ...c, [reportId]: 'checking' }));
    const r = await bridge.reportsCheck({ reportId });
    setChecks((c) => ({ ...c, [reportId]: r.ok ? r.value : r.error }));
  }

  async function openFolder(reportId: string) {
    const r = await bridge.reportsOpenFolder({ reportId });
    if (!r.ok) return setError(r.error);
    setFolderNotice(
      r.value.opened ? `Opened ${r.value.path} in the file manager.` : `The report's folder: ${r.value.path}`,
    );
  }

  const running = job?.state === 'running' || (jobId !== null && job === null);
  const receipt = job?.state === 'succeeded' ? job.receipt : null;
  const set = (key: keyof RequestFields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [key]: e.target.value }));

  return (
    <section className="reports" aria-labelledby="reports-title">
      <header>
        <h2 id="reports-title">Answer a request</h2>
        <p className="hint">
          A report cites a Discovery result or a saved query, runs it again at report time, verifies the archive over
          the period, and holds every event exactly as archived: a PDF for people, CSV and NDJSON for machines, and the
          evidence, in a bundle with SHA256SUMS.
        </p>
      </header>

      <div className="report-form">
        <fieldset>
          <legend>What the report cites</legend>
          {handoff && (
            <label className="choice">
              <input type="radio" name="source" checked={source === 'result'} onChange={() => setSource('result')} />{' '}
              The result from Discovery
              <span className="hint">{describeHandoff(handoff)}</span>
            </label>
          )}
          <label className="choice">
            <input type="radio" name="source" checked={source === 'saved'} onChange={() => setSource('saved')} /> A
            saved or starter query, run over the period
          </label>
          {source === 'saved' && (
            <div className="saved-source">
              <label>
                Query{' '}
                <select
                  value={savedId}
                  onChange={(e) => {
                    setSavedId(e.target.value);
                    setSavedParams({});
                  }}
                >
                  {library?.queries.map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.name}
                      {q.builtIn ? ' (starter)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              {saved?.parameters.map((p) => (
                <label key={p.name}>
                  {p.label} <span className="hint">({TYPE_LABELS[p.type]})</span>{' '}
                  <input
                    type="text"
                    value={savedParams[p.name] ?? ''}
                    onChange={(e) => setSavedParams((all) => ({ ...all, [p.name]: e.target.value }))}
                  />
                </label>
              ))}
            </div>
          )}
        </fieldset>

        <fieldset>
          <legend>The request</legend>
          <label>
            Request reference <input type="text" required value={fields.reference} onChange={set('reference')} />
          </label>
          <label>
            Requested by <input type="text" value={fields.requester} onChange={set('requester')} />
          </label>
          <label>
            Regulator or auditor <input type="text" value={fields.recipient} onChange={set('recipient')} />
          </label>
          <label>
            Due date <input type="date" value={fields.dueDate} onChange={set('dueDate')} />
          </label>
          <label className="wide">
            The question <textarea rows={3} value={fields.question} onChange={set('question')} />
          </label>
          <label>
            Prepared by <input type="text" value={fields.preparedBy} onChange={set('preparedBy')} />
          </label>
          <label>
            Time zone <input type="text" value={fields.timeZone} onChange={set('timeZone')} />
          </label>
        </fieldset>

        <fieldset>
          <legend>Period (UTC days)</legend>
          <label>
            From{' '}
            <input
              type="date"
              value={period.from}
              onChange={(e) => setPeriod((p) => ({ ...p, from: e.target.value }))}
            />
          </label>
          <label>
            To{' '}
            <input type="date" value={period.to} onChange={(e) => setPeriod((p) => ({ ...p, to: e.target.value }))} />
          </label>
          <label className="choice">
            <input type="checkbox" checked={archiveCopy} onChange={(e) => setArchiveCopy(e.target.checked)} /> Keep a
            copy in the archive (locked like the events, with a record signed by the archive's key)
          </label>
        </fieldset>

        <div className="actions">
          <button type="button" onClick={() => void runPreview()} disabled={previewing || running}>
            {previewing ? 'Preparing the preview…' : 'Preview'}
          </button>
          <button type="button" className="primary" onClick={() => void generate()} disabled={running}>
            Generate report
          </button>
        </div>
      </div>

      {error && (
        <p className="banner banner-error" role="alert">
          {error.message} <span className="detail">[{error.code}]</span>
        </p>
      )}

      {running && (
        <div className="report-progress" role="status" aria-busy="true">
          <progress
            max={job?.progress?.total ?? 1}
            value={job?.progress?.total ? (job.progress.done ?? 0) : undefined}
            aria-label="Report progress"
          />
          <span>{job?.progress?.message ?? 'Starting…'}</span>
        </div>
      )}
      {job?.state === 'failed' && job.error && (
        <p className="banner banner-error" role="alert">
          The report was not written: {job.error.message} <span className="detail">[{job.error.code}]</span>
        </p>
      )}
      {receipt && (
        <div className={`report-outcome ${receipt.verified ? 'ok' : 'failed'}`} role="status">
          <p>
            <strong>Report {receipt.reportId} written</strong>: {formatCount(receipt.events)} events,{' '}
            {formatCount(receipt.pages)} pages.
          </p>
          <p>{receipt.headline}</p>
          <dl>
            <dt>PDF</dt>
            <dd className="path">{receipt.pdf}</dd>
            <dt>Bundle</dt>
            <dd className="path">{receipt.bundle}</dd>
            <dt>Bundle SHA-256</dt>
            <dd className="hash">{receipt.bundleSha256}</dd>
            {receipt.archiveCopy && (
              <>
                <dt>Kept in the archive</dt>
                <dd className="path">{receipt.archiveCopy.bundleKey}</dd>
              </>
            )}
            {receipt.archiveCopyError && (
              <>
                <dt>Archive copy</dt>
                <dd>not written: {receipt.archiveCopyError}</dd>
              </>
            )}
          </dl>
          <button type="button" onClick={() => void openFolder(receipt.reportId)}>
            Open folder
          </button>
        </div>
      )}
      {folderNotice && (
        <p className="banner banner-info" role="status">
          {folderNotice}
        </p>
      )}

      {preview && <PreviewView preview={preview} />}

      <PastReports
        reports={reports}
        checks={checks}
        onCheck={(id) => void recheck(id)}
        onOpen={(id) => void openFolder(id)}
      />
    </section>
  );
}

function describeHandoff(m: ResultMetadata): string {
  const name = m.query.savedQuery?.name ?? (m.query.kind === 'structured' ? 'a form query' : 'an SQL query');
  return `${name}: ${resultSummary(m)}`;
}

/** The first pages of the report, as HTML: the same model (evidence, summary, first events) the PDF draws. */
function PreviewView({ preview }: { preview: Preview }) {
  const e = preview.evidence;
  const r = e.request;
  return (
    <section className="report-preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview: first pages</h2>
      <p className="hint">
        An HTML view of the same report model the PDF is drawn from (the app does not embed PDFs). Verification here is
        the standard check; generating the report hashes every object of the period.
      </p>
      <article className="preview-page" aria-label="Cover">
        <p className="page-head">
          Audit response report · Ref. {r.reference} <span>{e.reportId} · Page 1</span>
        </p>
        <h3 className="preview-title">Audit response report</h3>
        <p className="preview-subtitle">
          Request {r.reference}
          {r.recipient ? ` · ${r.recipient}` : ''}
        </p>
        <div className={`verdict ${e.verdict.ok ? 'ok' : 'failed'}`}>
          <p>
            <strong>{e.verdict.headline}</strong>
          </p>
          {e.verdict.findings.length > 0 && (
            <ul>
              {e.verdict.findings.slice(0, 8).map((f, i) => (
                <li key={i}>{f}</li>
              ))}
            </ul>
          )}
        </div>
        <dl className="cover-facts">
          <dt>Request reference</dt>
          <dd>{r.reference}</dd>
          {r.requester && (
            <>
              <dt>Requested by</dt>
              <dd>{r.requester}</dd>
            </>
          )}
          {r.question && (
            <>
              <dt>The question</dt>
              <dd>{r.question}</dd>
            </>
          )}
          <dt>Organisation</dt>
          <dd>{organisationText(e)}</dd>
          <dt>Period (UTC days)</dt>
          <dd>
            {e.period.from} to {e.period.to}
          </dd>
          <dt>Events in this report</dt>
          <dd>{count(e.events.count, 'event')}</dd>
          <dt>Population</dt>
          <dd>{populationStatement(e)}</dd>
          <dt>Signing key fingerprint</dt>
          <dd className="hash">{e.archive.keyFingerprint ?? 'none'}</dd>
        </dl>
      </article>
      <article className="preview-page" aria-label="Summary">
        <h3>Summary</h3>
        <div className="preview-counts">
          {(
            [
              ['By action', preview.summary.byAction],
              ['By user', preview.summary.byUser],
              ['By entity type', preview.summary.byEntityType],
            ] as const
          ).map(([title, counts]) => (
            <table key={title}>
              <caption>{title}</caption>
              <tbody>
                {counts.slice(0, 10).map((c) => (
                  <tr key={c.label}>
                    <td>{c.label}</td>
                    <td className="num">{formatCount(c.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
      </article>
      <article className="preview-page" aria-label="First events">
        <h3>The events ({formatCount(e.events.count)})</h3>
        <table className="preview-events">
          <thead>
            <tr>
              <th>Event</th>
              <th>Time (UTC / {r.timeZone})</th>
              <th>User</th>
              <th>Action</th>
              <th>Entity</th>
              <th>Property changes (old → new)</th>
            </tr>
          </thead>
          <tbody>
            {preview.firstEvents.map((ev) => (
              <tr key={ev.n}>
                <td>
                  #{ev.n}
                  <div className="hash">{ev.id}</div>
                </td>
                <td>
                  {ev.timeUtc}
                  <div className="hint">{ev.timeLocal}</div>
                </td>
                <td>{ev.userName || ev.userId || '(system)'}</td>
                <td>
                  <strong>{ev.action}</strong>
                  <div className="hint">{ev.service}</div>
                </td>
                <td>
                  <div className="hint">{ev.entityType}</div>
                  {ev.entityName || ev.entityId}
                </td>
                <td>
                  {ev.changes.length === 0 ? (
                    <span className="hint">(no property changes recorded)</span>
                  ) : (
                    ev.changes.map((c, i) => <div key={i}>{describeChange(c)}</div>)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {e.events.count > preview.firstEvents.length && (
          <p className="hint">
            … and {formatCount(e.events.count - preview.firstEvents.length)} more events in the report.
          </p>
        )}
      </article>
    </section>
  );
}

function PastReports({
  reports,
  checks,
  onCheck,
  onOpen,
}: {
  reports: { folder: string; reports: Receipt[] } | null;
  checks: Record<string, Check | 'checking' | ResultError>;
  onCheck: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  if (!reports) return null;
  return (
    <section className="past-reports" aria-labelledby="past-title">
      <h2 id="past-title">Past reports</h2>
      <p className="hint">In {reports.folder}.</p>
      {reports.reports.length === 0 ? (
        <p className="hint">None yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Report</th>
              <th>Request</th>
              <th>Generated (UTC)</th>
              <th>Events</th>
              <th>Verification</th>
              <th>Bundle SHA-256</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reports.reports.map((r) => {
              const check = checks[r.reportId];
              return (
                <tr key={r.reportId} data-report={r.reportId}>
                  <td>{r.reportId}</td>
                  <td>{r.reference}</td>
                  <td>{r.generatedAt.replace('T', ' ').slice(0, 19)}</td>
                  <td className="num">{formatCount(r.events)}</td>
                  <td className={r.verified ? 'ok' : 'failed'}>{r.verified ? 'verified' : 'FAILED'}</td>
                  <td className="hash">{r.bundleSha256}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => onCheck(r.reportId)} aria-label={`Re-check ${r.reportId}`}>
                      Re-check
                    </button>
                    <button
                      type="button"
                      onClick={() => onOpen(r.reportId)}
                      aria-label={`Open the folder of ${r.reportId}`}
                    >
                      Open folder
                    </button>
                    {check && <CheckResult check={check} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CheckResult({ check }: { check: Check | 'checking' | ResultError }) {
  if (check === 'checking') return <p className="check">Checking…</p>;
  if ('code' in check)
    return (
      <p className="check failed" role="alert">
        {check.message}
      </p>
    );
  return (
    <div className={`check ${check.ok ? 'ok' : 'failed'}`} role="status">
      <strong>{check.ok ? 'Intact' : 'CHANGED'}</strong>
      <ul>
        {check.checks.map((c) => (
          <li key={c.what} className={c.ok ? 'ok' : 'failed'}>
            {c.what}: {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
