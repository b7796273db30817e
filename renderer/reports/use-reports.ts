/**
 * The Reports page's model wired to the engine: the library and the past reports loaded, every
 * report job's events followed (with a slow status check in case the event stream dropped), and the
 * commands (preview, generate, re-check, open a folder), each sending what the model builds and
 * handing the answer back to it.
 */
import { useEffect, useMemo, useReducer, useRef, type Dispatch, type RefObject } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import { periodInRoute } from '../app/routes';
import { useAppEvent } from '../app/use-app-events';
import { defaultRange } from '../discovery/discovery-model';
import { reportHandoff } from '../discovery/report-handoff';
import {
  firstInvalidField,
  generateRequest,
  initialReportsState,
  isRunning,
  reportsReducer,
  specOrRefusal,
  type ReportsAction,
  type ReportsState,
  type Spec,
} from './reports-model';

/** A check of the job's status while it runs, in case the event stream dropped (events carry the progress). */
const STATUS_CHECK_MS = 3000;

interface ReportsCommands {
  preview(): Promise<void>;
  generate(): Promise<void>;
  recheck(reportId: string): Promise<void>;
  /** Opens the folder, or (dev:web) says where it is, beside the button that asked (`where`). */
  openFolder(reportId: string, where: 'receipt' | 'list'): Promise<void>;
}

interface Wiring {
  readonly bridge: Bridge;
  readonly dispatch: Dispatch<ReportsAction>;
  readonly state: () => ReportsState;
  readonly form: RefObject<HTMLFormElement | null>;
  readonly preview: RefObject<HTMLElement | null>;
}

export function useReports(bridge: Bridge): {
  state: ReportsState;
  dispatch: Dispatch<ReportsAction>;
  commands: ReportsCommands;
  formRef: RefObject<HTMLFormElement | null>;
  previewRef: RefObject<HTMLElement | null>;
} {
  const [state, dispatch] = useReducer(reportsReducer, null, openingState);
  const latest = useRef(state);
  latest.current = state;
  const formRef = useRef<HTMLFormElement>(null);
  const previewRef = useRef<HTMLElement>(null);
  const commands = useMemo(
    () => reportsCommands({ bridge, dispatch, state: () => latest.current, form: formRef, preview: previewRef }),
    [bridge],
  );

  useEffect(() => {
    void bridge
      .discoveryLibrary({})
      .then((r) =>
        dispatch(r.ok ? { type: 'library-loaded', library: r.value } : { type: 'load-refused', error: r.error }),
      );
    void listReports(bridge, dispatch);
  }, [bridge]);

  // Every report job's events, kept by job id: an event can arrive before reports:generate answers.
  useAppEvent(bridge, 'report', ({ jobId, ...status }) => {
    dispatch({ type: 'job-status', jobId, status });
    if (status.state !== 'running') void listReports(bridge, dispatch);
  });

  const checkedJob = isRunning(state) ? state.jobId : null;
  useEffect(() => (checkedJob ? checkJobNowAndThen(bridge, dispatch, checkedJob) : undefined), [bridge, checkedJob]);

  return { state, dispatch, commands, formRef, previewRef };
}

function openingState(): ReportsState {
  return initialReportsState({
    handoff: reportHandoff(),
    linkedPeriod: periodInRoute(window.location.hash),
    defaultPeriod: defaultRange(Date.now()),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
}

async function listReports(bridge: Bridge, dispatch: Dispatch<ReportsAction>): Promise<void> {
  const r = await bridge.reportsList({});
  dispatch(r.ok ? { type: 'reports-listed', list: r.value } : { type: 'load-refused', error: r.error });
}

/** While a job runs, asks now and then too: a dropped event stream must not leave the page waiting forever. */
function checkJobNowAndThen(bridge: Bridge, dispatch: Dispatch<ReportsAction>, jobId: string): () => void {
  const timer = setInterval(() => {
    void bridge.reportsStatus({ jobId }).then((r) => {
      if (!r.ok) return;
      dispatch({ type: 'job-status', jobId, status: r.value });
      if (r.value.state !== 'running') void listReports(bridge, dispatch);
    });
  }, STATUS_CHECK_MS);
  return () => clearInterval(timer);
}

function reportsCommands(w: Wiring): ReportsCommands {
  return {
    preview: () => preview(w),
    generate: () => generate(w),
    recheck: (reportId) => recheck(w, reportId),
    openFolder: (reportId, where) => openFolder(w, reportId, where),
  };
}

/** The request to send, or null after showing (on its field) why there is none. */
function specToSend(w: Wiring): Spec | null {
  const checked = specOrRefusal(w.state());
  if ('spec' in checked) return checked.spec;
  refuse(w, { type: 'refused', error: checked.refusal });
  return null;
}

/** Shows a refusal (each issue beside its field) and moves the focus to the first field named. */
function refuse(w: Wiring, action: Extract<ReportsAction, { error: ResultError }>): void {
  w.dispatch(action);
  const field = firstInvalidField(action.error);
  if (!field) return;
  requestAnimationFrame(() => {
    w.form.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`)?.focus();
  });
}

async function preview(w: Wiring): Promise<void> {
  const spec = specToSend(w);
  if (!spec) return;
  w.dispatch({ type: 'preview-requested' });
  const r = await w.bridge.reportsPreview(spec);
  if (!r.ok) return refuse(w, { type: 'preview-refused', error: r.error });
  w.dispatch({ type: 'preview-arrived', spec, preview: r.value });
  requestAnimationFrame(() => w.preview.current?.focus());
}

async function generate(w: Wiring): Promise<void> {
  const spec = specToSend(w);
  if (!spec) return;
  const request = generateRequest(w.state(), spec);
  w.dispatch({ type: 'generate-requested' });
  const r = await w.bridge.reportsGenerate(request);
  if (!r.ok) return refuse(w, { type: 'generate-refused', error: r.error });
  w.dispatch({ type: 'generate-started', jobId: r.value.jobId });
}

async function recheck({ bridge, dispatch }: Wiring, reportId: string): Promise<void> {
  dispatch({ type: 'check-started', reportId });
  const r = await bridge.reportsCheck({ reportId });
  dispatch({ type: 'check-done', reportId, check: r.ok ? r.value : r.error });
}

async function openFolder({ bridge, dispatch }: Wiring, reportId: string, where: 'receipt' | 'list'): Promise<void> {
  const r = await bridge.reportsOpenFolder({ reportId });
  const text = !r.ok
    ? r.error.message
    : r.value.opened
      ? `Opened in the file manager: ${r.value.path}`
      : `The report's folder (open it in your file manager): ${r.value.path}`;
  dispatch({ type: 'folder-shown', key: `${where}:${reportId}`, text });
}
