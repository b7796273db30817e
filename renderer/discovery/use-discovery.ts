/**
 * The Discovery page's model wired to the engine: the library loaded once, the run polled until it
 * ends, and the commands (run, cancel, export, save, delete, import and export the saved queries),
 * each sending what the model builds and handing the answer back to it.
 */
import { useEffect, useMemo, useReducer, useRef, type Dispatch } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { RequestOf } from '../../shared/ipc/contract';
import {
  discoveryReducer,
  initialDiscoveryState,
  runRequest,
  savedQueryInput,
  type DiscoveryAction,
  type DiscoveryState,
  type ListedQuery,
  type RunRequest,
} from './discovery-model';
import { formatCount } from '../app/display-format';

const POLL_MS = 250;

interface DiscoveryCommands {
  /** Runs the question as asked now, or `request` (a refused one, confirmed). */
  run(request?: RunRequest): Promise<void>;
  cancel(): Promise<void>;
  exportResult(format: 'csv' | 'ndjson'): Promise<void>;
  saveQuery(): Promise<void>;
  deleteQuery(query: ListedQuery): Promise<void>;
  exportQueries(): Promise<void>;
  importQueries(file: File): Promise<void>;
}

interface Wiring {
  readonly bridge: Bridge;
  readonly dispatch: Dispatch<DiscoveryAction>;
  /** The state as last rendered. */
  readonly state: () => DiscoveryState;
}

export function useDiscovery(bridge: Bridge): {
  state: DiscoveryState;
  dispatch: Dispatch<DiscoveryAction>;
  commands: DiscoveryCommands;
} {
  const [state, dispatch] = useReducer(discoveryReducer, Date.now(), initialDiscoveryState);
  const latest = useRef(state);
  latest.current = state;
  const commands = useMemo(() => discoveryCommands({ bridge, dispatch, state: () => latest.current }), [bridge]);

  useEffect(() => {
    void bridge
      .discoveryLibrary({})
      .then((r) =>
        dispatch(
          r.ok ? { type: 'library-loaded', library: r.value } : { type: 'library-failed', message: r.error.message },
        ),
      );
  }, [bridge]);

  const runId = state.run.kind === 'started' ? state.run.runId : null;
  useEffect(() => (runId ? pollRun(bridge, dispatch, runId) : undefined), [bridge, runId]);

  return { state, dispatch, commands };
}

/** Asks for the run's status until it ends (or cannot be read); returns how to stop asking. */
function pollRun(bridge: Bridge, dispatch: Dispatch<DiscoveryAction>, runId: string): () => void {
  let stopped = false;
  const tick = async () => {
    const r = await bridge.discoveryStatus({ runId });
    if (stopped) return;
    if (!r.ok) return dispatch({ type: 'run-status-failed', runId, error: r.error });
    dispatch({ type: 'run-status', runId, status: r.value });
    if (r.value.state === 'running') timer = setTimeout(tick, POLL_MS);
  };
  let timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function discoveryCommands(w: Wiring): DiscoveryCommands {
  return {
    run: (request) => startRun(w, request ?? runRequest(w.state())),
    cancel: () => cancelRun(w),
    exportResult: (format) => exportResult(w, format),
    saveQuery: () => saveQuery(w),
    deleteQuery: (query) => deleteQuery(w, query),
    exportQueries: () => exportQueries(w),
    importQueries: (file) => importQueries(w, file),
  };
}

async function startRun({ bridge, dispatch }: Wiring, request: RunRequest): Promise<void> {
  dispatch({ type: 'run-requested', request });
  const r = await bridge.discoveryRun(request);
  dispatch(
    r.ok ? { type: 'run-started', request, runId: r.value.runId } : { type: 'run-refused', request, error: r.error },
  );
}

async function cancelRun({ bridge, state }: Wiring): Promise<void> {
  const { run } = state();
  if (run.kind === 'started') await bridge.discoveryCancel({ runId: run.runId });
}

async function exportResult({ bridge, dispatch, state }: Wiring, format: 'csv' | 'ndjson'): Promise<void> {
  const { run } = state();
  if (run.kind !== 'started') return;
  const r = await bridge.discoveryExport({ runId: run.runId, format });
  dispatch({
    type: 'notice',
    text: r.ok
      ? `Exported ${formatCount(r.value.rows)} rows to ${r.value.file}, with the query and its metadata in ${r.value.metadataFile}.`
      : r.error.message,
  });
}

async function saveQuery({ bridge, dispatch, state }: Wiring): Promise<void> {
  const current = state();
  if (!current.saving) return;
  const query = savedQueryInput(current, current.saving);
  const r = await bridge.discoverySaveQuery({ query: query as RequestOf<'discovery:save-query'>['query'] });
  if (!r.ok) return dispatch({ type: 'notice', text: r.error.message });
  dispatch({ type: 'query-saved', queries: r.value.queries, name: query.name, id: query.id });
}

async function deleteQuery({ bridge, dispatch }: Wiring, query: ListedQuery): Promise<void> {
  const r = await bridge.discoveryDeleteQuery({ id: query.id });
  if (!r.ok) return dispatch({ type: 'notice', text: r.error.message });
  dispatch({ type: 'query-deleted', id: query.id, queries: r.value.queries });
}

/** The saved queries as a JSON file the browser downloads. */
async function exportQueries({ bridge, dispatch }: Wiring): Promise<void> {
  const r = await bridge.discoveryExportQueries({});
  if (!r.ok) return dispatch({ type: 'notice', text: r.error.message });
  const url = URL.createObjectURL(new Blob([JSON.stringify(r.value.file, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'audit-archive-queries.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function importQueries({ bridge, dispatch }: Wiring, file: File): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return dispatch({ type: 'notice', text: `${file.name} is not JSON; nothing was imported.` });
  }
  const r = await bridge.discoveryImportQueries({ file: json });
  if (!r.ok) return dispatch({ type: 'notice', text: r.error.message });
  dispatch({ type: 'queries-changed', queries: r.value.queries });
  const n = r.value.added + r.value.replaced;
  dispatch({
    type: 'notice',
    text: `Imported ${r.value.added} new and ${r.value.replaced} replaced saved quer${n === 1 ? 'y' : 'ies'}.`,
  });
}
