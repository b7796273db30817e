/**
 * Reports: what the officer hands the examiner. Start from a Discovery result ("Add to report") or
 * a saved query, fill in the request, preview the first pages, generate the report (PDF, CSV,
 * NDJSON, evidence, bundle) with progress, open its folder, and see past reports with their bundle
 * hashes, each re-checkable with one click.
 *
 * The preview is an HTML view of the same report model the PDF is drawn from (cover, verdict,
 * results, summary, first events): the renderer's CSP forbids embedding a PDF (object/embed), and
 * a view of the model needs no PDF renderer in the page.
 *
 * Progress arrives as `report` events pushed from main, each step kept in the order it came, so the
 * officer sees what the report did; a slow status check covers an event stream that dropped.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode, type Ref } from 'react';
import type { ResultMetadata } from '../../shared/discovery/result-metadata';
import type { Bridge } from '../../shared/ipc/bridge';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { describeChange } from '../../shared/reports/event-row';
import type { ReportJobStatus, ReportProgress } from '../../shared/reports/report-contract';
import { formatFingerprint } from '../../shared/archive-root';
import {
  count,
  gapsStatement,
  organisationText,
  populationStatement,
  storageStatement,
} from '../../shared/reports/report-words';
import type { ResultError } from '../../shared/result';
import { useAppEvent } from '../app/use-app-events';
import { formatCount } from '../app/display-format';
import { resultSummary } from '../discovery/discovery-format';
import { defaultRange, TYPE_LABELS } from '../discovery/discovery-model';
import { reportHandoff } from '../discovery/report-handoff';
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';
import './reports.css';

type Library = ResponseOf<'discovery:library'>;
type Preview = ResponseOf<'reports:preview'>;
type Receipt = ResponseOf<'reports:list'>['reports'][number];
type Check = ResponseOf<'reports:check'>;
type Spec = RequestOf<'reports:preview'>;
type Phase = ReportProgress['phase'];

/** A check of the job's status while it runs, in case the event stream dropped (events carry the progress). */
const STATUS_CHECK_MS = 3000;

const PHASE_LABELS: Record<Phase, string> = {
  queries: 'Running the cited queries',
  locating: 'Reading the manifests of the period',
  verifying: 'Verifying the archive',
  events: 'Reading the cited events',
  writing: 'Writing CSV, NDJSON and the evidence',
  pdf: 'Writing the PDF',
  bundle: 'Writing SHA256SUMS and the bundle',
  'archive-copy': 'Keeping a copy in the archive',
};

interface RequestFields {
  reference: string;
  requester: string;
  recipient: string;
  dueDate: string;
  question: string;
  preparedBy: string;
  timeZone: string;
}

/** What a generation has shown so far: each phase's last progress, in the order they came, and its status. */
interface JobView {
  readonly steps: readonly ReportProgress[];
  readonly status: ReportJobStatus | null;
}

function withStatus(view: JobView | undefined, status: ReportJobStatus): JobView {
  const steps = [...(view?.steps ?? [])];
  const p = status.progress;
  if (p) {
    const at = steps.findIndex((s) => s.phase === p.phase);
    if (at >= 0) steps[at] = p;
    else steps.push(p);
  }
  // A status check can answer after the final event: an ended job stays ended.
  const status_ = view?.status && view.status.state !== 'running' && status.state === 'running' ? view.status : status;
  return { steps, status: status_ };
}

