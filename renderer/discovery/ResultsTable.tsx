/**
 * The results table, virtualised: only the rows in view (plus a few either side) are in the page,
 * fetched from main 200 at a time as they scroll into view, so 100,000 rows scroll as smoothly as 100.
 *
 * Positions are set through the CSSOM (element.style), which the CSP allows; the markup carries no
 * style attribute.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { ResultColumn, ResultRow } from '../../shared/discovery/result-metadata';
import type { Bridge } from '../../shared/ipc/bridge';
import { formatCount } from '../app/display-format';
import { cellText } from './discovery-format';

/** Must match `.results-row` height in discovery.css. */
const ROW_HEIGHT = 28;
const BLOCK = 200;
const OVERSCAN = 8;

export function ResultsTable({
  bridge,
  runId,
  columns,
  rowCount,
}: {
  bridge: Bridge;
  runId: string;
  columns: readonly ResultColumn[];
  rowCount: number;
}) {
  const { viewport, scrollTop, height, onScroll } = useViewport(runId);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rowCount, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const { rowAt, sample, error } = useRowBlocks(bridge, runId, rowCount, first, last);
  // Hidden by name, so the choice holds across runs that answer with the same columns.
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const template = useMemo(() => columnTemplate(columns, sample, hidden), [columns, sample, hidden]);
  const layout = useGridLayout(template, rowCount, first);

  return (
    <div className="results">
      <ColumnChooser columns={columns} hidden={hidden} onChange={setHidden} />
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="results-grid" ref={layout.grid}>
        {/* The scrolling box is the grid itself: a focusable box between a grid and its rows is not allowed. */}
        <div
          className="results-viewport"
          role="grid"
          aria-label={`Results, ${formatCount(rowCount)} rows`}
          aria-rowcount={rowCount + 1}
          aria-colcount={columns.filter((c) => !hidden.has(c.name)).length}
          ref={viewport}
          onScroll={onScroll}
          tabIndex={0}
        >
          <div role="rowgroup" className="results-head">
            <div role="row" aria-rowindex={1} className="results-row">
              {columns.map((c, j) =>
                hidden.has(c.name) ? null : (
                  <div role="columnheader" className="results-cell" key={j} title={c.type}>
                    {c.name}
                  </div>
                ),
              )}
            </div>
          </div>
          <div className="results-canvas" ref={layout.canvas}>
            <div role="rowgroup" className="results-window" ref={layout.window}>
              <ResultRows columns={columns} hidden={hidden} first={first} last={last} rowAt={rowAt} />
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}

function ResultRows({
  columns,
  hidden,
  first,
  last,
  rowAt,
}: {
  columns: readonly ResultColumn[];
  hidden: ReadonlySet<string>;
  first: number;
  last: number;
  rowAt: (i: number) => ResultRow | null;
}) {
  const rows = [];
  for (let i = first; i < last; i++) {
    const row = rowAt(i);
    rows.push(
      <div role="row" aria-rowindex={i + 2} className={`results-row${i % 2 ? ' odd' : ''}`} key={i}>
        {columns.map((c, j) => {
          if (hidden.has(c.name)) return null;
          const value = row?.[j];
          // An empty value says so, rather than leaving a blank cell that reads like a missing one.
          if (row && (value === null || value === undefined || value === '')) {
            return (
              <div role="gridcell" className="results-cell cell-empty" key={j}>
                {value === '' ? '(empty text)' : '(none)'}
              </div>
            );
          }
          const text = row ? cellText(value) : '…';
          return (
            <div role="gridcell" className="results-cell" key={j} title={text.length > 40 ? text : undefined}>
              {text}
            </div>
          );
        })}
      </div>,
    );
  }
  return <>{rows}</>;
}

/** Which columns show: every one by default; the officer can hide any but the last one shown. */
function ColumnChooser({
  columns,
  hidden,
  onChange,
}: {
  columns: readonly ResultColumn[];
  hidden: ReadonlySet<string>;
  onChange: (hidden: ReadonlySet<string>) => void;
}) {
  const shown = columns.filter((c) => !hidden.has(c.name)).length;
  const toggle = (name: string, show: boolean) => {
    const next = new Set(hidden);
    if (show) next.delete(name);
    else next.add(name);
    onChange(next);
  };
  return (
    <details className="column-chooser">
      <summary>
        Columns: {shown} of {columns.length} shown
      </summary>
      <fieldset>
        <legend className="visually-hidden">Columns to show</legend>
        {columns.map((c, j) => (
          <label key={j}>
            <input
              type="checkbox"
              checked={!hidden.has(c.name)}
              disabled={!hidden.has(c.name) && shown === 1}
              onChange={(e) => toggle(c.name, e.target.checked)}
            />{' '}
            {c.name}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

/** Column widths from the names and the first rows loaded, in characters, capped (hidden ones left out). */
function columnTemplate(
  columns: readonly ResultColumn[],
  sample: readonly ResultRow[] | undefined,
  hidden: ReadonlySet<string>,
): string {
  return columns
    .filter((c) => !hidden.has(c.name))
    .map((c) => {
      const i = columns.indexOf(c);
      const longest = Math.max(c.name.length, ...(sample ?? []).slice(0, 100).map((r) => cellText(r[i]).length));
      // Slack for longer values further down (widths do not change while scrolling).
      return `${Math.min(48, Math.max(10, longest + 4))}ch`;
    })
    .join(' ');
}

/** The scrolled viewport: where it is and how tall; a new run starts at the top. */
function useViewport(runId: string): {
  viewport: RefObject<HTMLDivElement | null>;
  scrollTop: number;
  height: number;
  onScroll: () => void;
} {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);

  useEffect(() => {
    setScrollTop(0);
    if (viewport.current) viewport.current.scrollTop = 0;
  }, [runId]);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 480);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const top = viewport.current?.scrollTop ?? 0;
    requestAnimationFrame(() => setScrollTop(top));
  };
  return { viewport, scrollTop, height, onScroll };
}

/** The rows of `[first, last)`, read from main a block at a time; a new run starts with none. */
function useRowBlocks(
  bridge: Bridge,
  runId: string,
  rowCount: number,
  first: number,
  last: number,
): { rowAt: (i: number) => ResultRow | null; sample: readonly ResultRow[] | undefined; error: string | null } {
  const blocks = useRef(new Map<number, ResultRow[]>());
  const loading = useRef(new Set<number>());
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    blocks.current = new Map();
    loading.current = new Set();
    setVersion((v) => v + 1);
  }, [runId]);

  const load = useCallback(
    async (block: number) => {
      if (loading.current.has(block)) return;
      loading.current.add(block);
      const result = await bridge.discoveryRows({ runId, offset: block * BLOCK, limit: BLOCK });
      loading.current.delete(block);
      if (!result.ok) return setError(result.error.message);
      blocks.current.set(block, result.value.rows);
      setVersion((v) => v + 1);
    },
    [bridge, runId],
  );

  useEffect(() => {
    if (last <= first) return;
    for (let b = Math.floor(first / BLOCK); b <= Math.floor((last - 1) / BLOCK); b++) {
      const have = blocks.current.get(b);
      // A block read while the query was still running may have grown since.
      const complete = have && (have.length === BLOCK || b * BLOCK + have.length >= rowCount);
      if (!complete) void load(b);
    }
  }, [first, last, rowCount, load, version]);

  const rowAt = (i: number): ResultRow | null => blocks.current.get(Math.floor(i / BLOCK))?.[i % BLOCK] ?? null;
  return { rowAt, sample: blocks.current.get(0), error };
}

/** The column widths, the canvas's full height and the rendered window's offset, set through the CSSOM. */
function useGridLayout(template: string, rowCount: number, first: number) {
  const grid = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLDivElement>(null);
  const window = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    grid.current?.style.setProperty('--result-columns', template);
    if (canvas.current) canvas.current.style.height = `${rowCount * ROW_HEIGHT}px`;
    if (window.current) window.current.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
  }, [template, rowCount, first]);
  return { grid, canvas, window };
}
