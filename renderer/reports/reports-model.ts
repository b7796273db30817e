/**
 * The Reports page's model: the request as the form states it (what it cites, the examiner's
 * request, the period, how the report is kept), the refusal with each error on its field, the one
 * verification statement on screen (the preview, or the generation and its receipt: a newer one
 * replaces the older), each report job's progress as it arrives, and the past reports with their
 * re-checks, as a state and the transitions between states.
 *
 * Pure (no React, no DOM, no bridge) so it reads like the page's rules and its tests need no browser.
 */
import type { ResultMetadata } from '../../shared/discovery/result-metadata';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { ReportJobStatus, ReportProgress } from '../../shared/reports/report-contract';
import type { ResultError } from '../../shared/result';
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';

export type Library = ResponseOf<'discovery:library'>;
export type Preview = ResponseOf<'reports:preview'>;
export type ReportList = ResponseOf<'reports:list'>;
export type Receipt = ReportList['reports'][number];
export type Check = ResponseOf<'reports:check'>;
export type Spec = RequestOf<'reports:preview'>;
type GenerateRequest = RequestOf<'reports:generate'>;
/** A re-check of a past report: running, its outcome, or why it could not run. */
export type CheckState = Check | 'checking' | ResultError;

/** A Discovery result handed over with "Add to report", and its run (while the app keeps it). */
interface Handoff {
  readonly metadata: ResultMetadata;
  readonly runId: string;
}

export interface RequestFields {
  reference: string;
  requester: string;
  recipient: string;
  dueDate: string;
  question: string;
  preparedBy: string;
  timeZone: string;
}

export interface Period {
  readonly from: string;
  readonly to: string;
}

/** What a generation has shown so far: each phase's last progress, in the order they came, and its status. */
interface JobView {
  readonly steps: readonly ReportProgress[];
  readonly status: ReportJobStatus | null;
}

export interface ReportsState {
  readonly handoff: Handoff | null;
  readonly library: Library | null;
  readonly source: 'result' | 'saved';
  readonly savedId: string;
  readonly savedParams: Readonly<Record<string, string>>;
  readonly fields: RequestFields;
  readonly period: Period;
  readonly archiveCopy: boolean;
  readonly includeObjects: boolean;
  /** The last preview and the request it shows (as JSON, to tell when the form has changed since). */
  readonly preview: { readonly of: string; readonly model: Preview } | null;
  readonly previewing: boolean;
  readonly refusal: ResultError | null;
  /** The refusal's errors by field (`request.reference`, `period.from`, `sources.0.query.parameters.user`). */
  readonly errors: FieldErrors;
  /** reports:generate asked, not answered yet. */
  readonly starting: boolean;
  /** The generation on screen. */
  readonly jobId: string | null;
  /** Every report job's view, by id: an event can arrive before reports:generate answers. */
  readonly jobs: Readonly<Record<string, JobView>>;
  readonly reports: ReportList | null;
  readonly checks: Readonly<Record<string, CheckState>>;
  /** Where a report's folder is, beside the button that asked (`receipt:<id>` or `list:<id>`). */
  readonly folders: Readonly<Record<string, string>>;
}

export type ReportsAction =
  | { readonly type: 'library-loaded'; readonly library: Library }
  | { readonly type: 'load-refused'; readonly error: ResultError }
  | { readonly type: 'reports-listed'; readonly list: ReportList }
  | { readonly type: 'source-chosen'; readonly source: 'result' | 'saved' }
  | { readonly type: 'saved-query-chosen'; readonly id: string }
  | { readonly type: 'saved-parameter-edited'; readonly name: string; readonly value: string }
  | { readonly type: 'field-edited'; readonly key: keyof RequestFields; readonly value: string }
  | { readonly type: 'period-edited'; readonly period: Period }
  | { readonly type: 'archive-copy-set'; readonly on: boolean }
  | { readonly type: 'include-objects-set'; readonly on: boolean }
  | { readonly type: 'refused'; readonly error: ResultError }
  | { readonly type: 'preview-requested' }
  | { readonly type: 'preview-arrived'; readonly spec: Spec; readonly preview: Preview }
  | { readonly type: 'preview-refused'; readonly error: ResultError }
  | { readonly type: 'generate-requested' }
  | { readonly type: 'generate-started'; readonly jobId: string }
  | { readonly type: 'generate-refused'; readonly error: ResultError }
  | { readonly type: 'job-status'; readonly jobId: string; readonly status: ReportJobStatus }
  | { readonly type: 'check-started'; readonly reportId: string }
  | { readonly type: 'check-done'; readonly reportId: string; readonly check: Check | ResultError }
  | { readonly type: 'folder-shown'; readonly key: string; readonly text: string };

