/**
 * Below the question: the engine it runs on, Run and Cancel, and saving the question in the library.
 */
import { useEffect, useId, useRef } from 'react';
import type { QueryEngineKind } from '../../shared/discovery/result-metadata';
import type { SaveDraft } from './discovery-model';

export function RunBar({
  engine,
  athenaAvailable,
  canRun,
  running,
  canSave,
  onEngine,
  onRun,
  onCancel,
  onOpenSave,
}: {
  engine: QueryEngineKind;
  athenaAvailable: boolean;
  canRun: boolean;
  running: boolean;
  /** A library query is saved already: only the form and SQL can be saved. */
  canSave: boolean;
  onEngine: (engine: QueryEngineKind) => void;
  onRun: () => void;
  onCancel: () => void;
  onOpenSave: () => void;
}) {
  return (
    <div className="run-bar">
      <label>
        Engine{' '}
        <select value={engine} onChange={(e) => onEngine(e.target.value as QueryEngineKind)} aria-label="Engine">
          <option value="local">Local (DuckDB)</option>
          <option value="athena" disabled={!athenaAvailable}>
            Athena{athenaAvailable ? '' : ' (needs an S3 archive)'}
          </option>
        </select>
      </label>
      <button type="button" className="primary" onClick={onRun} disabled={!canRun}>
        Run query
      </button>
      <button type="button" onClick={onCancel} disabled={!running}>
        Cancel
      </button>
      {canSave && (
        <button type="button" onClick={onOpenSave}>
          Save query…
        </button>
      )}
    </div>
  );
}

export function SaveQueryForm({
  draft,
  onChange,
  onSave,
  onClose,
}: {
  draft: SaveDraft;
  onChange: (draft: SaveDraft) => void;
  onSave: () => void;
  onClose: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  // Opened below the question: brought into view, with the keyboard in its first field.
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
    box.current?.querySelector('input')?.focus();
  }, []);
  const hintId = useId();
  return (
    <div className="save-query" role="group" aria-label="Save query" ref={box}>
      <p className="hint" id={hintId}>
        Saves this question (the form or the SQL, with its parameters) in your query library on this computer, to run
        again later. Give it a name to save it.
      </p>
      <label>
        Name{' '}
        <input
          value={draft.name}
          required
          aria-describedby={hintId}
          onChange={(e) => onChange({ ...draft, name: e.target.value })}
        />
      </label>
      <label>
        Description{' '}
        <input value={draft.description} onChange={(e) => onChange({ ...draft, description: e.target.value })} />
      </label>
      <button type="button" className="primary" disabled={!draft.name.trim()} onClick={onSave}>
        Save
      </button>
      {!draft.name.trim() && <span className="hint">Enter a name first.</span>}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
