/**
 * The Discovery page's model: what the officer is asking (the form, SQL and its typed parameters, or
 * a query from the library with its values), on which engine, and the one story on screen about
 * the last question asked (starting, refused, running, answered, failed or cancelled), as a state
 * and the transitions between states. The page renders it and sends what it builds (the run
 * request, the query to save); the engine checks everything again.
 *
 * Pure (no React, no DOM, no bridge) so it reads like the page's rules and its tests need no browser.
 */
import { addDays, dayFromMs, type Day } from '../../shared/day';
import type { RunRequestQuery } from '../../shared/discovery/discovery-contract';
import {
  PARAMETER_TYPES,
  scanNamedParameters,
  type ParameterType,
  type RawParameterValue,
  type TypedParameterValue,
} from '../../shared/discovery/parameters';
import type { QueryEngineKind } from '../../shared/discovery/result-metadata';
import type { SavedQueryInput } from '../../shared/discovery/saved-query';
import type { StructuredQuery, StructuredQueryInput } from '../../shared/discovery/structured-query';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { ResultError } from '../../shared/result';
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';

export type Library = ResponseOf<'discovery:library'>;
export type ListedQuery = Library['queries'][number];
export type RunStatus = ResponseOf<'discovery:status'>;
export type RunRequest = RequestOf<'discovery:run'>;
export type Mode =
  { readonly kind: 'form' } | { readonly kind: 'sql' } | { readonly kind: 'saved'; readonly id: string };

export interface FormFields {
  from: string;
  to: string;
  users: string;
  entityType: string;
  entity: string;
  actions: string;
  service: string;
  status: string;
  text: string;
}

/** A `:name` of the SQL: the type the officer chose and the text typed. */
export interface SqlParameter {
  readonly type: ParameterType;
  readonly value: string;
}

/** The UTC days of an SQL or library query, or every day (Athena asks to confirm the full scan). */
export interface RangeChoice {
  readonly from: string;
  readonly to: string;
  readonly everyDay: boolean;
}

export interface SaveDraft {
  readonly name: string;
  readonly description: string;
}

/**
 * The one story on screen about the last question: nothing yet, being started, refused before it
 * ran (bad input, or Athena asking to confirm a scan of every day), or started (its status as last
 * polled, and a failure to poll it).
 */
type RunStory =
  | { readonly kind: 'none' }
  | { readonly kind: 'starting'; readonly request: RunRequest }
  | { readonly kind: 'refused'; readonly request: RunRequest; readonly error: ResultError }
  | {
      readonly kind: 'started';
      readonly request: RunRequest;
      readonly runId: string;
      readonly status: RunStatus | null;
      readonly pollError: ResultError | null;
    };

export interface DiscoveryState {
  readonly library: Library | null;
  readonly libraryError: string | null;
  readonly engine: QueryEngineKind;
  readonly mode: Mode;
  readonly form: FormFields;
  readonly sql: string;
  readonly range: RangeChoice;
  readonly sqlParams: Readonly<Record<string, SqlParameter>>;
  readonly savedParams: Readonly<Record<string, string>>;
  readonly run: RunStory;
  /** The outcome of an export, a save, an import: one line. */
  readonly notice: string | null;
  /** The "Save query" form, while open. */
  readonly saving: SaveDraft | null;
}

