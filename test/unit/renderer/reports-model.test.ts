/**
 * The Reports page's rules, as the officer meets them: what the report cites and over which days,
 * each refusal's error on its field (and gone once that field changes), one verification statement
 * on screen at a time (a newer preview or generation replaces the older), and a generation's steps
 * as they arrive. Refusals of the request are made by the real contract, as the engine's dispatch
 * makes them.
 */
import { describe, expect, it } from 'vitest';
import type { ResultMetadata } from '../../../shared/discovery/result-metadata';
import { STARTER_QUERIES } from '../../../shared/discovery/starter-queries';
import { contract, fieldIssues } from '../../../shared/ipc/contract';
import type { ReportJobStatus, ReportProgress } from '../../../shared/reports/report-contract';
import type { ResultError } from '../../../shared/result';
import {
  currentJob,
  currentSpec,
  firstInvalidField,
  generateRequest,
  initialReportsState,
  isRunning,
  periodError,
  previewIsStale,
  reportsReducer,
  specOrRefusal,
  type Library,
  type Preview,
  type ReportsAction,
  type ReportsState,
  type Spec,
} from '../../../renderer/reports/reports-model';

const JOB = '6c1d2e3f-1111-4a2b-9c3d-0123456789ab';
const OLDER_JOB = '7d2e3f4a-2222-4b3c-8d4e-0123456789ab';
const RUN_ID = '3f2b8c1e-3333-4a2b-9c3d-0123456789ab';
const LAST_30 = { from: '2026-02-13', to: '2026-03-14' };

const library: Library = {
  queries: STARTER_QUERIES.map((q) => ({ ...q, builtIn: true })),
  defaultEngine: 'local',
  athenaAvailable: false,
  archive: 'file:///srv/archive',
  columns: [],
};
/** A Discovery result over three days (only the fields the page reads matter here). */
const handedResult = {
  query: { kind: 'sql', savedQuery: { id: 'everything-one-user-did', name: 'Everything one user did' } },
  range: { from: '2026-03-01', to: '2026-03-03' },
} as unknown as ResultMetadata;
/** Two previews told apart by what the engine answered (the page keeps them as they came). */
const previewA = { firstEvents: [], marker: 'A' } as unknown as Preview;
const previewB = { firstEvents: [], marker: 'B' } as unknown as Preview;

function apply(state: ReportsState, ...actions: ReportsAction[]): ReportsState {
  return actions.reduce(reportsReducer, state);
}

function opened(handoff: boolean): ReportsState {
  const state = initialReportsState({
    handoff: handoff ? { metadata: handedResult, runId: RUN_ID } : null,
    defaultPeriod: LAST_30,
    timeZone: 'Europe/London',
  });
  return apply(state, { type: 'library-loaded', library });
}

/** The spec the page would send now (the test fails if the page would refuse it itself). */
function spec(state: ReportsState): Spec {
  const checked = specOrRefusal(state);
  if (!('spec' in checked)) throw new Error(checked.refusal.message);
  return checked.spec;
}

/** The refusal the engine's door (dispatch) gives a preview request the contract refuses. */
function contractRefusal(s: Spec): ResultError {
  const parsed = contract['reports:preview'].request.safeParse(s);
  if (parsed.success) throw new Error('the contract accepts this request');
  return { code: 'INVALID_REQUEST', message: 'refused', issues: fieldIssues(parsed.error) };
}

function jobStatus(state: ReportJobStatus['state'], progress: ReportProgress | null = null): ReportJobStatus {
  return { state, progress, receipt: null, error: null };
}

const step = (phase: ReportProgress['phase'], message: string): ReportProgress => ({ phase, message });

function withReference(state: ReportsState): ReportsState {
  return apply(state, { type: 'field-edited', key: 'reference', value: 'FINRA 2026-0117/B' });
}

