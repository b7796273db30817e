/**
 * The query library beside the question: the starter queries, the officer's saved ones (each can be
 * deleted), and the saved queries exported to or imported from a JSON file.
 */
import { useRef } from 'react';
import type { Library, ListedQuery } from './discovery-model';

export function QueryLibrary({
  library,
  selected,
  onPick,
  onDelete,
  onExport,
  onImport,
}: {
  library: Library | null;
  /** The id of the library query in use. */
  selected: string | null;
  onPick: (query: ListedQuery) => void;
  onDelete: (query: ListedQuery) => void;
  onExport: () => void;
  onImport: (file: File) => void;
}) {
  const starters = library?.queries.filter((q) => q.builtIn) ?? [];
  const saved = library?.queries.filter((q) => !q.builtIn) ?? [];
  return (
    <aside className="query-library" aria-label="Query library">
      <h3>Starter queries</h3>
      <QueryList queries={starters} selected={selected} onPick={onPick} />
      <h3>Saved queries</h3>
      {library && saved.length === 0 && <p className="hint">None yet: run a query, then save it.</p>}
      <QueryList queries={saved} selected={selected} onPick={onPick} onDelete={onDelete} />
      <SavedQueriesFile onExport={onExport} onImport={onImport} />
    </aside>
  );
}

function SavedQueriesFile({ onExport, onImport }: { onExport: () => void; onImport: (file: File) => void }) {
  const importInput = useRef<HTMLInputElement>(null);
  return (
    <div className="actions">
      <button type="button" onClick={onExport}>
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
          if (f) onImport(f);
          e.target.value = '';
        }}
      />
    </div>
  );
}

function QueryList({
  queries,
  selected,
  onPick,
  onDelete,
}: {
  queries: readonly ListedQuery[];
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