export type DiscoveryAction =
  | { readonly type: 'library-loaded'; readonly library: Library }
  | { readonly type: 'library-failed'; readonly message: string }
  | { readonly type: 'queries-changed'; readonly queries: Library['queries'] }
  | { readonly type: 'query-deleted'; readonly id: string; readonly queries: Library['queries'] }
  | { readonly type: 'engine-chosen'; readonly engine: QueryEngineKind }
  | { readonly type: 'mode-chosen'; readonly mode: 'form' | 'sql' }
  | { readonly type: 'form-edited'; readonly form: FormFields }
  | { readonly type: 'sql-edited'; readonly sql: string }
  | { readonly type: 'range-edited'; readonly range: RangeChoice }
  | { readonly type: 'sql-parameter-edited'; readonly name: string; readonly patch: Partial<SqlParameter> }
  | { readonly type: 'saved-parameter-edited'; readonly name: string; readonly value: string }
  | { readonly type: 'query-picked'; readonly query: ListedQuery }
  | { readonly type: 'edit-as-sql'; readonly query: ListedQuery }
  | { readonly type: 'run-requested'; readonly request: RunRequest }
  | { readonly type: 'run-refused'; readonly request: RunRequest; readonly error: ResultError }
  | { readonly type: 'run-started'; readonly request: RunRequest; readonly runId: string }
  | { readonly type: 'run-status'; readonly runId: string; readonly status: RunStatus }
  | { readonly type: 'run-status-failed'; readonly runId: string; readonly error: ResultError }
  | { readonly type: 'notice'; readonly text: string }
  | { readonly type: 'save-opened' }
  | { readonly type: 'save-edited'; readonly draft: SaveDraft }
  | { readonly type: 'save-closed' }
  | { readonly type: 'query-saved'; readonly queries: Library['queries']; readonly name: string; readonly id: string };

const EXAMPLE_SQL = `SELECT "user"."name" AS user_name, action, count(*) AS events
FROM audit_events
WHERE lower(entitytype) = lower(:entity_type)
GROUP BY 1, 2
ORDER BY events DESC`;

/** The last 30 UTC days up to yesterday (today is not settled yet). */
export function defaultRange(nowMs: number): { from: Day; to: Day } {
  const yesterday = addDays(dayFromMs(nowMs), -1);
  return { from: addDays(yesterday, -29), to: yesterday };
}

/** The page as it opens: the form over the last 30 settled days, the example SQL ready in the SQL tab. */
export function initialDiscoveryState(nowMs: number): DiscoveryState {
  const range = defaultRange(nowMs);
  return {
    library: null,
    libraryError: null,
    engine: 'local',
    mode: { kind: 'form' },
    form: { ...range, users: '', entityType: '', entity: '', actions: '', service: '', status: '', text: '' },
    sql: EXAMPLE_SQL,
    range: { ...range, everyDay: false },
    sqlParams: { entity_type: { type: 'string', value: 'Queue' } },
    savedParams: {},
    run: { kind: 'none' },
    notice: null,
    saving: null,
  };
}

export function discoveryReducer(state: DiscoveryState, action: DiscoveryAction): DiscoveryState {
  switch (action.type) {
    case 'library-loaded':
    case 'library-failed':
    case 'queries-changed':
    case 'query-deleted':
    case 'engine-chosen':
      return libraryReducer(state, action);
    case 'mode-chosen':
    case 'form-edited':
    case 'sql-edited':
    case 'range-edited':
    case 'sql-parameter-edited':
    case 'saved-parameter-edited':
    case 'query-picked':
    case 'edit-as-sql':
      return questionReducer(state, action);
    case 'run-requested':
    case 'run-refused':
    case 'run-started':
    case 'run-status':
    case 'run-status-failed':
      return {
        ...state,
        run: runReducer(state.run, action),
        ...(action.type === 'run-requested' ? { notice: null } : {}),
      };
    case 'notice':
    case 'save-opened':
    case 'save-edited':
    case 'save-closed':
    case 'query-saved':
      return savingReducer(state, action);
  }
}

type ActionOf<T extends DiscoveryAction['type']> = Extract<DiscoveryAction, { type: T }>;