/**
 * The page as it opens: on the period its address names (a day's report from the day panel), citing
 * a library query over it; else citing the handed-over result over its days; else a library query
 * over the last 30 days. A result handed over earlier stays one choice away.
 */
export function initialReportsState(opening: {
  handoff: Handoff | null;
  /** The period the page was opened on (`#/reports?from=…&to=…`), if any. */
  linkedPeriod?: Period | null;
  /** The period when neither names one. */
  defaultPeriod: Period;
  /** The officer's own time zone (IANA), or UTC. */
  timeZone: string;
}): ReportsState {
  const { handoff } = opening;
  const linked = opening.linkedPeriod ?? null;
  const period = linked ?? handoff?.metadata.range ?? opening.defaultPeriod;
  return {
    handoff,
    library: null,
    source: handoff && !linked ? 'result' : 'saved',
    savedId: '',
    savedParams: {},
    fields: {
      reference: '',
      requester: '',
      recipient: '',
      dueDate: '',
      question: '',
      preparedBy: '',
      timeZone: opening.timeZone,
    },
    period: { from: period.from, to: period.to },
    archiveCopy: false,
    includeObjects: true,
    preview: null,
    previewing: false,
    refusal: null,
    errors: {},
    starting: false,
    jobId: null,
    jobs: {},
    reports: null,
    checks: {},
    folders: {},
  };
}

type ActionOf<T extends ReportsAction['type']> = Extract<ReportsAction, { type: T }>;
type FormAction = ActionOf<
  | 'source-chosen'
  | 'saved-query-chosen'
  | 'saved-parameter-edited'
  | 'field-edited'
  | 'period-edited'
  | 'archive-copy-set'
  | 'include-objects-set'
>;
type StoryAction = ActionOf<
  | 'refused'
  | 'preview-requested'
  | 'preview-arrived'
  | 'preview-refused'
  | 'generate-requested'
  | 'generate-started'
  | 'generate-refused'
  | 'job-status'
>;
type PastAction = ActionOf<
  'library-loaded' | 'load-refused' | 'reports-listed' | 'check-started' | 'check-done' | 'folder-shown'
>;

export function reportsReducer(state: ReportsState, action: ReportsAction): ReportsState {
  switch (action.type) {
    case 'source-chosen':
    case 'saved-query-chosen':
    case 'saved-parameter-edited':
    case 'field-edited':
    case 'period-edited':
    case 'archive-copy-set':
    case 'include-objects-set':
      return formReducer(state, action);
    case 'refused':
    case 'preview-requested':
    case 'preview-arrived':
    case 'preview-refused':
    case 'generate-requested':
    case 'generate-started':
    case 'generate-refused':
    case 'job-status':
      return storyReducer(state, action);
    default:
      return loadedReducer(state, action);
  }
}