export function ReportsPage({ bridge }: { bridge: Bridge }) {
  const handedOff = useMemo(() => reportHandoff(), []);
  const handoff = handedOff?.metadata ?? null;
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
  const [includeObjects, setIncludeObjects] = useState(true);
  const [preview, setPreview] = useState<{ of: string; model: Preview } | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [refusal, setRefusal] = useState<ResultError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [starting, setStarting] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [jobs, setJobs] = useState<Record<string, JobView>>({});
  const [reports, setReports] = useState<{ folder: string; reports: Receipt[] } | null>(null);
  const [checks, setChecks] = useState<Record<string, Check | 'checking' | ResultError>>({});
  const [folders, setFolders] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const previewRef = useRef<HTMLElement>(null);

  const loadReports = useCallback(async () => {
    const r = await bridge.reportsList({});
    if (r.ok) setReports(r.value);
    else setRefusal(r.error);
  }, [bridge]);

  useEffect(() => {
    void (async () => {
      const r = await bridge.discoveryLibrary({});
      if (!r.ok) return setRefusal(r.error);
      setLibrary(r.value);
      setSavedId((id) => id || r.value.queries[0]?.id || '');
    })();
    void loadReports();
  }, [bridge, loadReports]);

  // Every report job's events, kept by job id: an event can arrive before reports:generate answers.
  useAppEvent(bridge, 'report', ({ jobId: id, ...status }) => {
    setJobs((all) => ({ ...all, [id]: withStatus(all[id], status) }));
    // A report started before this page opened (the officer went to another page and came back).
    if (status.state === 'running') setJobId((current) => current ?? id);
    if (status.state !== 'running') void loadReports();
  });

  const job = jobId ? (jobs[jobId] ?? null) : null;
  const running = starting || (jobId !== null && job?.status?.state !== 'succeeded' && job?.status?.state !== 'failed');

  // While it runs, ask now and then too: a dropped event stream must not leave the page waiting forever.
  useEffect(() => {
    if (!jobId || !running) return;
    const timer = setInterval(() => {
      void bridge.reportsStatus({ jobId }).then((r) => {
        if (!r.ok) return;
        setJobs((all) => ({ ...all, [jobId]: withStatus(all[jobId], r.value) }));
        if (r.value.state !== 'running') void loadReports();
      });
    }, STATUS_CHECK_MS);
    return () => clearInterval(timer);
  }, [bridge, jobId, running, loadReports]);

  const saved = library?.queries.find((q) => q.id === savedId) ?? null;
  /** The Discovery result's days must lie inside the period (the report answers for the period). */
  const outsidePeriod =
    source === 'result' && handoff?.range && (handoff.range.from < period.from || handoff.range.to > period.to)
      ? `The result read ${handoff.range.from} to ${handoff.range.to}: the period must cover it.`
      : null;

  /** The request as the form states it now, or null when it cannot be made (no query chosen). */
  function currentSpec(): Spec | null {
    const request = {
      reference: fields.reference,
      requester: fields.requester,
      recipient: fields.recipient,
      dueDate: fields.dueDate || null,
      question: fields.question,
      preparedBy: fields.preparedBy,
      timeZone: fields.timeZone,
    };
    if (source === 'result' && handedOff)
      return { request, period, sources: [{ kind: 'result', metadata: handedOff.metadata, runId: handedOff.runId }] };
    if (!saved) return null;
    const parameters = Object.fromEntries(Object.entries(savedParams).filter(([, v]) => v.trim() !== ''));
    return {
      request,
      period,
      sources: [{ kind: 'query', query: { kind: 'saved', id: saved.id, parameters, range: period } }],
    };
  }

  /** The request to send, or null after showing why there is none. */
  function spec(): Spec | null {
    if (source === 'result' && handoff && outsidePeriod) {
      refuse({
        code: 'INVALID_REQUEST',
        message: outsidePeriod,
        issues: [{ path: ['period'], message: outsidePeriod }],
      });
      return null;
    }
    const s = currentSpec();
    if (!s) {
      const message = 'Choose the query the report cites.';
      refuse({ code: 'INVALID_REQUEST', message, issues: [{ path: ['sources'], message }] });
    }
    return s;
  }

  /** Shows a refusal: each issue beside its field (the first one focused), the rest in the banner. */
  function refuse(error: ResultError) {
    const byField = fieldErrorsFrom(error.issues);
    setErrors(byField);
    setRefusal(error);
    const first = Object.keys(byField)[0];
    if (first) {
      requestAnimationFrame(() => {
        formRef.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(fieldOf(first))}"]`)?.focus();
      });
    }
  }

  function clearRefusal() {
    setErrors({});
    setRefusal(null);
  }

  async function runPreview() {
    const s = spec();
    if (!s) return;
    clearRefusal();
    setPreviewing(true);
    const r = await bridge.reportsPreview(s);
    setPreviewing(false);
    if (!r.ok) return refuse(r.error);
    setPreview({ of: JSON.stringify(s), model: r.value });
    requestAnimationFrame(() => previewRef.current?.focus());
  }

  async function generate() {
    const s = spec();
    if (!s) return;
    clearRefusal();
    setStarting(true);
    setJobId(null);
    // Checked: the objects go in when they weigh at most 100 MiB (the engine's default); unchecked: left out.
    const r = await bridge.reportsGenerate({ ...s, archiveCopy, ...(includeObjects ? {} : { includeObjects: false }) });
    setStarting(false);
    if (!r.ok) return refuse(r.error);
    setJobId(r.value.jobId);
  }

  async function recheck(reportId: string) {
    setChecks((c) => ({ ...c, [reportId]: 'checking' }));
    const r = await bridge.reportsCheck({ reportId });
    setChecks((c) => ({ ...c, [reportId]: r.ok ? r.value : r.error }));
  }

  /** Opens the folder, or (dev:web) says where it is, beside the button that asked (`where`). */
  async function openFolder(reportId: string, where: 'receipt' | 'list') {
    const r = await bridge.reportsOpenFolder({ reportId });
    setFolders((f) => ({
      ...f,
      [`${where}:${reportId}`]: !r.ok
        ? r.error.message
        : r.value.opened
          ? `Opened in the file manager: ${r.value.path}`
          : `The report's folder (open it in your file manager): ${r.value.path}`,
    }));
  }

  const set = (key: keyof RequestFields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [key]: e.target.value }));
  const requestError = (key: keyof RequestFields) => errors[`request.${key}`];
  const periodError = errors['period.from'] ?? errors['period.to'] ?? errors['period'] ?? outsidePeriod ?? undefined;
  const shownOnFields = Object.keys(errors).length > 0;

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

      <form
        ref={formRef}
        className="report-form"
        aria-label="The report"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <fieldset>
          <legend>What the report cites</legend>
          {handoff && (
            <label className="choice">
              <input
                type="radio"
                name="source"
                checked={source === 'result'}
                onChange={() => {
                  setSource('result');
                  if (handoff.range) setPeriod({ from: handoff.range.from, to: handoff.range.to });
                }}
              />{' '}
              The result from Discovery
              <span className="hint source-detail">{describeHandoff(handoff)}</span>
            </label>
          )}
          <label className="choice">
            <input type="radio" name="source" checked={source === 'saved'} onChange={() => setSource('saved')} /> A
            saved or starter query, run over the period
          </label>
          {!handoff && (
            <p className="hint source-detail">
              Or run a query on the <a href="#/discovery">Discovery</a> page and choose &ldquo;Add to report&rdquo; on
              its result.
            </p>
          )}
          {source === 'saved' && (
            <>
              <ReportField label="Query" error={errors['sources'] ?? errors['sources.0']} field="sources">
                {(props) => (
                  <select
                    {...props}
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
                )}
              </ReportField>
              {saved?.parameters.map((p) => (
                <ReportField
                  key={p.name}
                  label={p.label}
                  hint={`${TYPE_LABELS[p.type]}${p.default === undefined ? '' : `; default ${String(p.default)}`}`}
                  error={errors[`sources.0.query.parameters.${p.name}`]}
                  field={`sources.0.query.parameters.${p.name}`}
                >
                  {(props) => (
                    <input
                      {...props}
                      type="text"
                      value={savedParams[p.name] ?? ''}
                      onChange={(e) => setSavedParams((all) => ({ ...all, [p.name]: e.target.value }))}
                    />
                  )}
                </ReportField>
              ))}
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>The request</legend>
          <ReportField
            label="Request reference"
            hint="As the examiner wrote it (letter number, case id); it heads every page."
            error={requestError('reference')}
            field="request.reference"
          >
            {(props) => <input {...props} type="text" required value={fields.reference} onChange={set('reference')} />}
          </ReportField>
          <ReportField
            label="Requested by"
            hint="A person and their organisation."
            error={requestError('requester')}
            field="request.requester"
          >
            {(props) => <input {...props} type="text" value={fields.requester} onChange={set('requester')} />}
          </ReportField>
          <ReportField label="Regulator or auditor" error={requestError('recipient')} field="request.recipient">
            {(props) => <input {...props} type="text" value={fields.recipient} onChange={set('recipient')} />}
          </ReportField>
          <ReportField label="Due date" error={requestError('dueDate')} field="request.dueDate">
            {(props) => <input {...props} type="date" value={fields.dueDate} onChange={set('dueDate')} />}
          </ReportField>
          <ReportField
            label="The question"
            hint="In words, as asked."
            error={requestError('question')}
            field="request.question"
          >
            {(props) => <textarea {...props} rows={3} value={fields.question} onChange={set('question')} />}
          </ReportField>
          <ReportField label="Prepared by" error={requestError('preparedBy')} field="request.preparedBy">
            {(props) => <input {...props} type="text" value={fields.preparedBy} onChange={set('preparedBy')} />}
          </ReportField>
          <ReportField
            label="Time zone"
            hint="Event times are shown in UTC and in this zone (an IANA name such as Europe/London)."
            error={requestError('timeZone')}
            field="request.timeZone"
          >
            {(props) => <input {...props} type="text" value={fields.timeZone} onChange={set('timeZone')} />}
          </ReportField>
        </fieldset>

        <PeriodFieldset
          period={period}
          onPeriod={setPeriod}
          error={periodError}
          archiveCopy={archiveCopy}
          onArchiveCopy={setArchiveCopy}
          includeObjects={includeObjects}
          onIncludeObjects={setIncludeObjects}
        />

        <div className="actions">
          <button type="button" onClick={() => void runPreview()} disabled={previewing || running}>
            {previewing ? 'Preparing the preview…' : 'Preview'}
          </button>
          <button type="submit" className="primary" disabled={running}>
            Generate report
          </button>
        </div>
      </form>

      {refusal && (
        <div className="banner banner-error" role="alert">
          <p>
            {shownOnFields ? 'Not done: see the fields marked above.' : refusal.message}{' '}
            <span className="detail">[{refusal.code}]</span>
          </p>
        </div>
      )}

      {(running || job) && (
        <Generation
          steps={job?.steps ?? []}
          status={job?.status ?? null}
          folder={job?.status?.receipt ? folders[`receipt:${job.status.receipt.reportId}`] : undefined}
          onOpen={(id) => void openFolder(id, 'receipt')}
        />
      )}

      {preview && (
        <PreviewView
          preview={preview.model}
          stale={preview.of !== JSON.stringify(currentSpec())}
          headingRef={previewRef}
        />
      )}

      <PastReports
        reports={reports}
        checks={checks}
        folders={folders}
        onCheck={(id) => void recheck(id)}
        onOpen={(id) => void openFolder(id, 'list')}
      />
    </section>
  );
}