/** The library and the engine: the engine configured, unless Athena cannot run here. */
function libraryReducer(
  state: DiscoveryState,
  action: ActionOf<'library-loaded' | 'library-failed' | 'queries-changed' | 'query-deleted' | 'engine-chosen'>,
): DiscoveryState {
  switch (action.type) {
    case 'library-loaded': {
      const { library } = action;
      return {
        ...state,
        library,
        libraryError: null,
        engine: library.athenaAvailable ? library.defaultEngine : 'local',
      };
    }
    case 'library-failed':
      return { ...state, libraryError: action.message };
    case 'queries-changed':
      return { ...state, library: state.library ? { ...state.library, queries: action.queries } : state.library };
    case 'query-deleted': {
      const next = libraryReducer(state, { type: 'queries-changed', queries: action.queries });
      return state.mode.kind === 'saved' && state.mode.id === action.id ? { ...next, mode: { kind: 'sql' } } : next;
    }
    case 'engine-chosen':
      return { ...state, engine: action.engine };
  }
}

/**
 * What is asked. Any change to it ends a refusal's story: the refusal was about the question as it
 * was (a bad SQL's alert does not outlive loading a starter query). An answer stays until the next.
 */
function questionReducer(
  state: DiscoveryState,
  action: ActionOf<
    | 'mode-chosen'
    | 'form-edited'
    | 'sql-edited'
    | 'range-edited'
    | 'sql-parameter-edited'
    | 'saved-parameter-edited'
    | 'query-picked'
    | 'edit-as-sql'
  >,
): DiscoveryState {
  if (action.type === 'sql-edited' && action.sql === state.sql) return state;
  const asked = askedOf(state, action);
  return { ...asked, run: withoutRefusal(asked.run) };
}

function askedOf(state: DiscoveryState, action: Parameters<typeof questionReducer>[1]): DiscoveryState {
  switch (action.type) {
    case 'mode-chosen':
      return { ...state, mode: { kind: action.mode } };
    case 'form-edited':
      return { ...state, form: action.form };
    case 'sql-edited':
      return { ...state, sql: action.sql };
    case 'range-edited':
      return { ...state, range: action.range };
    case 'sql-parameter-edited': {
      const current = state.sqlParams[action.name] ?? { type: 'string', value: '' };
      return { ...state, sqlParams: { ...state.sqlParams, [action.name]: { ...current, ...action.patch } } };
    }
    case 'saved-parameter-edited':
      return { ...state, savedParams: { ...state.savedParams, [action.name]: action.value } };
    case 'query-picked':
      return picked(state, action.query);
    case 'edit-as-sql': {
      const { query } = action;
      const sqlParams = Object.fromEntries(
        query.parameters.map((p) => [p.name, { type: p.type, value: state.savedParams[p.name] ?? '' }]),
      );
      return {
        ...state,
        sql: query.query.kind === 'sql' ? query.query.sql : state.sql,
        sqlParams,
        mode: { kind: 'sql' },
      };
    }
  }
}

/** A form query opens in the form; a SQL one shows its parameters as fields, with their defaults. */
function picked(state: DiscoveryState, query: ListedQuery): DiscoveryState {
  if (query.query.kind === 'structured') {
    return { ...state, form: formFromStructured(query.query.structured), mode: { kind: 'form' } };
  }
  const savedParams = Object.fromEntries(
    query.parameters.map((p) => [p.name, p.default === undefined ? '' : String(p.default)]),
  );
  return { ...state, savedParams, mode: { kind: 'saved', id: query.id } };
}

/** A refusal, or a run that failed or was cancelled, leaves the screen; an answer or a run in flight stays. */
function withoutRefusal(run: RunStory): RunStory {
  if (run.kind === 'refused') return { kind: 'none' };
  if (run.kind === 'started' && (run.status?.state === 'failed' || run.status?.state === 'cancelled')) {
    return { kind: 'none' };
  }
  return run;
}

/**
 * The run's story. A new request replaces whatever was on screen at once (nothing shown belongs to
 * another query); answers about an older request or run are dropped.
 */