/** The request as the officer fills it in. Changing a field takes its error away (the rest stay). */
function formReducer(state: ReportsState, action: FormAction): ReportsState {
  switch (action.type) {
    case 'source-chosen': {
      const range = action.source === 'result' ? state.handoff?.metadata.range : undefined;
      const next = {
        ...state,
        source: action.source,
        ...(range ? { period: { from: range.from, to: range.to } } : {}),
      };
      return withoutErrors(next, ['sources', 'sources.0', 'period', 'period.from', 'period.to']);
    }
    case 'saved-query-chosen':
      return withoutErrors({ ...state, savedId: action.id, savedParams: {} }, ['sources', 'sources.0'], 'sources.0.');
    case 'saved-parameter-edited': {
      const next = { ...state, savedParams: { ...state.savedParams, [action.name]: action.value } };
      return withoutErrors(next, [`sources.0.query.parameters.${action.name}`]);
    }
    case 'field-edited':
      return withoutErrors({ ...state, fields: { ...state.fields, [action.key]: action.value } }, [
        `request.${action.key}`,
      ]);
    case 'period-edited':
      return withoutErrors({ ...state, period: action.period }, ['period', 'period.from', 'period.to']);
    case 'archive-copy-set':
      return { ...state, archiveCopy: action.on };
    case 'include-objects-set':
      return { ...state, includeObjects: action.on };
  }
}

/**
 * Drops the errors of the fields named (and of every field under `prefix`); when no field error is
 * left, the refusal that carried them goes too (it said "see the fields marked").
 */
function withoutErrors(state: ReportsState, fields: readonly string[], prefix?: string): ReportsState {
  const keys = Object.keys(state.errors);
  const gone = keys.filter((k) => fields.includes(k) || (prefix !== undefined && k.startsWith(prefix)));
  if (gone.length === 0) return state;
  const errors = Object.fromEntries(Object.entries(state.errors).filter(([k]) => !gone.includes(k)));
  return { ...state, errors, refusal: Object.keys(errors).length === 0 ? null : state.refusal };
}

/**
 * What the page says about the request: a refusal (on its fields), then one verification statement
 * at a time: a new preview replaces the last one and the finished generation before it; a new
 * generation replaces the preview.
 */
function storyReducer(state: ReportsState, action: StoryAction): ReportsState {
  switch (action.type) {
    case 'refused':
      return { ...state, refusal: action.error, errors: fieldErrorsFrom(action.error.issues) };
    case 'preview-requested':
      return { ...state, refusal: null, errors: {}, previewing: true };
    case 'preview-arrived': {
      const finished = state.jobId !== null && !isRunning(state);
      return {
        ...state,
        previewing: false,
        preview: { of: JSON.stringify(action.spec), model: action.preview },
        ...(finished ? { jobId: null } : {}),
      };
    }
    case 'preview-refused':
      return storyReducer({ ...state, previewing: false }, { type: 'refused', error: action.error });
    case 'generate-requested':
      return { ...state, refusal: null, errors: {}, starting: true, jobId: null, preview: null };
    case 'generate-started':
      return { ...state, starting: false, jobId: action.jobId };
    case 'generate-refused':
      return storyReducer({ ...state, starting: false }, { type: 'refused', error: action.error });
    case 'job-status': {
      const jobs = { ...state.jobs, [action.jobId]: withStatus(state.jobs[action.jobId], action.status) };
      // A report started before this page opened (the officer went to another page and came back).
      const adopt = action.status.state === 'running' && state.jobId === null;
      return { ...state, jobs, ...(adopt ? { jobId: action.jobId, preview: null } : {}) };
    }
  }
}

/** A job's view with a status added: the phase's step updated in place, or appended; an ended job stays ended. */
function withStatus(view: JobView | undefined, status: ReportJobStatus): JobView {
  const steps = [...(view?.steps ?? [])];
  const p = status.progress;
  if (p) {
    const at = steps.findIndex((s) => s.phase === p.phase);
    if (at >= 0) steps[at] = p;
    else steps.push(p);
  }
  // A status check can answer after the final event.
  const ended = view?.status && view.status.state !== 'running' && status.state === 'running';
  return { steps, status: ended ? view.status : status };
}