describe('the Reports page model', () => {
  it('cites the result handed over from Discovery, over the days it read, with its run', () => {
    const state = opened(true);
    expect(state.source).toBe('result');
    expect(state.period).toEqual(handedResult.range);
    expect(spec(state).sources).toEqual([{ kind: 'result', metadata: handedResult, runId: RUN_ID }]);
    expect(spec(state).request).toMatchObject({ timeZone: 'Europe/London', dueDate: null });
  });

  it("opened on a day's period (the day panel's link), cites a library query over that day; a result handed over earlier stays one choice away", () => {
    const day = { from: '2026-03-09', to: '2026-03-09' };
    const state = apply(
      initialReportsState({
        handoff: { metadata: handedResult, runId: RUN_ID },
        linkedPeriod: day,
        defaultPeriod: LAST_30,
        timeZone: 'UTC',
      }),
      { type: 'library-loaded', library },
    );
    expect(state.source).toBe('saved');
    expect(state.period).toEqual(day);
    expect(spec(state).period).toEqual(day);
    expect(spec(state).sources).toEqual([
      { kind: 'query', query: { kind: 'saved', id: state.savedId, parameters: {}, range: day } },
    ]);
    const result = apply(state, { type: 'source-chosen', source: 'result' });
    expect(result.period).toEqual(handedResult.range);
  });

  it('without a hand-off, cites a library query over the last 30 days, sending only the values typed for it', () => {
    const state = apply(opened(false), { type: 'saved-parameter-edited', name: 'user', value: 'ada' });
    expect(state.source).toBe('saved');
    // Another query is chosen: the value typed for the last one does not follow it, and a blank one is not sent.
    const oneUser = apply(
      state,
      { type: 'saved-query-chosen', id: 'everything-one-user-did' },
      { type: 'saved-parameter-edited', name: 'user', value: '  ' },
    );
    expect(spec(oneUser).sources).toEqual([
      { kind: 'query', query: { kind: 'saved', id: 'everything-one-user-did', parameters: {}, range: LAST_30 } },
    ]);
    const typed = apply(oneUser, { type: 'saved-parameter-edited', name: 'user', value: 'Ada Lovelace' });
    expect(spec(typed).sources[0]).toMatchObject({ query: { parameters: { user: 'Ada Lovelace' } } });
  });

  it('an error for a field is attached to that field, which gets the focus; the banner points at the fields', () => {
    const state = opened(false);
    const refused = apply(state, { type: 'preview-refused', error: contractRefusal(spec(state)) });
    expect(refused.errors).toEqual({ 'request.reference': 'must not be empty' });
    expect(refused.refusal?.code).toBe('INVALID_REQUEST');
    expect(firstInvalidField(refused.refusal as ResultError)).toBe('request.reference');
  });

  it('a period that does not cover the handed result is refused on the period before anything is sent', () => {
    const narrowed = apply(opened(true), { type: 'period-edited', period: { from: '2026-03-02', to: '2026-03-03' } });
    expect(periodError(narrowed)).toBe('The result read 2026-03-01 to 2026-03-03: the period must cover it.');
    const checked = specOrRefusal(narrowed);
    expect('refusal' in checked && firstInvalidField(checked.refusal)).toBe('period.from');
    // Citing the result again puts its days back.
    const again = apply(
      narrowed,
      { type: 'source-chosen', source: 'saved' },
      { type: 'source-chosen', source: 'result' },
    );
    expect(again.period).toEqual(handedResult.range);
    expect(periodError(again)).toBeUndefined();
  });

  it("changing a field takes its error away; once none is left the refusal's banner goes too", () => {
    const state = apply(opened(false), { type: 'field-edited', key: 'timeZone', value: 'Mars/Olympus_Mons' });
    const refused = apply(state, { type: 'refused', error: contractRefusal(spec(state)) });
    expect(Object.keys(refused.errors).sort()).toEqual(['request.reference', 'request.timeZone']);

    const zoneFixed = apply(refused, { type: 'field-edited', key: 'timeZone', value: 'Europe/London' });
    expect(Object.keys(zoneFixed.errors)).toEqual(['request.reference']);
    expect(zoneFixed.refusal).not.toBeNull();

    const allFixed = withReference(zoneFixed);
    expect(allFixed.errors).toEqual({});
    expect(allFixed.refusal).toBeNull();
  });

  it('a newer preview replaces the old one, and a changed request marks it as no longer the one shown', () => {
    const state = withReference(opened(true));
    const first = apply(
      state,
      { type: 'preview-requested' },
      { type: 'preview-arrived', spec: spec(state), preview: previewA },
    );
    expect(first.preview?.model).toBe(previewA);
    expect(previewIsStale(first)).toBe(false);
    const edited = apply(first, { type: 'field-edited', key: 'preparedBy', value: 'Head of Compliance' });
    expect(previewIsStale(edited)).toBe(true);
    const second = apply(
      edited,
      { type: 'preview-requested' },
      { type: 'preview-arrived', spec: spec(edited), preview: previewB },
    );
    expect(second.preview?.model).toBe(previewB);
    expect(previewIsStale(second)).toBe(false);
  });

  it('never two verification statements at once: generating drops the preview, a later preview drops the finished receipt', () => {
    const state = withReference(opened(true));
    const previewed = apply(state, { type: 'preview-arrived', spec: spec(state), preview: previewA });
    const generating = apply(previewed, { type: 'generate-requested' });
    expect(generating.preview).toBeNull();
    expect(isRunning(generating)).toBe(true);

    const written = apply(
      generating,
      { type: 'generate-started', jobId: JOB },
      { type: 'job-status', jobId: JOB, status: jobStatus('succeeded') },
    );
    expect(currentJob(written)?.status?.state).toBe('succeeded');
    expect(isRunning(written)).toBe(false);

    const previewedAgain = apply(written, { type: 'preview-arrived', spec: spec(written), preview: previewB });
    expect(currentJob(previewedAgain)).toBeNull();
    expect(previewedAgain.preview?.model).toBe(previewB);
  });

  it("a generation's steps show in the order they came, each phase's latest word, and an ended job stays ended", () => {
    const started = apply(opened(true), { type: 'generate-requested' }, { type: 'generate-started', jobId: JOB });
    const progressed = apply(
      started,
      { type: 'job-status', jobId: JOB, status: jobStatus('running', step('queries', 'running 1 query')) },
      { type: 'job-status', jobId: JOB, status: jobStatus('running', step('pdf', 'page 1 of 3')) },
      { type: 'job-status', jobId: JOB, status: jobStatus('running', step('pdf', 'page 3 of 3')) },
      { type: 'job-status', jobId: JOB, status: jobStatus('succeeded', step('bundle', 'SHA256SUMS written')) },
    );
    expect(currentJob(progressed)?.steps.map((s) => `${s.phase}: ${s.message}`)).toEqual([
      'queries: running 1 query',
      'pdf: page 3 of 3',
      'bundle: SHA256SUMS written',
    ]);
    // The slow status check answers after the final event: the report is still written, not running again.
    const late = apply(progressed, { type: 'job-status', jobId: JOB, status: jobStatus('running') });
    expect(currentJob(late)?.status?.state).toBe('succeeded');
    expect(isRunning(late)).toBe(false);
  });

  it('a report still being written when the page opens is followed; another job does not take over the one shown', () => {
    const following = apply(opened(false), { type: 'job-status', jobId: OLDER_JOB, status: jobStatus('running') });
    expect(following.jobId).toBe(OLDER_JOB);
    expect(isRunning(following)).toBe(true);
    const other = apply(following, { type: 'job-status', jobId: JOB, status: jobStatus('running') });
    expect(other.jobId).toBe(OLDER_JOB);
  });

  it('keeps the cited objects in the bundle unless unchecked, and a copy in the archive only when asked', () => {
    const state = withReference(opened(true));
    expect(generateRequest(state, spec(state))).toMatchObject({ archiveCopy: false });
    expect(generateRequest(state, spec(state))).not.toHaveProperty('includeObjects');
    const changed = apply(state, { type: 'archive-copy-set', on: true }, { type: 'include-objects-set', on: false });
    expect(generateRequest(changed, spec(changed))).toMatchObject({ archiveCopy: true, includeObjects: false });
  });

  it('with no query to cite, the refusal names the query field', () => {
    const empty = apply(initialReportsState({ handoff: null, defaultPeriod: LAST_30, timeZone: 'UTC' }), {
      type: 'library-loaded',
      library: { ...library, queries: [] },
    });
    expect(currentSpec(empty)).toBeNull();
    const checked = specOrRefusal(empty);
    expect('refusal' in checked && firstInvalidField(checked.refusal)).toBe('sources');
  });
});