/** The period, and how the report is kept: a copy in the archive, the cited objects in the bundle. */
function PeriodFieldset(props: {
  period: { from: string; to: string };
  onPeriod: (period: { from: string; to: string }) => void;
  error: string | undefined;
  archiveCopy: boolean;
  onArchiveCopy: (on: boolean) => void;
  includeObjects: boolean;
  onIncludeObjects: (on: boolean) => void;
}) {
  const { period, onPeriod, error, archiveCopy, onArchiveCopy, includeObjects, onIncludeObjects } = props;
  return (
    <fieldset>
      <legend>Period</legend>
      <ReportField
        label="From (UTC day)"
        hint="Every archived day of the period is evidence: the report verifies it and lists its objects."
        error={error}
        field="period.from"
      >
        {(props) => (
          <input
            {...props}
            type="date"
            value={period.from}
            onChange={(e) => onPeriod({ ...period, from: e.target.value })}
          />
        )}
      </ReportField>
      <ReportField label="To (UTC day)" field="period.to">
        {(props) => (
          <input
            {...props}
            type="date"
            value={period.to}
            onChange={(e) => onPeriod({ ...period, to: e.target.value })}
          />
        )}
      </ReportField>
      <label className="choice">
        <input type="checkbox" checked={archiveCopy} onChange={(e) => onArchiveCopy(e.target.checked)} /> Keep a copy in
        the archive (locked like the events, with a record signed by the archive&rsquo;s key)
      </label>
      <label className="choice">
        <input type="checkbox" checked={includeObjects} onChange={(e) => onIncludeObjects(e.target.checked)} /> Put the
        archived objects the events come from into the bundle, so an examiner can hash them again (when they weigh at
        most 100 MiB)
      </label>
    </fieldset>
  );
}

