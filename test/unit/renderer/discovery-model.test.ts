/**
 * The Discovery page's rules, as the officer meets them: what the page sends for the question on
 * screen, which story about the last question is shown (one at a time), and where a refusal's
 * errors land. Refusals are made by the real contract, as the engine's dispatch makes them.
 */
import { describe, expect, it } from 'vitest';
import { STARTER_QUERIES } from '../../../shared/discovery/starter-queries';
import { contract, fieldIssues } from '../../../shared/ipc/contract';
import type { ResultError } from '../../../shared/result';
import {
  canRun,
  discoveryReducer,
  fieldErrors,
  initialDiscoveryState,
  isRunning,
  refusalOf,
  requestQuery,
  runRequest,
  savedQueryInput,
  selectedQuery,
  startError,
  unboundedScanToConfirm,
  type DiscoveryAction,
  type DiscoveryState,
  type Library,
  type ListedQuery,
  type RunRequest,
  type RunStatus,
} from '../../../renderer/discovery/discovery-model';

const NOW = Date.parse('2026-03-15T10:00:00Z');
const RUN_ID = '3f2b8c1e-1111-4a2b-9c3d-0123456789ab';
const OTHER_RUN_ID = '9a8b7c6d-2222-4e5f-8a9b-0123456789ab';

const starters: ListedQuery[] = STARTER_QUERIES.map((q) => ({ ...q, builtIn: true }));
const oneUser = starters.find((q) => q.id === 'everything-one-user-did') as ListedQuery;
const formQuery: ListedQuery = {
  id: 'queue-deletes',
  name: 'Queue deletions',
  description: 'Deleted queues',
  builtIn: false,
  query: {
    kind: 'structured',
    structured: {
      range: { from: '2026-01-01', to: '2026-01-31' },
      users: [],
      actions: ['Delete'],
      entityType: 'Queue',
    },
  },
  parameters: [],
};

function library(overrides: Partial<Library> = {}): Library {
  return {
    queries: [...starters, formQuery],
    defaultEngine: 'athena',
    athenaAvailable: true,
    archive: 's3://acme-audit/genesys',
    columns: ['action', 'entitytype'],
    ...overrides,
  };
}

function apply(state: DiscoveryState, ...actions: DiscoveryAction[]): DiscoveryState {
  return actions.reduce(discoveryReducer, state);
}

function loaded(overrides: Partial<Library> = {}): DiscoveryState {
  return apply(initialDiscoveryState(NOW), { type: 'library-loaded', library: library(overrides) });
}

/** The refusal the engine's door (dispatch) gives a request the contract refuses. */
function contractRefusal(request: RunRequest): ResultError {
  const parsed = contract['discovery:run'].request.safeParse(request);
  if (parsed.success) throw new Error('the contract accepts this request');
  return { code: 'INVALID_REQUEST', message: 'refused', issues: fieldIssues(parsed.error) };
}

function status(state: RunStatus['state'], error: RunStatus['error'] = null): RunStatus {
  return { state, progress: null, rowCount: 0, columns: null, metadata: null, error };
}

/** The question on screen sent, and the engine refusing it with `error`. */
function refused(state: DiscoveryState, error: ResultError): DiscoveryState {
  const request = runRequest(state);
  return apply(state, { type: 'run-requested', request }, { type: 'run-refused', request, error });
}

/** The question on screen sent, started as RUN_ID, and its status `s`. */
function started(state: DiscoveryState, s: RunStatus | null, runId = RUN_ID): DiscoveryState {
  const request = runRequest(state);
  const next = apply(state, { type: 'run-requested', request }, { type: 'run-started', request, runId });
  return s ? apply(next, { type: 'run-status', runId, status: s }) : next;
}

const badSql: ResultError = { code: 'QUERY_INVALID', message: 'The query cannot run: syntax error at or near "SELEC"' };

