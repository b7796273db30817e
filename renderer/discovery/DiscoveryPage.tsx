/**
 * Discovery: answer an examiner's question over years of audits. Three ways to ask: the form (the
 * questions asked most, no SQL), SQL over `audit_events` (typed `:name` parameters), or a query from
 * the library (starters and saved ones, their parameters as form fields). The query runs in main,
 * locally (DuckDB) or in Athena; the page shows progress, the rows (virtualised), what was read and,
 * for Athena, the data scanned and its cost; it can cancel, export, and hand the result to a report.
 *
 * The page's state and rules are discovery-model.ts; use-discovery.ts wires them to the engine.
 */
import { useEffect, useMemo } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import {
  canRun,
  fieldErrors,
  isRunning,
  parametersIn,
  refusalOf,
  selectedQuery,
  startError,
  unboundedScanToConfirm,
} from './discovery-model';
import { QueryLibrary } from './QueryLibrary';
import { preloadSqlEditor, QueryPanel } from './QueryPanel';
import { RunBar, SaveQueryForm } from './RunBar';
import { RunRefusal, RunView } from './RunView';
import { useDiscovery } from './use-discovery';
import './discovery.css';

export function DiscoveryPage({ bridge }: { bridge: Bridge }) {
  const { state, dispatch, commands } = useDiscovery(bridge);
  const sqlParameterNames = useMemo(() => parametersIn(state.sql), [state.sql]);
  useEffect(preloadSqlEditor, []);

  const selected = selectedQuery(state);
  const confirm = unboundedScanToConfirm(state);
  const { run } = state;
  return (
    <section className="discovery" aria-labelledby="discovery-title">
      <DiscoveryHead />
      {state.libraryError && (
        <p className="banner banner-error" role="alert">
          {state.libraryError}
        </p>
      )}
      <div className="discovery-layout">
        <QueryLibrary
          library={state.library}
          selected={selected?.id ?? null}
          onPick={(query) => dispatch({ type: 'query-picked', query })}
          onDelete={(query) => void commands.deleteQuery(query)}
          onExport={() => void commands.exportQueries()}
          onImport={(file) => void commands.importQueries(file)}
        />
        <div className="query-panel">
          <QueryPanel
            state={state}
            dispatch={dispatch}
            selected={selected}
            sqlParameterNames={sqlParameterNames}
            errors={fieldErrors(state)}
            onRun={() => void commands.run()}
          />
          <RunBar
            engine={state.engine}
            athenaAvailable={state.library?.athenaAvailable ?? false}
            canRun={canRun(state)}
            running={isRunning(state)}
            canSave={state.mode.kind !== 'saved'}
            onEngine={(engine) => dispatch({ type: 'engine-chosen', engine })}
            onRun={() => void commands.run()}
            onCancel={() => void commands.cancel()}
            onOpenSave={() => dispatch({ type: 'save-opened' })}
          />
          {state.saving && (
            <SaveQueryForm
              draft={state.saving}
              onChange={(draft) => dispatch({ type: 'save-edited', draft })}
              onSave={() => void commands.saveQuery()}
              onClose={() => dispatch({ type: 'save-closed' })}
            />
          )}
        </div>
      </div>

      {state.notice && (
        <p className="banner banner-info" role="status">
          {state.notice}
        </p>
      )}
      <RunRefusal
        error={confirm ? refusalOf(state) : startError(state)}
        confirm={confirm}
        onConfirm={(r) => void commands.run(r)}
      />
      {!confirm && run.kind === 'started' && (
        <RunView
          bridge={bridge}
          runId={run.runId}
          status={run.status}
          onExport={(f) => void commands.exportResult(f)}
        />
      )}
    </section>
  );
}

function DiscoveryHead() {
  return (
    <header className="discovery-head">
      <h2 id="discovery-title">Ask the archive</h2>
      <p className="hint">
        Every query reads each archived event once, over whole UTC days. Values you type are sent as typed parameters,
        never as SQL.
      </p>
    </header>
  );
}