/** `request.reference` -> the field's data-field (parameters keep their full path). */
function fieldOf(key: string): string {
  return key === 'period'
    ? 'period.from'
    : key.startsWith('sources.0') && !key.includes('parameters')
      ? 'sources'
      : key;
}

/** A labelled form row whose error sits beside it (announced, and tied to the control). */
function ReportField({
  label,
  hint,
  error,
  field,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  field: string;
  children: (props: {
    id: string;
    'data-field': string;
    'aria-invalid': boolean | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'data-field': field,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described || undefined,
      })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {label}: {error}
        </p>
      )}
    </div>
  );
}

function describeHandoff(m: ResultMetadata): string {
  const name = m.query.savedQuery?.name ?? (m.query.kind === 'structured' ? 'a form query' : 'an SQL query');
  return `${name}: ${resultSummary(m)}`;
}

/** The generation: a bar for the current phase, each phase so far with its last word, then the receipt. */
function Generation({
  steps,
  status,
  folder,
  onOpen,
}: {
  steps: readonly ReportProgress[];
  status: ReportJobStatus | null;
  folder: string | undefined;
  onOpen: (reportId: string) => void;
}) {
  const state = status?.state ?? 'running';
  const current = steps.at(-1) ?? null;
  const receipt = status?.receipt ?? null;
  const outcomeRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state !== 'running') outcomeRef.current?.focus();
  }, [state]);
  return (
    <section className="report-generation" aria-labelledby="generation-title">
      <h2 id="generation-title" ref={outcomeRef} tabIndex={-1}>
        {state === 'running'
          ? 'Generating the report…'
          : state === 'succeeded'
            ? `Report ${receipt?.reportId ?? ''} written`
            : 'The report was not written'}
      </h2>
      <div className="report-progress" role="status" aria-live="polite" aria-busy={state === 'running'}>
        <progress
          aria-label="Report progress"
          max={state === 'running' ? (current?.total ?? 1) : 1}
          value={state === 'running' ? (current?.total ? (current.done ?? 0) : undefined) : 1}
        />
        <span>
          {state === 'running' ? (current?.message ?? 'Starting…') : state === 'succeeded' ? 'Finished.' : 'Stopped.'}
        </span>
      </div>
      {steps.length > 0 && (
        <ol className="report-steps" aria-label="Steps">
          {steps.map((s, i) => {
            const done = state === 'succeeded' || i < steps.length - 1;
            return (
              <li key={s.phase} className={done ? 'done' : state === 'failed' ? 'failed' : 'current'}>
                <span aria-hidden="true">{done ? '✓ ' : state === 'failed' ? '✗ ' : '… '}</span>
                {PHASE_LABELS[s.phase]}
                <span className="hint"> · {s.message}</span>
              </li>
            );
          })}
        </ol>
      )}
      {state === 'failed' && status?.error && (
        <p className="banner banner-error" role="alert">
          {status.error.message} <span className="detail">[{status.error.code}]</span>
        </p>
      )}
      {receipt && (
        <div className={`report-outcome ${receipt.verified ? 'ok' : 'failed'}`} aria-label="Receipt">
          <p>
            {formatCount(receipt.events)} events, {formatCount(receipt.pages)} pages.
          </p>
          <p className="headline">{receipt.headline}</p>
          {receipt.findings.length > 0 && (
            <ul className="findings" aria-label="Findings">
              {receipt.findings.map((f, i) => (
                <li key={i}>{f}</li>
              ))}
            </ul>
          )}
          {receipt.gaps.length > 0 && (
            <p className="gaps">Not archived: {receipt.gaps.map((g) => `${g.day} (${g.state})`).join(', ')}.</p>
          )}
          <p className="signature">
            {receipt.signed
              ? "The bundle's SHA256SUMS is signed with the archive's key."
              : "The bundle is UNSIGNED: the archive's private key is not on this machine (the cover says why)."}
          </p>
          <dl>
            <dt>PDF</dt>
            <dd className="path">{receipt.pdf}</dd>
            <dt>Bundle</dt>
            <dd className="path">{receipt.bundle}</dd>
            <dt>Bundle SHA-256</dt>
            <dd className="hash" aria-label="Bundle SHA-256">
              {receipt.bundleSha256}
            </dd>
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
          <button type="button" onClick={() => onOpen(receipt.reportId)}>
            Open folder
          </button>
          {folder && (
            <p className="folder-notice" role="status">
              {folder}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** The first pages of the report, as HTML: the same model (evidence, summary, first events) the PDF draws. */
function PreviewView({
  preview,
  stale,
  headingRef,
}: {
  preview: Preview;
  stale: boolean;
  headingRef: Ref<HTMLElement>;
}) {
  const e = preview.evidence;
  const r = e.request;
  return (
    <section className="report-preview" aria-labelledby="preview-title" ref={headingRef} tabIndex={-1}>
      <h2 id="preview-title">Preview: first pages</h2>
      {stale && (
        <p className="banner banner-warning" role="status">
          The request or what it cites changed since this preview: choose &ldquo;Preview&rdquo; again to see it.
        </p>
      )}
      <p className="hint">
        An HTML view of the same report model the PDF is drawn from (the app does not embed PDFs). Verification here is
        the standard check; generating the report hashes every object of the period.
      </p>
      <article className="preview-page" aria-label="Cover">
        <p className="page-head">
          Audit response report · Ref. {r.reference}{' '}
          <span>Preview (the report&rsquo;s id is given when it is generated) · Page 1</span>
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
          {r.recipient && (
            <>
              <dt>Regulator or auditor</dt>
              <dd>{r.recipient}</dd>
            </>
          )}
          {r.dueDate && (
            <>
              <dt>Due</dt>
              <dd>{r.dueDate}</dd>
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
          <dt>Days not archived</dt>
          <dd>{gapsStatement(e)}</dd>
          <dt>Storage</dt>
          <dd>{storageStatement(e)}</dd>
          <dt>Signing key fingerprint</dt>
          <dd className="hash">{e.archive.keyFingerprint ? formatFingerprint(e.archive.keyFingerprint) : 'none'}</dd>
          <dt>Signature</dt>
          <dd>
            {e.signature.signed
              ? "The bundle's SHA256SUMS will be signed with the archive's own key (SHA256SUMS.sig), which OpenSSL checks against archive-public-key.pem."
              : `The bundle will be UNSIGNED: ${e.signature.reason ?? 'no key'}.`}
          </dd>
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
              ['By day', preview.summary.byDay],
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
  folders,
  onCheck,
  onOpen,
}: {
  reports: { folder: string; reports: Receipt[] } | null;
  checks: Record<string, Check | 'checking' | ResultError>;
  folders: Record<string, string>;
  onCheck: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  if (!reports) return null;
  return (
    <section className="past-reports" aria-labelledby="past-title">
      <h2 id="past-title">Past reports</h2>
      <p className="hint">
        In <span className="path">{reports.folder}</span>. &ldquo;Re-check&rdquo; hashes the bundle and every file in it
        and beside it again, and the copy kept in the archive if there is one.
      </p>
      {reports.reports.length === 0 ? (
        <p className="hint">None yet.</p>
      ) : (
        <ul className="report-list" aria-label="Past reports">
          {reports.reports.map((r) => {
            const check = checks[r.reportId];
            return (
              <li key={r.reportId} aria-label={r.reportId} data-report={r.reportId}>
                <div className="report-row">
                  <div className="report-id">
                    <strong>{r.reportId}</strong>
                    <div>Ref. {r.reference}</div>
                    <div className="hint">
                      {r.period.from} to {r.period.to} · generated {r.generatedAt.replace('T', ' ').slice(0, 16)} UTC ·{' '}
                      {formatCount(r.events)} events
                    </div>
                  </div>
                  <div className={r.verified ? 'verdict-word ok' : 'verdict-word failed'}>
                    {r.verified ? 'Archive verified' : 'Verification FAILED'}
                  </div>
                  <div className="report-hash">
                    <span className="hint">Bundle SHA-256</span>
                    <div className="hash" aria-label={`Bundle SHA-256 of ${r.reportId}`}>
                      {r.bundleSha256}
                    </div>
                  </div>
                  <div className="row-actions">
                    <button
                      type="button"
                      onClick={() => onCheck(r.reportId)}
                      disabled={check === 'checking'}
                      aria-label={`Re-check ${r.reportId}`}
                    >
                      Re-check
                    </button>
                    <button
                      type="button"
                      onClick={() => onOpen(r.reportId)}
                      aria-label={`Open the folder of ${r.reportId}`}
                    >
                      Open folder
                    </button>
                  </div>
                </div>
                {folders[`list:${r.reportId}`] && (
                  <p className="folder-notice" role="status">
                    {folders[`list:${r.reportId}`]}
                  </p>
                )}
                {check && <CheckResult reportId={r.reportId} check={check} />}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function CheckResult({ reportId, check }: { reportId: string; check: Check | 'checking' | ResultError }) {
  if (check === 'checking')
    return (
      <p className="check" role="status" aria-busy="true">
        Checking…
      </p>
    );
  if ('code' in check)
    return (
      <p className="check failed" role="alert">
        The check could not run: {check.message} <span className="detail">[{check.code}]</span>
      </p>
    );
  const failed = check.checks.filter((c) => !c.ok);
  return (
    <div
      className={`check ${check.ok ? 'ok' : 'failed'}`}
      role={check.ok ? 'status' : 'alert'}
      aria-label={`Check of ${reportId}`}
    >
      <p className="check-title">
        <span aria-hidden="true">{check.ok ? '✓ ' : '✗ '}</span>
        {check.ok ? 'Intact: every check passed.' : `Changed: ${failed.map((c) => c.what).join(', ')} failed.`}
      </p>
      <ul>
        {[...failed, ...check.checks.filter((c) => c.ok)].map((c) => (
          <li key={c.what} className={c.ok ? 'ok' : 'failed'}>
            <strong>
              {c.what}: {c.ok ? 'passed' : 'FAILED'}
            </strong>{' '}
            · {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