function loadedReducer(state: ReportsState, action: PastAction): ReportsState {
  switch (action.type) {
    case 'library-loaded':
      return { ...state, library: action.library, savedId: state.savedId || action.library.queries[0]?.id || '' };
    case 'load-refused':
      return { ...state, refusal: action.error };
    case 'reports-listed':
      return { ...state, reports: action.list };
    case 'check-started':
      return { ...state, checks: { ...state.checks, [action.reportId]: 'checking' } };
    case 'check-done':
      return { ...state, checks: { ...state.checks, [action.reportId]: action.check } };
    case 'folder-shown':
      return { ...state, folders: { ...state.folders, [action.key]: action.text } };
  }
}

// ---- What the page shows and sends, read from the state ----

/** The library query the report cites, when it cites one. */
export function savedQuery(state: ReportsState): Library['queries'][number] | null {
  return state.library?.queries.find((q) => q.id === state.savedId) ?? null;
}

/** The job on screen and its view. */
export function currentJob(state: ReportsState): JobView | null {
  return state.jobId ? (state.jobs[state.jobId] ?? null) : null;
}

/** A report is being started or written: Preview and Generate wait. */
export function isRunning(state: ReportsState): boolean {
  const s = currentJob(state)?.status?.state;
  return state.starting || (state.jobId !== null && s !== 'succeeded' && s !== 'failed');
}

/** The Discovery result read days outside the period: the report answers for the period, so it must cover them. */
function outsidePeriod(state: ReportsState): string | null {
  const range = state.source === 'result' ? state.handoff?.metadata.range : null;
  if (!range || (range.from >= state.period.from && range.to <= state.period.to)) return null;
  return `The result read ${range.from} to ${range.to}: the period must cover it.`;
}

/** The request as the form states it now, or null when it cannot be made (no query chosen). */
export function currentSpec(state: ReportsState): Spec | null {
  const { fields, period, handoff } = state;
  const request = { ...fields, dueDate: fields.dueDate || null };
  if (state.source === 'result' && handoff) {
    return { request, period, sources: [{ kind: 'result', metadata: handoff.metadata, runId: handoff.runId }] };
  }
  const saved = savedQuery(state);
  if (!saved) return null;
  const parameters = Object.fromEntries(Object.entries(state.savedParams).filter(([, v]) => v.trim() !== ''));
  return {
    request,
    period,
    sources: [{ kind: 'query', query: { kind: 'saved', id: saved.id, parameters, range: period } }],
  };
}

/** The request to send, or the refusal that says (on its field) why there is none. */
export function specOrRefusal(state: ReportsState): { spec: Spec } | { refusal: ResultError } {
  const outside = outsidePeriod(state);
  if (outside) return { refusal: invalid('period', outside) };
  const spec = currentSpec(state);
  return spec ? { spec } : { refusal: invalid('sources', 'Choose the query the report cites.') };
}

function invalid(field: string, message: string): ResultError {
  return { code: 'INVALID_REQUEST', message, issues: [{ path: [field], message }] };
}

/** Checked: the objects go in when they weigh at most 100 MiB (the engine's default); unchecked: left out. */
export function generateRequest(state: ReportsState, spec: Spec): GenerateRequest {
  return { ...spec, archiveCopy: state.archiveCopy, ...(state.includeObjects ? {} : { includeObjects: false }) };
}

/** The preview shows a request the form no longer states. */
export function previewIsStale(state: ReportsState): boolean {
  return state.preview !== null && state.preview.of !== JSON.stringify(currentSpec(state));
}

/** The error shown beside the period: the engine's, or the page's own check that it covers the result. */
export function periodError(state: ReportsState): string | undefined {
  const { errors } = state;
  return errors['period.from'] ?? errors['period.to'] ?? errors['period'] ?? outsidePeriod(state) ?? undefined;
}

/** The form control to focus after a refusal: the first field it names (its `data-field`), if any. */
export function firstInvalidField(refusal: ResultError): string | null {
  const first = Object.keys(fieldErrorsFrom(refusal.issues))[0];
  if (!first) return null;
  if (first === 'period') return 'period.from';
  return first.startsWith('sources.0') && !first.includes('parameters') ? 'sources' : first;
}