function runReducer(
  run: RunStory,
  action: ActionOf<'run-requested' | 'run-refused' | 'run-started' | 'run-status' | 'run-status-failed'>,
): RunStory {
  switch (action.type) {
    case 'run-requested':
      return { kind: 'starting', request: action.request };
    case 'run-refused':
      return run.kind === 'starting' && run.request === action.request
        ? { kind: 'refused', request: action.request, error: action.error }
        : run;
    case 'run-started':
      return run.kind === 'starting' && run.request === action.request
        ? { kind: 'started', request: action.request, runId: action.runId, status: null, pollError: null }
        : run;
    case 'run-status':
      return run.kind === 'started' && run.runId === action.runId ? { ...run, status: action.status } : run;
    case 'run-status-failed':
      return run.kind === 'started' && run.runId === action.runId ? { ...run, pollError: action.error } : run;
  }
}

function savingReducer(
  state: DiscoveryState,
  action: ActionOf<'notice' | 'save-opened' | 'save-edited' | 'save-closed' | 'query-saved'>,
): DiscoveryState {
  switch (action.type) {
    case 'notice':
      return { ...state, notice: action.text };
    case 'save-opened':
      return { ...state, saving: { name: '', description: '' } };
    case 'save-edited':
      return { ...state, saving: action.draft };
    case 'save-closed':
      return { ...state, saving: null };
    case 'query-saved': {
      const next = libraryReducer(state, { type: 'queries-changed', queries: action.queries });
      return { ...next, saving: null, notice: `Saved "${action.name}" (${action.id}).` };
    }
  }
}

// ---- What the page shows and sends, read from the state ----

/** The library query in use, in the "saved" mode. */
export function selectedQuery(state: DiscoveryState): ListedQuery | null {
  const { mode } = state;
  return mode.kind === 'saved' ? (state.library?.queries.find((q) => q.id === mode.id) ?? null) : null;
}

/** The query as the page asks it now. */
export function requestQuery(state: DiscoveryState): RunRequestQuery {
  const { mode, range } = state;
  if (mode.kind === 'form')
    return { kind: 'structured', structured: structuredFromForm(state.form) } as RunRequestQuery;
  const days = range.everyDay ? null : { from: range.from, to: range.to };
  if (mode.kind === 'saved') {
    const parameters: Record<string, RawParameterValue> = {};
    for (const [k, v] of Object.entries(state.savedParams)) if (v !== '') parameters[k] = v;
    return { kind: 'saved', id: mode.id, parameters, range: days };
  }
  const parameters: TypedParameterValue[] = parametersIn(state.sql).map((name) => {
    const p = state.sqlParams[name] ?? { type: 'string' as const, value: '' };
    return { name, type: p.type, value: typedValue(p.type, p.value) };
  });
  return { kind: 'sql', sql: state.sql, parameters, range: days };
}

/** The run request for the question as asked now, on the chosen engine. */
export function runRequest(state: DiscoveryState): RunRequest {
  return { query: requestQuery(state), engine: state.engine, confirmUnboundedScan: false };
}

/** The query to save under the draft's name: the form as it is, or the SQL with its parameters' types. */
export function savedQueryInput(state: DiscoveryState, draft: SaveDraft): SavedQueryInput {
  const base = { id: slugOf(draft.name), name: draft.name, description: draft.description };
  if (state.mode.kind === 'form') {
    return { ...base, query: { kind: 'structured', structured: structuredFromForm(state.form) }, parameters: [] };
  }
  return {
    ...base,
    query: { kind: 'sql', sql: state.sql },
    parameters: parametersIn(state.sql).map((name) => ({
      name,
      type: state.sqlParams[name]?.type ?? 'string',
      label: name.replace(/_/g, ' '),
    })),
  };
}

/** A run is in flight (it can be cancelled, not run again). */
export function isRunning(state: DiscoveryState): boolean {
  const { run } = state;
  return run.kind === 'started' && (run.status === null || run.status.state === 'running');
}

/** "Run query" is offered: nothing is being started or running. */
export function canRun(state: DiscoveryState): boolean {
  return state.run.kind !== 'starting' && !isRunning(state);
}

