/**
 * The question, three ways: the form (the questions asked most, no SQL), SQL over `audit_events`
 * with typed `:name` parameters, or a query from the library with its parameters as fields. Each
 * field shows the refusal's error that names it.
 *
 * The SQL editor (CodeMirror, the largest part of the renderer) is loaded on this page only: the
 * page asks for it as it opens, and the SQL tab waits for it if it has not arrived yet.
 */
import { lazy, Suspense, useId, type Dispatch, type ReactNode } from 'react';
import type { FieldErrors } from '../settings/field-errors';
import {
  PARAMETER_TYPES,
  TYPE_LABELS,
  type DiscoveryAction,
  type DiscoveryState,
  type FormFields,
  type ListedQuery,
  type RangeChoice,
  type SqlParameter,
} from './discovery-model';
import { UTC_DAY_INPUT } from '../app/utc-day-input';

const loadSqlEditor = () => import('./SqlEditor');
const SqlEditor = lazy(() => loadSqlEditor().then((m) => ({ default: m.SqlEditor })));

/** Starts loading the SQL editor, so the SQL tab opens at once. */
export function preloadSqlEditor(): void {
  void loadSqlEditor();
}

export function QueryPanel({
  state,
  dispatch,
  selected,
  sqlParameterNames,
  errors,
  onRun,
}: {
  state: DiscoveryState;
  dispatch: Dispatch<DiscoveryAction>;
  /** The library query in use (the "saved" mode). */
  selected: ListedQuery | null;
  sqlParameterNames: readonly string[];
  errors: FieldErrors;
  onRun: () => void;
}) {
  const { mode } = state;
  const onRange = (range: RangeChoice) => dispatch({ type: 'range-edited', range });
  return (
    <>
      <ModeTabs mode={mode.kind} selected={selected} onMode={(m) => dispatch({ type: 'mode-chosen', mode: m })} />
      {mode.kind === 'form' && (
        <QueryForm form={state.form} errors={errors} onChange={(form) => dispatch({ type: 'form-edited', form })} />
      )}
      {mode.kind === 'sql' && (
        <div className="sql-mode">
          <Suspense
            fallback={
              <p className="sql-editor" aria-busy="true">
                Loading the SQL editor…
              </p>
            }
          >
            <SqlEditor
              value={state.sql}
              onChange={(sql) => dispatch({ type: 'sql-edited', sql })}
              onRun={onRun}
              columns={state.library?.columns ?? []}
              label="SQL over audit_events"
            />
          </Suspense>
          <FieldError error={errors['sql']} />
          <SqlParameters
            names={sqlParameterNames}
            values={state.sqlParams}
            errors={errors}
            onChange={(name, patch) => dispatch({ type: 'sql-parameter-edited', name, patch })}
          />
          <RangeFields range={state.range} errors={errors} onChange={onRange} />
        </div>
      )}
      {mode.kind === 'saved' && selected && (
        <SavedMode
          query={selected}
          values={state.savedParams}
          errors={errors}
          onValue={(name, value) => dispatch({ type: 'saved-parameter-edited', name, value })}
          onEditAsSql={() => dispatch({ type: 'edit-as-sql', query: selected })}
        >
          <RangeFields range={state.range} errors={errors} onChange={onRange} />
        </SavedMode>
      )}
    </>
  );
}

function ModeTabs({
  mode,
  selected,
  onMode,
}: {
  mode: 'form' | 'sql' | 'saved';
  selected: ListedQuery | null;
  onMode: (mode: 'form' | 'sql') => void;
}) {
  return (
    <div className="mode-tabs" role="tablist" aria-label="How to ask">
      <button type="button" role="tab" aria-selected={mode === 'form'} onClick={() => onMode('form')}>
        Form
      </button>
      <button type="button" role="tab" aria-selected={mode === 'sql'} onClick={() => onMode('sql')}>
        SQL
      </button>
      {selected && (
        <button type="button" role="tab" aria-selected>
          {selected.name}
        </button>
      )}
    </div>
  );
}

/** A field's error from the last refusal, tied to its control by `aria-describedby`. */
function FieldError({ id, error }: { id?: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <span className="field-error" id={id}>
      {error}
    </span>
  );
}

/** The props that mark a control invalid and point it at its error. */
function invalidProps(errorId: string, error: string | undefined) {
  return error ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};
}

