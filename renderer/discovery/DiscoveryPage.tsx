/**
 * Discovery: answer an examiner's question over years of audits. Three ways to ask: the form (the
 * questions asked most, no SQL), SQL over `audit_events` (typed `:name` parameters), or a query from
 * the library (starters and saved ones, their parameters as form fields). The query runs in main,
 * locally (DuckDB) or in Athena; the page shows progress, the rows (virtualised), what was read and,
 * for Athena, the data scanned and its cost; it can cancel, export, and hand the result to a report.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { describeGapSpan, gapHeadline, gapMeaning, gapSpans, type ArchiveGap } from '../../shared/archive-gaps';
import type { RawParameterValue, ParameterType, TypedParameterValue } from '../../shared/discovery/parameters';
import type { RunRequestQuery } from '../../shared/discovery/discovery-contract';
import type { QueryEngineKind } from '../../shared/discovery/result-metadata';
import type { SavedQueryInput } from '../../shared/discovery/saved-query';
import type { Bridge } from '../../shared/ipc/bridge';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { ResultError } from '../../shared/result';
import {
  defaultRange,
  formatBytes,
  formatCount,
  formatUsd,
  formFromStructured,
  parametersIn,
  PARAMETER_TYPES,
  resultSummary,
  slugOf,
  structuredFromForm,
  TYPE_LABELS,
  type FormFields,
} from './discovery-model';
import { handOffToReport } from './report-handoff';
import { ResultsTable } from './ResultsTable';
import { SqlEditor } from './SqlEditor';
import './discovery.css';

type Library = ResponseOf<'discovery:library'>;
type ListedQuery = Library['queries'][number];
type RunStatus = ResponseOf<'discovery:status'>;
type Mode = { kind: 'form' } | { kind: 'sql' } | { kind: 'saved'; id: string };

const EXAMPLE_SQL = `SELECT "user"."name" AS user_name, action, count(*) AS events
FROM audit_events
WHERE lower(entitytype) = lower(:entity_type)
GROUP BY 1, 2
ORDER BY events DESC`;

const POLL_MS = 250;

export function DiscoveryPage({ bridge }: { bridge: Bridge }) {
  const initialRange = useMemo(() => defaultRange(Date.now()), []);
  const [library, setLibrary] = useState<Library | null>(null);
  const [libraryError, setLibraryError] = useState<string | null>(null);
  const [engine, setEngine] = useState<QueryEngineKind>('local');
  const [mode, setMode] = useState<Mode>({ kind: 'form' });
  const [form, setForm] = useState<FormFields>({
    ...initialRange,
    users: '',
    entityType: '',
    entity: '',
    actions: '',
    service: '',
    status: '',
    text: '',
  });
  const [sql, setSql] = useState(EXAMPLE_SQL);
  const [range, setRange] = useState({ ...initialRange, everyDay: false });
  const [sqlParams, setSqlParams] = useState<Record<string, { type: ParameterType; value: string }>>({
    entity_type: { type: 'string', value: 'Queue' },
  });
  const [savedParams, setSavedParams] = useState<Record<string, string>>({});
  const [runId, setRunId] = useState<string | null>(null);
  const [status, setStatus] = useState<RunStatus | null>(null);
  const [startError, setStartError] = useState<ResultError | null>(null);
  const [lastRequest, setLastRequest] = useState<RequestOf<'discovery:run'> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState<{ name: string; description: string } | null>(null);
  const importInput = useRef<HTMLInputElement>(null);

  const loadLibrary = useCallback(async () => {
    const r = await bridge.discoveryLibrary({});
    if (!r.ok) return setLibraryError(r.error.message);
    setLibrary(r.value);
    setLibraryError(null);
    setEngine((e) => (r.value.athenaAvailable ? e : 'local'));
  }, [bridge]);

  useEffect(() => {
    void loadLibrary();
  }, [loadLibrary]);

  useEffect(() => {
    if (library) setEngine(library.athenaAvailable ? library.defaultEngine : 'local');
  }, [library?.defaultEngine, library?.athenaAvailable]);

  // Poll the run until it ends.
  useEffect(() => {
    if (!runId) return;
    let stopped = false;
    const tick = async () => {
      const r = await bridge.discoveryStatus({ runId });
      if (stopped) return;
      if (!r.ok) {
        setStartError(r.error);
        return;
      }
      setStatus(r.value);
      if (r.value.state === 'running') timer = setTimeout(tick, POLL_MS);
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [bridge, runId]);

  const selected = mode.kind === 'saved' ? (library?.queries.find((q) => q.id === mode.id) ?? null) : null;
  const sqlParamNames = useMemo(() => parametersIn(sql), [sql]);

  function requestQuery(): RunRequestQuery {
    if (mode.kind === 'form') return { kind: 'structured', structured: structuredFromForm(form) } as RunRequestQuery;
    const r = range.everyDay ? null : { from: range.from, to: range.to };
    if (mode.kind === 'saved') {
      const parameters: Record<string, RawParameterValue> = {};
      for (const [k, v] of Object.entries(savedParams)) if (v !== '') parameters[k] = v;
      return { kind: 'saved', id: mode.id, parameters, range: r };
    }
    const parameters: TypedParameterValue[] = sqlParamNames.map((name) => {
      const p = sqlParams[name] ?? { type: 'string' as const, value: '' };
      return { name, type: p.type, value: typedValue(p.type, p.value) };
    });
    return { kind: 'sql', sql, parameters, range: r };
  }

  async function run(confirmUnboundedScan = false, request?: RequestOf<'discovery:run'>) {
    setStartError(null);
    setNotice(null);
    const req = request ?? { query: requestQuery(), engine, confirmUnboundedScan };
    // The previous result leaves the screen at once: nothing on show belongs to another query.
    setRunId(null);
    setStatus(null);
    setLastRequest({ ...req, confirmUnboundedScan });
    const r = await bridge.discoveryRun({ ...req, confirmUnboundedScan });
    if (!r.ok) {
      setStartError(r.error);
      return;
    }
    setStatus(null);
    setRunId(r.value.runId);
  }

  async function cancel() {
    if (runId) await bridge.discoveryCancel({ runId });
  }

  async function exportResult(format: 'csv' | 'ndjson') {
    if (!runId) return;
    const r = await bridge.discoveryExport({ runId, format });
    setNotice(
      r.ok
        ? `Exported ${formatCount(r.value.rows)} rows to ${r.value.file}, with the query and its metadata in ${r.value.metadataFile}.`
        : r.error.message,
    );
  }

  async function saveQuery() {
    if (!saving) return;
    const base = { id: slugOf(saving.name), name: saving.name, description: saving.description };
    const query: SavedQueryInput =
      mode.kind === 'form'
        ? { ...base, query: { kind: 'structured', structured: structuredFromForm(form) }, parameters: [] }
        : {
            ...base,
            query: { kind: 'sql', sql },
            parameters: sqlParamNames.map((name) => ({
              name,
              type: sqlParams[name]?.type ?? 'string',
              label: name.replace(/_/g, ' '),
            })),
          };
    const r = await bridge.discoverySaveQuery({ query: query as RequestOf<'discovery:save-query'>['query'] });
    if (!r.ok) return setNotice(r.error.message);
    setLibrary((l) => (l ? { ...l, queries: r.value.queries } : l));
    setSaving(null);
    setNotice(`Saved "${saving.name}" (${base.id}).`);
  }

  async function deleteQuery(q: ListedQuery) {
    const r = await bridge.discoveryDeleteQuery({ id: q.id });
    if (!r.ok) return setNotice(r.error.message);
    setLibrary((l) => (l ? { ...l, queries: r.value.queries } : l));
    if (mode.kind === 'saved' && mode.id === q.id) setMode({ kind: 'sql' });
  }

  async function exportQueries() {
    const r = await bridge.discoveryExportQueries({});
    if (!r.ok) return setNotice(r.error.message);
    const url = URL.createObjectURL(new Blob([JSON.stringify(r.value.file, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'audit-archive-queries.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async function importQueries(file: File) {
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      return setNotice(`${file.name} is not JSON; nothing was imported.`);
    }
    const r = await bridge.discoveryImportQueries({ file: json });
    if (!r.ok) return setNotice(r.error.message);
    setLibrary((l) => (l ? { ...l, queries: r.value.queries } : l));
    setNotice(
      `Imported ${r.value.added} new and ${r.value.replaced} replaced saved quer${r.value.added + r.value.replaced === 1 ? 'y' : 'ies'}.`,
    );
  }

  function pick(q: ListedQuery) {
    if (q.query.kind === 'structured') {
      setForm(formFromStructured(q.query.structured));
      setMode({ kind: 'form' });
      return;
    }
    const values: Record<string, string> = {};
    for (const p of q.parameters) values[p.name] = p.default === undefined ? '' : String(p.default);
    setSavedParams(values);
    setMode({ kind: 'saved', id: q.id });
  }

  const running = status?.state === 'running' || (runId !== null && status === null);
  const refusal = startError ?? (status?.state === 'failed' ? status.error : null);
  const unboundedRefused = refusal?.code === 'QUERY_UNBOUNDED_SCAN';

  return (
    <section className="discovery" aria-labelledby="discovery-title">
      <header className="discovery-head">
        <h2 id="discovery-title">Ask the archive</h2>
        <p className="hint">
          Every query reads each archived event once, over whole UTC days. Values you type are sent as typed parameters,
          never as SQL.
        </p>
      </header>
      {libraryError && (
        <p className="banner banner-error" role="alert">
          {libraryError}
        </p>
      )}
      <div className="discovery-layout">
        <aside className="query-library" aria-label="Query library">
          <h3>Starter queries</h3>
          <QueryList
            queries={library?.queries.filter((q) => q.builtIn) ?? []}
            selected={mode.kind === 'saved' ? mode.id : null}
            onPick={pick}
          />
          <h3>Saved queries</h3>
          {library && library.queries.filter((q) => !q.builtIn).length === 0 && (
            <p className="hint">None yet: run a query, then save it.</p>
          )}
          <QueryList
            queries={library?.queries.filter((q) => !q.builtIn) ?? []}
            selected={mode.kind === 'saved' ? mode.id : null}
            onPick={pick}
            onDelete={deleteQuery}
          />
          <div className="actions">
            <button type="button" onClick={() => void exportQueries()}>
              Export saved
            </button>
            <button type="button" onClick={() => importInput.current?.click()}>
              Import…
            </button>
            <input
              ref={importInput}
              className="visually-hidden"
              type="file"
              accept="application/json,.json"
              aria-label="Import saved queries"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void importQueries(f);
                e.target.value = '';
              }}
            />
          </div>
        </aside>

        <div className="query-panel">
          <div className="mode-tabs" role="tablist" aria-label="How to ask">
            <button
              type="button"
              role="tab"
              aria-selected={mode.kind === 'form'}
              onClick={() => setMode({ kind: 'form' })}
            >
              Form
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode.kind === 'sql'}
              onClick={() => setMode({ kind: 'sql' })}
            >
              SQL
            </button>
            {selected && (
              <button type="button" role="tab" aria-selected>
                {selected.name}
              </button>
            )}
          </div>

          {mode.kind === 'form' && <QueryForm form={form} onChange={setForm} />}

          {mode.kind === 'sql' && (
            <div className="sql-mode">
              <SqlEditor
                value={sql}
                onChange={setSql}
                onRun={() => void run()}
                columns={library?.columns ?? []}
                label="SQL over audit_events"
              />
              {sqlParamNames.length > 0 && (
                <fieldset className="parameters">
                  <legend>Parameters</legend>
                  {sqlParamNames.map((name) => {
                    const p = sqlParams[name] ?? { type: 'string' as const, value: '' };
                    const set = (next: Partial<typeof p>) =>
                      setSqlParams((all) => ({ ...all, [name]: { ...p, ...next } }));
                    return (
                      <div className="parameter" key={name}>
                        <label htmlFor={`param-${name}`}>:{name}</label>
                        <select
                          aria-label={`Type of :${name}`}
                          value={p.type}
                          onChange={(e) => set({ type: e.target.value as ParameterType })}
                        >
                          {PARAMETER_TYPES.map((t) => (
                            <option key={t} value={t}>
                              {TYPE_LABELS[t]}
                            </option>
                          ))}
                        </select>
                        <input id={`param-${name}`} value={p.value} onChange={(e) => set({ value: e.target.value })} />
                      </div>
                    );
                  })}
                </fieldset>
              )}
              <RangeFields range={range} onChange={setRange} />
            </div>
          )}

          {mode.kind === 'saved' && selected && (
            <div className="saved-mode">
              <p>{selected.description}</p>
              {selected.parameters.length > 0 && (
                <fieldset className="parameters">
                  <legend>Parameters</legend>
                  {selected.parameters.map((p) => (
                    <div className="parameter" key={p.name}>
                      <label htmlFor={`saved-${p.name}`}>{p.label}</label>
                      <span className="hint">{TYPE_LABELS[p.type]}</span>
                      <input
                        id={`saved-${p.name}`}
                        value={savedParams[p.name] ?? ''}
                        onChange={(e) => setSavedParams((all) => ({ ...all, [p.name]: e.target.value }))}
                      />
                    </div>
                  ))}
                </fieldset>
              )}
              <RangeFields range={range} onChange={setRange} />
              <details>
                <summary>SQL</summary>
                <pre className="sql-text">{selected.query.kind === 'sql' ? selected.query.sql : ''}</pre>
                <button
                  type="button"
                  onClick={() => {
                    if (selected.query.kind === 'sql') setSql(selected.query.sql);
                    setSqlParams(
                      Object.fromEntries(
                        selected.parameters.map((p) => [p.name, { type: p.type, value: savedParams[p.name] ?? '' }]),
                      ),
                    );
                    setMode({ kind: 'sql' });
                  }}
                >
                  Edit as SQL
                </button>
              </details>
            </div>
          )}

          <div className="run-bar">
            <label>
              Engine{' '}
              <select value={engine} onChange={(e) => setEngine(e.target.value as QueryEngineKind)} aria-label="Engine">
                <option value="local">Local (DuckDB)</option>
                <option value="athena" disabled={!library?.athenaAvailable}>
                  Athena{library?.athenaAvailable ? '' : ' (needs an S3 archive)'}
                </option>
              </select>
            </label>
            <button type="button" className="primary" onClick={() => void run()} disabled={running}>
              Run query
            </button>
            <button type="button" onClick={() => void cancel()} disabled={!running}>
              Cancel
            </button>
            {mode.kind !== 'saved' && (
              <button type="button" onClick={() => setSaving({ name: '', description: '' })}>
                Save query…
              </button>
            )}
          </div>

          {saving && (
            <div className="save-query" role="group" aria-label="Save query">
              <label>
                Name <input value={saving.name} onChange={(e) => setSaving({ ...saving, name: e.target.value })} />
              </label>
              <label>
                Description{' '}
                <input
                  value={saving.description}
                  onChange={(e) => setSaving({ ...saving, description: e.target.value })}
                />
              </label>
              <button type="button" className="primary" disabled={!saving.name.trim()} onClick={() => void saveQuery()}>
                Save
              </button>
              <button type="button" onClick={() => setSaving(null)}>
                Close
              </button>
            </div>
          )}
        </div>
      </div>

      {notice && (
        <p className="banner banner-info" role="status">
          {notice}
        </p>
      )}
      {startError && !unboundedRefused && (
        <p className="banner banner-error" role="alert">
          {startError.message} <span className="detail">[{startError.code}]</span>
        </p>
      )}
      {unboundedRefused && lastRequest && (
        <div className="banner banner-warning confirm" role="alert">
          <p>{refusal?.message}</p>
          <button type="button" className="danger" onClick={() => void run(true, lastRequest)}>
            Run it over every day
          </button>
        </div>
      )}

      {!unboundedRefused && <RunView bridge={bridge} runId={runId} status={status} onExport={exportResult} />}
    </section>
  );
}

function typedValue(type: ParameterType, text: string): string | number | boolean {
  // The engine parses again and refuses what does not fit its type; this only turns form text into JSON.
  if ((type === 'integer' || type === 'number') && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function QueryList({
  queries,
  selected,
  onPick,
  onDelete,
}: {
  queries: ListedQuery[];
  selected: string | null;
  onPick: (q: ListedQuery) => void;
  onDelete?: (q: ListedQuery) => void;
}) {
  return (
    <ul className="query-list">
      {queries.map((q) => (
        <li key={q.id}>
          <button
            type="button"
            className="query-pick"
            aria-pressed={selected === q.id}
            onClick={() => onPick(q)}
            title={q.description}
          >
            {q.name}
          </button>
          {onDelete && (
            <button type="button" className="query-delete" aria-label={`Delete ${q.name}`} onClick={() => onDelete(q)}>
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function RangeFields({
  range,
  onChange,
}: {
  range: { from: string; to: string; everyDay: boolean };
  onChange: (r: { from: string; to: string; everyDay: boolean }) => void;
}) {
  return (
    <fieldset className="range">
      <legend>UTC days</legend>
      <label>
        From{' '}
        <input
          type="date"
          value={range.from}
          disabled={range.everyDay}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
        />
      </label>
      <label>
        To{' '}
        <input
          type="date"
          value={range.to}
          disabled={range.everyDay}
          onChange={(e) => onChange({ ...range, to: e.target.value })}
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
    </fieldset>
  );
}

function QueryForm({ form, onChange }: { form: FormFields; onChange: (f: FormFields) => void }) {
  const field = (key: keyof FormFields, label: string, hint?: string) => (
    <div className="form-field">
      <label htmlFor={`q-${key}`}>{label}</label>
      <input id={`q-${key}`} value={form[key]} onChange={(e) => onChange({ ...form, [key]: e.target.value })} />
      {hint && <span className="hint">{hint}</span>}
    </div>
  );
  return (
    <div className="query-form">
      <fieldset className="range">
        <legend>UTC days (required)</legend>
        <label>
          From{' '}
          <input type="date" value={form.from} required onChange={(e) => onChange({ ...form, from: e.target.value })} />
        </label>
        <label>
          To <input type="date" value={form.to} required onChange={(e) => onChange({ ...form, to: e.target.value })} />
        </label>
      </fieldset>
      {field('users', 'Users', 'user names or ids, separated by commas')}
      {field('entityType', 'Entity type', 'e.g. Queue, User, Role, Trunk, Flow')}
      {field('entity', 'Entity', 'its name or id, e.g. a queue name')}
      {field('actions', 'Actions', 'e.g. Update, Delete, GrantAdd (commas for several)')}
      {field('service', 'Service', 'e.g. Routing, Directory, Authorization')}
      <div className="form-field">
        <label htmlFor="q-status">Status</label>
        <select id="q-status" value={form.status} onChange={(e) => onChange({ ...form, status: e.target.value })}>
          <option value="">any</option>
          <option value="SUCCESS">SUCCESS</option>
          <option value="FAILURE">FAILURE</option>
          <option value="WARNING">WARNING</option>
        </select>
      </div>
      {field('text', 'Free text', 'found in user and entity names and in property changes')}
    </div>
  );
}

function RunView({
  bridge,
  runId,
  status,
  onExport,
}: {
  bridge: Bridge;
  runId: string | null;
  status: RunStatus | null;
  onExport: (f: 'csv' | 'ndjson') => void;
}) {
  if (!runId) return null;
  if (!status) {
    return (
      <p className="run-status" aria-busy="true">
        Starting…
      </p>
    );
  }
  const m = status.metadata;
  return (
    <div className="run">
      {status.state === 'running' && (
        <p className="run-status" role="status" aria-busy="true">
          {status.progress?.message ?? 'Running…'}
          {status.progress?.bytesScanned !== undefined
            ? ` · ${formatBytes(status.progress.bytesScanned)} scanned so far`
            : ''}
          {status.rowCount > 0 ? ` · ${formatCount(status.rowCount)} rows so far` : ''}
        </p>
      )}
      {status.state === 'succeeded' && m && (
        <div className="run-done">
          <p className="run-summary" role="status">
            {resultSummary(m)}
          </p>
          <AnswerGaps gaps={m.gaps ?? []} engine={m.engine.kind} />
          {(m.warnings ?? []).map((w) => (
            <p key={w} className="banner banner-warning run-warning">
              <strong>Cache check: </strong>
              {w}
            </p>
          ))}
          {m.cost && (
            <p className="run-cost">
              Data scanned: <strong>{formatBytes(m.cost.bytesScanned)}</strong> · billed{' '}
              {formatBytes(m.cost.billedBytes)} · cost <strong>{formatUsd(m.cost.costUsd)}</strong> ($5 per TB, 10 MB
              minimum)
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={() => onExport('csv')}>
              Export CSV
            </button>
            <button type="button" onClick={() => onExport('ndjson')}>
              Export NDJSON
            </button>
            <button type="button" className="primary" onClick={() => handOffToReport(m, runId)}>
              Add to report
            </button>
          </div>
        </div>
      )}
      {(status.state === 'failed' || status.state === 'cancelled') && status.error && (
        <p className={`banner ${status.state === 'cancelled' ? 'banner-warning' : 'banner-error'}`} role="alert">
          {status.state === 'cancelled' ? 'Cancelled. ' : ''}
          {status.error.message} <span className="detail">[{status.error.code}]</span>
        </p>
      )}
      {status.columns && (
        <ResultsTable bridge={bridge} runId={runId} columns={status.columns} rowCount={status.rowCount} />
      )}
    </div>
  );
}

/** The days of the range the answer does not cover, named in words (the calendar's states), never by colour alone. */
function AnswerGaps({ gaps, engine }: { gaps: readonly ArchiveGap[]; engine: 'local' | 'athena' }) {
  if (gaps.length === 0) return null;
  return (
    <section className="banner banner-warning run-gaps" aria-labelledby="run-gaps-title">
      <h3 id="run-gaps-title">{gapHeadline(gaps)}</h3>
      <p>{gapMeaning(gaps, engine)} The calendar shows each of them.</p>
      <ul className="plain">
        {gapSpans(gaps).map((span) => (
          <li key={span.from}>{describeGapSpan(span)}</li>
        ))}
      </ul>
    </section>
  );
}