/** The refusal to start, or the failure to follow, the last run. */
export function startError(state: DiscoveryState): ResultError | null {
  const { run } = state;
  return run.kind === 'refused' ? run.error : run.kind === 'started' ? run.pollError : null;
}

/** Why the last question got no answer: refused before it ran, or failed while running. */
export function refusalOf(state: DiscoveryState): ResultError | null {
  const { run } = state;
  const failed = run.kind === 'started' && run.status?.state === 'failed' ? run.status.error : null;
  return startError(state) ?? failed;
}

/** Athena refused to read every day unasked: the request to send again, confirmed, if the officer agrees. */
export function unboundedScanToConfirm(state: DiscoveryState): RunRequest | null {
  const { run } = state;
  if (run.kind !== 'refused' && run.kind !== 'started') return null;
  return refusalOf(state)?.code === 'QUERY_UNBOUNDED_SCAN' ? { ...run.request, confirmUnboundedScan: true } : null;
}

/**
 * The refusal's issues beside the fields they name, keyed as the page names its fields: a form
 * field (`users`, `from`), `sql`, `range.from`/`range.to`, or `parameter.<name>` for a value of
 * the SQL or of a library query.
 */
export function fieldErrors(state: DiscoveryState): FieldErrors {
  const { run } = state;
  if (run.kind !== 'refused') return {};
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(fieldErrorsFrom(run.error.issues, ['query']))) {
    const field = pageFieldOf(run.request.query, path.split('.'));
    if (field) errors[field] ??= message;
  }
  return errors;
}

function pageFieldOf(query: RunRequest['query'], path: readonly string[]): string | null {
  const [first, second, third] = path;
  if (query.kind === 'structured') {
    if (first !== 'structured' || !second) return null;
    return second === 'range' ? (third === 'to' ? 'to' : 'from') : second;
  }
  if (first === 'range') return second === 'to' ? 'range.to' : 'range.from';
  if (first === 'sql') return 'sql';
  if (first !== 'parameters' || second === undefined) return null;
  const name = query.kind === 'sql' ? query.parameters?.[Number(second)]?.name : second;
  return name ? `parameter.${name}` : null;
}

// ---- The form and the SQL's parameters ----

/** Several users or actions: one per line, or separated by commas. */
function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function structuredFromForm(f: FormFields): StructuredQueryInput {
  return {
    range: { from: f.from, to: f.to },
    users: splitList(f.users),
    entityType: f.entityType,
    entity: f.entity,
    actions: splitList(f.actions),
    service: f.service,
    status: f.status as StructuredQueryInput['status'],
    text: f.text,
  };
}

function formFromStructured(s: StructuredQuery): FormFields {
  return {
    from: s.range.from,
    to: s.range.to,
    users: s.users.join(', '),
    entityType: s.entityType ?? '',
    entity: s.entity ?? '',
    actions: s.actions.join(', '),
    service: s.service ?? '',
    status: s.status ?? '',
    text: s.text ?? '',
  };
}

/** The `:name` parameters a SQL text uses, in first-use order (none while the text does not scan). */
export function parametersIn(sql: string): string[] {
  try {
    return [...new Set(scanNamedParameters(sql).names)];
  } catch {
    return [];
  }
}

/** Form text as the JSON value of its type; the engine parses again and refuses what does not fit. */
function typedValue(type: ParameterType, text: string): string | number | boolean {
  if ((type === 'integer' || type === 'number') && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export const TYPE_LABELS: Record<ParameterType, string> = {
  string: 'text',
  integer: 'whole number',
  number: 'number',
  boolean: 'true/false',
  day: 'UTC day',
  instant: 'UTC instant',
};
export { PARAMETER_TYPES };

/** A saved-query id from its name: `Queue changes (FCA)` -> `queue-changes-fca`. */
function slugOf(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'query'
  );
}