function SqlParameters({
  names,
  values,
  errors,
  onChange,
}: {
  names: readonly string[];
  values: Readonly<Record<string, SqlParameter>>;
  errors: FieldErrors;
  onChange: (name: string, patch: Partial<SqlParameter>) => void;
}) {
  if (names.length === 0) return null;
  return (
    <fieldset className="parameters">
      <legend>Parameters</legend>
      {names.map((name) => {
        const p = values[name] ?? { type: 'string' as const, value: '' };
        const error = errors[`parameter.${name}`];
        return (
          <div className="parameter" key={name}>
            <label htmlFor={`param-${name}`}>:{name}</label>
            <select
              aria-label={`Type of :${name}`}
              value={p.type}
              onChange={(e) => onChange(name, { type: e.target.value as SqlParameter['type'] })}
            >
              {PARAMETER_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
            <input
              id={`param-${name}`}
              value={p.value}
              onChange={(e) => onChange(name, { value: e.target.value })}
              {...invalidProps(`param-${name}-error`, error)}
            />
            <FieldError id={`param-${name}-error`} error={error} />
          </div>
        );
      })}
    </fieldset>
  );
}

function SavedMode({
  query,
  values,
  errors,
  onValue,
  onEditAsSql,
  children,
}: {
  query: ListedQuery;
  values: Readonly<Record<string, string>>;
  errors: FieldErrors;
  onValue: (name: string, value: string) => void;
  onEditAsSql: () => void;
  /** The range fields. */
  children: ReactNode;
}) {
  return (
    <div className="saved-mode">
      <p>{query.description}</p>
      {query.parameters.length > 0 && (
        <fieldset className="parameters">
          <legend>Parameters</legend>
          {query.parameters.map((p) => {
            const error = errors[`parameter.${p.name}`];
            return (
              <div className="parameter" key={p.name}>
                <label htmlFor={`saved-${p.name}`}>{p.label}</label>
                <span className="hint">{TYPE_LABELS[p.type]}</span>
                <input
                  id={`saved-${p.name}`}
                  value={values[p.name] ?? ''}
                  onChange={(e) => onValue(p.name, e.target.value)}
                  {...invalidProps(`saved-${p.name}-error`, error)}
                />
                <FieldError id={`saved-${p.name}-error`} error={error} />
              </div>
            );
          })}
        </fieldset>
      )}
      {children}
      <details>
        <summary>SQL</summary>
        <pre className="sql-text">{query.query.kind === 'sql' ? query.query.sql : ''}</pre>
        <button type="button" onClick={onEditAsSql}>
          Edit as SQL
        </button>
      </details>
    </div>
  );
}

function RangeFields({
  range,
  errors,
  onChange,
}: {
  range: RangeChoice;
  errors: FieldErrors;
  onChange: (r: RangeChoice) => void;
}) {
  const id = useId();
  const error = errors['range.from'] ?? errors['range.to'];
  return (
    <fieldset className="range">
      <legend>UTC days</legend>
      <label>
        From{' '}
        <input
          {...UTC_DAY_INPUT}
          value={range.from}
          disabled={range.everyDay}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
          {...invalidProps(id, errors['range.from'])}
        />
      </label>
      <label>
        To{' '}
        <input
          {...UTC_DAY_INPUT}
          value={range.to}
          disabled={range.everyDay}
          onChange={(e) => onChange({ ...range, to: e.target.value })}
          {...invalidProps(id, errors['range.to'])}
        />
      </label>
      <label className="every-day">
        <input
          type="checkbox"
          checked={range.everyDay}
          onChange={(e) => onChange({ ...range, everyDay: e.target.checked })}
        />{' '}
        Every day (Athena asks you to confirm the full scan)
      </label>
      <FieldError id={id} error={error} />
    </fieldset>
  );
}

const FORM_FIELDS: readonly {
  key: Exclude<keyof FormFields, 'from' | 'to' | 'status'>;
  label: string;
  hint: string;
}[] = [
  { key: 'users', label: 'Users', hint: 'user names or ids, separated by commas' },
  { key: 'entityType', label: 'Entity type', hint: 'e.g. Queue, User, Role, Trunk, Flow' },
  { key: 'entity', label: 'Entity', hint: 'its name or id, e.g. a queue name' },
  { key: 'actions', label: 'Actions', hint: 'e.g. Update, Delete, GrantAdd (commas for several)' },
  { key: 'service', label: 'Service', hint: 'e.g. Routing, Directory, Authorization' },
];

function QueryForm({
  form,
  errors,
  onChange,
}: {
  form: FormFields;
  errors: FieldErrors;
  onChange: (f: FormFields) => void;
}) {
  const field = (key: keyof FormFields, label: string, hint?: string) => (
    <div className="form-field" key={key}>
      <label htmlFor={`q-${key}`}>{label}</label>
      <input
        id={`q-${key}`}
        value={form[key]}
        onChange={(e) => onChange({ ...form, [key]: e.target.value })}
        {...invalidProps(`q-${key}-error`, errors[key])}
      />
      {hint && <span className="hint">{hint}</span>}
      <FieldError id={`q-${key}-error`} error={errors[key]} />
    </div>
  );
  return (
    <div className="query-form">
      <FormRange form={form} errors={errors} onChange={onChange} />
      {FORM_FIELDS.map((f) => field(f.key, f.label, f.hint))}
      <div className="form-field">
        <label htmlFor="q-status">Status</label>
        <select
          id="q-status"
          value={form.status}
          onChange={(e) => onChange({ ...form, status: e.target.value })}
          {...invalidProps('q-status-error', errors['status'])}
        >
          <option value="">any</option>
          <option value="SUCCESS">SUCCESS</option>
          <option value="FAILURE">FAILURE</option>
          <option value="WARNING">WARNING</option>
        </select>
        <FieldError id="q-status-error" error={errors['status']} />
      </div>
      {field('text', 'Free text', 'found in user and entity names and in property changes')}
    </div>
  );
}

function FormRange({
  form,
  errors,
  onChange,
}: {
  form: FormFields;
  errors: FieldErrors;
  onChange: (f: FormFields) => void;
}) {
  const id = useId();
  return (
    <fieldset className="range">
      <legend>UTC days (required)</legend>
      <label>
        From{' '}
        <input
          {...UTC_DAY_INPUT}
          value={form.from}
          required
          onChange={(e) => onChange({ ...form, from: e.target.value })}
          {...invalidProps(id, errors['from'])}
        />
      </label>
      <label>
        To{' '}
        <input
          {...UTC_DAY_INPUT}
          value={form.to}
          required
          onChange={(e) => onChange({ ...form, to: e.target.value })}
          {...invalidProps(id, errors['to'])}
        />
      </label>
      <FieldError id={id} error={errors['from'] ?? errors['to']} />
    </fieldset>
  );
}
