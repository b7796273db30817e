/**
 * The report's form: what it cites (the Discovery result handed over, or a saved or starter query
 * and its values), the examiner's request, the period and how the report is kept; each field with
 * its hint and the refusal's error that names it.
 */
import { useId, type Dispatch, type ReactNode, type Ref } from 'react';
import type { ResultMetadata } from '../../shared/discovery/result-metadata';
import { resultSummary } from '../discovery/discovery-format';
import { TYPE_LABELS } from '../discovery/discovery-model';
import {
  periodError,
  savedQuery,
  type Period,
  type ReportsAction,
  type ReportsState,
  type RequestFields,
} from './reports-model';
import { UTC_DAY_INPUT } from '../app/utc-day-input';

export function ReportForm({
  state,
  dispatch,
  running,
  formRef,
  onPreview,
  onGenerate,
}: {
  state: ReportsState;
  dispatch: Dispatch<ReportsAction>;
  /** A report is being started or written. */
  running: boolean;
  formRef: Ref<HTMLFormElement>;
  onPreview: () => void;
  onGenerate: () => void;
}) {
  return (
    <form
      ref={formRef}
      className="report-form"
      aria-label="The report"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onGenerate();
      }}
    >
      <SourceFieldset state={state} dispatch={dispatch} />
      <RequestFieldset
        fields={state.fields}
        errors={state.errors}
        onField={(key, value) => dispatch({ type: 'field-edited', key, value })}
      />
      <PeriodFieldset
        period={state.period}
        onPeriod={(period) => dispatch({ type: 'period-edited', period })}
        error={periodError(state)}
        archiveCopy={state.archiveCopy}
        onArchiveCopy={(on) => dispatch({ type: 'archive-copy-set', on })}
        includeObjects={state.includeObjects}
        onIncludeObjects={(on) => dispatch({ type: 'include-objects-set', on })}
      />
      <div className="actions">
        <button type="button" onClick={onPreview} disabled={state.previewing || running}>
          {state.previewing ? 'Preparing the preview…' : 'Preview'}
        </button>
        <button type="submit" className="primary" disabled={running}>
          Generate report
        </button>
      </div>
    </form>
  );
}

/** What the report cites: the Discovery result handed over, or a library query run over the period. */
function SourceFieldset({ state, dispatch }: { state: ReportsState; dispatch: Dispatch<ReportsAction> }) {
  const handoff = state.handoff?.metadata ?? null;
  const { source } = state;
  return (
    <fieldset>
      <legend>What the report cites</legend>
      {handoff && (
        <label className="choice">
          <input
            type="radio"
            name="source"
            checked={source === 'result'}
            onChange={() => dispatch({ type: 'source-chosen', source: 'result' })}
          />{' '}
          The result from Discovery
          <span className="hint source-detail">{describeHandoff(handoff)}</span>
        </label>
      )}
      <label className="choice">
        <input
          type="radio"
          name="source"
          checked={source === 'saved'}
          onChange={() => dispatch({ type: 'source-chosen', source: 'saved' })}
        />{' '}
        A saved or starter query, run over the period
      </label>
      {!handoff && (
        <p className="hint source-detail">
          Or run a query on the <a href="#/discovery">Discovery</a> page and choose &ldquo;Add to report&rdquo; on its
          result.
        </p>
      )}
      {source === 'saved' && <SavedQueryFields state={state} dispatch={dispatch} />}
    </fieldset>
  );
}

function SavedQueryFields({ state, dispatch }: { state: ReportsState; dispatch: Dispatch<ReportsAction> }) {
  const { errors } = state;
  const saved = savedQuery(state);
  return (
    <>
      <ReportField label="Query" error={errors['sources'] ?? errors['sources.0']} field="sources">
        {(props) => (
          <select
            {...props}
            value={state.savedId}
            onChange={(e) => dispatch({ type: 'saved-query-chosen', id: e.target.value })}
          >
            {state.library?.queries.map((q) => (
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
              value={state.savedParams[p.name] ?? ''}
              onChange={(e) => dispatch({ type: 'saved-parameter-edited', name: p.name, value: e.target.value })}
            />
          )}
        </ReportField>
      ))}
    </>
  );
}

function describeHandoff(m: ResultMetadata): string {
  const name = m.query.savedQuery?.name ?? (m.query.kind === 'structured' ? 'a form query' : 'an SQL query');
  return `${name}: ${resultSummary(m)}`;
}

/** The request fields, in the order the examiner's letter gives them. */
const REQUEST_FIELDS: readonly {
  key: keyof RequestFields;
  label: string;
  hint?: string;
  kind: 'text' | 'date' | 'textarea';
  required?: boolean;
}[] = [
  {
    key: 'reference',
    label: 'Request reference',
    hint: 'As the examiner wrote it (letter number, case id); it heads every page.',
    kind: 'text',
    required: true,
  },
  { key: 'requester', label: 'Requested by', hint: 'A person and their organisation.', kind: 'text' },
  { key: 'recipient', label: 'Regulator or auditor', kind: 'text' },
  { key: 'dueDate', label: 'Due date', kind: 'date' },
  { key: 'question', label: 'The question', hint: 'In words, as asked.', kind: 'textarea' },
  { key: 'preparedBy', label: 'Prepared by', kind: 'text' },
  {
    key: 'timeZone',
    label: 'Time zone',
    hint: 'Event times are shown in UTC and in this zone (an IANA name such as Europe/London).',
    kind: 'text',
  },
];

function RequestFieldset({
  fields,
  errors,
  onField,
}: {
  fields: RequestFields;
  errors: Readonly<Record<string, string>>;
  onField: (key: keyof RequestFields, value: string) => void;
}) {
  return (
    <fieldset>
      <legend>The request</legend>
      {REQUEST_FIELDS.map((f) => (
        <ReportField
          key={f.key}
          label={f.label}
          hint={f.hint}
          error={errors[`request.${f.key}`]}
          field={`request.${f.key}`}
        >
          {(props) =>
            f.kind === 'textarea' ? (
              <textarea {...props} rows={3} value={fields[f.key]} onChange={(e) => onField(f.key, e.target.value)} />
            ) : (
              <input
                {...props}
                type={f.kind}
                required={f.required}
                value={fields[f.key]}
                onChange={(e) => onField(f.key, e.target.value)}
              />
            )
          }
        </ReportField>
      ))}
    </fieldset>
  );
}

/** The period, and how the report is kept: a copy in the archive, the cited objects in the bundle. */
function PeriodFieldset(props: {
  period: Period;
  onPeriod: (period: Period) => void;
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
            {...UTC_DAY_INPUT}
            value={period.from}
            onChange={(e) => onPeriod({ ...period, from: e.target.value })}
          />
        )}
      </ReportField>
      <ReportField label="To (UTC day)" field="period.to">
        {(props) => (
          <input
            {...props}
            {...UTC_DAY_INPUT}
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