describe('the Discovery page model', () => {
  it('opens on the form over the last 30 settled days, on the configured engine once the library says Athena can run', () => {
    const opening = initialDiscoveryState(NOW);
    expect(opening.mode).toEqual({ kind: 'form' });
    expect([opening.form.from, opening.form.to]).toEqual(['2026-02-13', '2026-03-14']);
    expect(opening.engine).toBe('local');
    expect(loaded().engine).toBe('athena');
    // A local-folder archive: Athena cannot run, whatever the settings say.
    expect(loaded({ athenaAvailable: false }).engine).toBe('local');
  });

  it('loading a starter query clears the bad-SQL alert and shows the starter with its parameters', () => {
    const asked = apply(loaded(), { type: 'mode-chosen', mode: 'sql' }, { type: 'sql-edited', sql: 'SELEC 1' });
    const alerted = refused(asked, badSql);
    expect(startError(alerted)).toEqual(badSql);

    const picked = apply(alerted, { type: 'query-picked', query: oneUser });
    expect(startError(picked)).toBeNull();
    expect(refusalOf(picked)).toBeNull();
    expect(selectedQuery(picked)?.name).toBe('Everything one user did');
    expect(picked.savedParams).toEqual({ user: '' });
  });

  it('a query that failed while running leaves the screen once the question changes; an answer stays until the next one', () => {
    const failed = started(apply(loaded(), { type: 'mode-chosen', mode: 'sql' }), status('failed', badSql));
    expect(refusalOf(failed)).toEqual(badSql);
    expect(apply(failed, { type: 'sql-edited', sql: 'SELECT 1' }).run).toEqual({ kind: 'none' });

    const answered = started(loaded(), status('succeeded'));
    const edited = apply(answered, { type: 'form-edited', form: { ...answered.form, entityType: 'Queue' } });
    expect(edited.run).toBe(answered.run);
  });

  it('the editor echoing the text it was given changes nothing (a refusal is not dropped by it)', () => {
    const alerted = refused(apply(loaded(), { type: 'mode-chosen', mode: 'sql' }), badSql);
    expect(apply(alerted, { type: 'sql-edited', sql: alerted.sql })).toBe(alerted);
  });

  it('a newer run replaces the old answer at once, and late news of the old one is ignored', () => {
    const answered = started(loaded(), status('succeeded'));
    const request = runRequest(answered);
    const again = apply(answered, { type: 'run-requested', request });
    expect(again.run).toEqual({ kind: 'starting', request });

    // The old run's status, polled before it stopped, arrives after the new request.
    const late = apply(again, { type: 'run-status', runId: RUN_ID, status: status('succeeded') });
    expect(late.run).toEqual({ kind: 'starting', request });

    const runningNew = apply(late, { type: 'run-started', request, runId: OTHER_RUN_ID });
    expect(apply(runningNew, { type: 'run-status', runId: RUN_ID, status: status('failed', badSql) }).run).toEqual(
      runningNew.run,
    );
    // A start answered for a request the officer has since replaced is not shown either.
    const superseded = apply(runningNew, { type: 'run-started', request: runRequest(loaded()), runId: RUN_ID });
    expect(superseded.run).toBe(runningNew.run);
  });

  it('Run is off while a query starts or runs, Cancel only once it runs, and both come back when it ends', () => {
    const idle = loaded();
    expect([canRun(idle), isRunning(idle)]).toEqual([true, false]);
    const request = runRequest(idle);
    const starting = apply(idle, { type: 'run-requested', request });
    expect([canRun(starting), isRunning(starting)]).toEqual([false, false]);
    const running = apply(starting, { type: 'run-started', request, runId: RUN_ID });
    expect([canRun(running), isRunning(running)]).toEqual([false, true]);
    const done = apply(running, { type: 'run-status', runId: RUN_ID, status: status('cancelled') });
    expect([canRun(done), isRunning(done)]).toEqual([true, false]);
  });

  it('an error for a field is attached to that field: a SQL parameter by its name, a form day, a library value', () => {
    const sqlState = apply(
      loaded(),
      { type: 'mode-chosen', mode: 'sql' },
      { type: 'sql-edited', sql: 'SELECT * FROM audit_events WHERE action = :action AND eventdate >= :since' },
      { type: 'sql-parameter-edited', name: 'since', patch: { type: 'instant', value: 'last tuesday' } },
    );
    const sqlRefused = refused(sqlState, contractRefusal(runRequest(sqlState)));
    expect(fieldErrors(sqlRefused)).toEqual({ 'parameter.since': expect.stringMatching(/instant/) });

    const formState = apply(loaded(), {
      type: 'form-edited',
      form: { ...loaded().form, from: '2026-03-10', to: '2026-03-01' },
    });
    const formRefused = refused(formState, contractRefusal(runRequest(formState)));
    expect(fieldErrors(formRefused)).toEqual({
      to: 'ends before it starts: the last day must not be before the first',
    });

    const libraryState = apply(loaded(), { type: 'query-picked', query: oneUser });
    const libraryRefused = refused(libraryState, {
      code: 'QUERY_INVALID',
      message: 'refused',
      issues: [{ path: ['query', 'parameters', 'user'], message: 'must be text' }],
    });
    expect(fieldErrors(libraryRefused)).toEqual({ 'parameter.user': 'must be text' });
    // A refusal without issues names no field.
    expect(fieldErrors(refused(sqlState, badSql))).toEqual({});
  });

  it('sends typed values for the parameters the SQL uses, and no range when every day is chosen', () => {
    const state = apply(
      loaded(),
      { type: 'mode-chosen', mode: 'sql' },
      { type: 'sql-edited', sql: 'SELECT * FROM audit_events WHERE x = :limit AND y = :on AND z = :limit' },
      { type: 'sql-parameter-edited', name: 'limit', patch: { type: 'integer', value: '42' } },
      { type: 'sql-parameter-edited', name: 'on', patch: { type: 'boolean', value: 'true' } },
      { type: 'range-edited', range: { from: '2026-01-01', to: '2026-01-31', everyDay: true } },
    );
    expect(requestQuery(state)).toEqual({
      kind: 'sql',
      sql: 'SELECT * FROM audit_events WHERE x = :limit AND y = :on AND z = :limit',
      parameters: [
        { name: 'limit', type: 'integer', value: 42 },
        { name: 'on', type: 'boolean', value: true },
      ],
      range: null,
    });
    expect(runRequest(state)).toMatchObject({ engine: 'athena', confirmUnboundedScan: false });
  });

  it("a library query sends only the values typed, over the chosen days; 'Edit as SQL' carries them into the SQL's parameters", () => {
    const picked = apply(loaded(), { type: 'query-picked', query: oneUser });
    expect(requestQuery(picked)).toEqual({
      kind: 'saved',
      id: 'everything-one-user-did',
      parameters: {},
      range: { from: picked.range.from, to: picked.range.to },
    });
    const typed = apply(picked, { type: 'saved-parameter-edited', name: 'user', value: 'Ada Lovelace' });
    expect(requestQuery(typed)).toMatchObject({ parameters: { user: 'Ada Lovelace' } });

    const asSql = apply(typed, { type: 'edit-as-sql', query: oneUser });
    expect(asSql.mode).toEqual({ kind: 'sql' });
    expect(asSql.sql).toBe(oneUser.query.kind === 'sql' ? oneUser.query.sql : '');
    expect(requestQuery(asSql)).toMatchObject({
      parameters: [{ name: 'user', type: 'string', value: 'Ada Lovelace' }],
    });
  });

  it('a form query from the library opens in the form with its fields filled', () => {
    const picked = apply(loaded(), { type: 'query-picked', query: formQuery });
    expect(picked.mode).toEqual({ kind: 'form' });
    expect(picked.form).toMatchObject({ from: '2026-01-01', to: '2026-01-31', actions: 'Delete', entityType: 'Queue' });
  });

  it("Athena's refusal to read every day unasked offers the same request again, confirmed", () => {
    const everyDay = apply(
      loaded(),
      { type: 'mode-chosen', mode: 'sql' },
      { type: 'range-edited', range: { from: '', to: '', everyDay: true } },
    );
    const asked = refused(everyDay, { code: 'QUERY_UNBOUNDED_SCAN', message: 'This query has no date range.' });
    expect(unboundedScanToConfirm(asked)).toEqual({ ...runRequest(everyDay), confirmUnboundedScan: true });
    // Any other refusal offers no such button.
    expect(unboundedScanToConfirm(refused(everyDay, badSql))).toBeNull();
  });

  it('deleting the library query in use goes back to SQL; saving says what was saved and closes the form', () => {
    const picked = apply(loaded(), { type: 'query-picked', query: oneUser });
    const without = library().queries.filter((q) => q.id !== oneUser.id);
    const deleted = apply(picked, { type: 'query-deleted', id: oneUser.id, queries: without });
    expect(deleted.mode).toEqual({ kind: 'sql' });
    expect(deleted.library?.queries).toHaveLength(without.length);

    const opened = apply(loaded(), { type: 'save-opened' });
    const saved = apply(opened, { type: 'query-saved', queries: library().queries, name: 'Mine', id: 'mine' });
    expect(saved.saving).toBeNull();
    expect(saved.notice).toBe('Saved "Mine" (mine).');
    // A new run clears the notice: it was about something else.
    expect(apply(saved, { type: 'run-requested', request: runRequest(saved) }).notice).toBeNull();
  });

  it('saves the form as a structured query, and SQL with each of its parameters declared with its type', () => {
    const form = apply(loaded(), { type: 'form-edited', form: { ...loaded().form, users: 'ada, bob', entity: 'Q1' } });
    expect(savedQueryInput(form, { name: 'Queue Q1 (FCA)', description: '' })).toMatchObject({
      id: 'queue-q1-fca',
      query: { kind: 'structured', structured: { users: ['ada', 'bob'], entity: 'Q1' } },
      parameters: [],
    });
    const sql = apply(
      loaded(),
      { type: 'mode-chosen', mode: 'sql' },
      { type: 'sql-parameter-edited', name: 'entity_type', patch: { type: 'string' } },
    );
    expect(savedQueryInput(sql, { name: 'By type', description: 'd' })).toMatchObject({
      query: { kind: 'sql' },
      parameters: [{ name: 'entity_type', type: 'string', label: 'entity type' }],
    });
  });
});
