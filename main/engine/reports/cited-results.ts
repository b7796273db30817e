/**
 * The results a report cites, run at report time.
 *
 * - A result run before (its metadata, from Discovery's "add to report", `query --out`'s
 *   `.query.json` or the CLI's `--results`) is checked to hold what its own query compiles to, then
 *   that query runs again, compiled for the engine that runs it, with the same positional
 *   parameters, and its rows set against the ones cited: by content when the cited rows are at hand
 *   (rerun-comparison.ts), else by count, which the report then says. A report never relies on
 *   rows it was handed, only on what the archive answers now.
 * - A query given to the report (`--sql`, `--saved`, a saved query on the Reports page) runs now.
 *
 * Each result's rows go to a spool (the bundle's CSV, and the PDF for results that name no events),
 * in a stated order (row-order.ts), and each row naming an event is registered for the
 * field-by-field check against its archived line (field-check.ts).
 * A result with an `id` column names events: a locator query (the cited SQL as a CTE, joined with
 * `audit_events_raw` on `id`) tells on which day each one is archived, so the report reads only
 * the objects of those days to take each event's exact line.
 */
import { DT_COLUMN, AUDIT_EVENTS_RAW_TABLE, dtOf } from '../../../shared/discovery/audit-events-table';
import { compileQuery, type CompiledQuery, type QueryText } from '../../../shared/discovery/compile-query';
import type { PositionalParameter } from '../../../shared/discovery/parameters';
import type { SavedQuery } from '../../../shared/discovery/saved-query';
import type {
  QueryEngineKind,
  ResultColumn,
  ResultMetadata,
  ResultRow,
} from '../../../shared/discovery/result-metadata';
import { RESULT_METADATA_FORMAT } from '../../../shared/discovery/result-metadata';
import type { Day } from '../../../shared/day';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { ResultEvidence } from '../../../shared/reports/report-evidence';
import type { QueryEngine, QueryProgress } from '../discovery/query-engine';
import { ResultSpool } from '../discovery/result-spool';
import { runDiscoveryQuery } from '../discovery/run-query';
import type { FieldCheck } from './field-check';
import { compareCitedRows, type CitedRows } from './rerun-comparison';
import { orderRows } from './row-order';
import { formatCount } from '../../../shared/format-count';

/** A source made concrete: a cited result, or a query to run (its range already the report's period). */
export type CitedSource =
  | {
      readonly kind: 'result';
      readonly metadata: ResultMetadata;
      /** The rows it was cited with, when at hand: compared with today's by content. */
      readonly rows?: CitedRows;
    }
  | { readonly kind: 'query'; readonly query: QueryText; readonly savedQuery: { id: string; name: string } | null };

export interface CitedResult {
  readonly evidence: Omit<ResultEvidence, 'rowsFile' | 'eventsFound' | 'fieldCheck'>;
  readonly columns: readonly ResultColumn[];
  /** The rows as returned (null when the query could not run). */
  readonly spool: ResultSpool | null;
  /** Distinct event ids the result names, by the day the archive holds each. */
  readonly located: ReadonlyMap<Day, ReadonlySet<string>>;
}

/** Failures that belong in the report (it says so); anything else stops the report before it is written. */
const REPORTED: ReadonlySet<ErrorCode> = new Set(['ARCHIVE_INTEGRITY', 'QUERY_FAILED']);

interface RunCitedOptions {
  readonly engineFor: (kind: QueryEngineKind) => QueryEngine;
  /** Engine for cited queries when the report names none: a result's own, else this. */
  readonly engine: QueryEngineKind | undefined;
  readonly defaultEngine: QueryEngineKind;
  readonly archiveUrl: string;
  /** Where spools live (the report's temporary folder). */
  readonly spoolFolder: string;
  /** Prefix of the ids given to results run for this report (deterministic: the report id). */
  readonly resultIdPrefix: string;
  /** The time the report writes (fixed in a reproducible report). */
  readonly now: () => number;
  /** False in a reproducible report: a duration would differ from run to run. */
  readonly recordDurations: boolean;
  /** Where rows naming events are registered for the field-by-field check. */
  readonly fieldCheck: FieldCheck;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string, done: number, total: number) => void;
}

export async function runCitedResults(
  sources: readonly CitedSource[],
  options: RunCitedOptions,
): Promise<CitedResult[]> {
  const out: CitedResult[] = [];
  for (const [i, source] of sources.entries()) {
    const index = i + 1;
    options.onProgress?.(`Running result ${index} of ${sources.length}…`, i, sources.length);
    out.push(await runOne(source, index, options));
  }
  return out;
}

function labelOf(metadata: ResultMetadata): string {
  if (metadata.query.savedQuery) return metadata.query.savedQuery.name;
  return metadata.query.kind === 'structured' ? 'a query from the Discovery form' : 'an SQL query';
}

/**
 * Refuses a recorded result whose SQL and bound parameters are not what its own query (the SQL as
 * written or the Discovery form, its parameters and its range) compiles to: a result file edited to
 * read other days or rows than it shows would otherwise be run, and cited, as it claims to be.
 * The SQL may be its engine's form or Athena's: before the local engine defined `audit_events` in
 * its own form, both engines ran Athena's (audit-events-table.ts), and either reads each event once.
 */
export function checkRecordedQuery(m: ResultMetadata, index: number): void {
  const refuse = (why: string) =>
    new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Result ${index}'s recorded SQL and parameters are not what its query compiles to (${why}): the result file was changed, or made by another version of Audit Archive. Run the query again and cite the new result.`,
    );
  let forms: CompiledQuery[];
  try {
    forms = [...new Set([m.engine.kind, 'athena'] as const)].map((engine) => compileRecorded(m, engine));
  } catch (e) {
    throw refuse(isAuditArchiveError(e) ? e.message : 'it does not compile');
  }
  const compiled = forms.find((c) => c.sql === m.query.sql);
  if (JSON.stringify(forms[0]?.range) !== JSON.stringify(m.range)) throw refuse("its range is not its query's");
  if (!compiled) throw refuse('the SQL differs');
  if (JSON.stringify(compiled.parameters) !== JSON.stringify(m.query.positionalParameters))
    throw refuse('the bound parameters differ');
}

/** A recorded result's own query (checked by checkRecordedQuery) as `engine` runs it. */
function compileRecorded(m: ResultMetadata, engine: QueryEngineKind): CompiledQuery {
  return m.query.kind === 'structured'
    ? compileQuery({ kind: 'structured', structured: m.query.structured }, engine)
    : compileQuery({ kind: 'sql', sql: m.query.sourceSql, parameters: m.query.parameters, range: m.range }, engine);
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * Refuses a recorded result that claims to be a saved or starter query the library does not hold
 * as it ran: the PDF would print "Result 1: Deletions" over a query about queues. The claim holds
 * when the library has a query of that id and name whose SQL as written (or form, range aside) and
 * parameter types are the result's.
 */
export function checkSavedQueryClaim(m: ResultMetadata, library: readonly SavedQuery[], index: number): void {
  const claim = m.query.savedQuery;
  if (!claim) return;
  const refuse = (why: string) =>
    new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Result ${index} says it is the saved query "${claim.name.slice(0, 120)}" (${claim.id.slice(0, 64)}), but ${why}: the result file was changed, or made with another library. Run the query again here and cite the new result.`,
    );
  const saved = library.find((q) => q.id === claim.id);
  if (!saved) throw refuse('this installation has no saved or starter query of that id');
  if (saved.name !== claim.name) throw refuse(`the library calls that query "${saved.name}"`);
  const q = m.query;
  const same =
    q.kind === 'sql'
      ? saved.query.kind === 'sql' &&
        saved.query.sql === q.sourceSql &&
        q.parameters.every((p) => saved.parameters.some((d) => d.name === p.name && d.type === p.type))
      : saved.query.kind === 'structured' &&
        sortedJson({ ...saved.query.structured, range: null }) === sortedJson({ ...q.structured, range: null });
  if (!same) throw refuse("its query is not that saved query's");
}

/** Where one result's rows go as they arrive: the spool, the ids it names, the field check. */
class RowSink {
  columns: ResultColumn[] = [];
  readonly ids = new Set<string>();
  private idIndex = -1;
  private check: ((row: ResultRow) => void) | null = null;

  constructor(
    readonly spool: ResultSpool,
    private readonly index: number,
    private readonly fieldCheck: FieldCheck,
  ) {}

  readonly onColumns = (cols: readonly ResultColumn[]) => {
    this.columns = [...cols];
    this.idIndex = this.columns.findIndex((c) => c.name.toLowerCase() === 'id');
    this.check = this.fieldCheck.register(this.index, this.columns);
  };

  readonly onPage = async (rows: readonly ResultRow[]) => {
    if (this.idIndex >= 0)
      for (const row of rows) {
        const v = row[this.idIndex];
        if (typeof v === 'string' && v !== '') this.ids.add(v);
        this.check?.(row);
      }
    await this.spool.append(rows);
  };
}

/** A result run before, run again: its query (checked against its recorded SQL) as this engine runs it. */
async function runRecorded(
  metadata: ResultMetadata,
  engine: QueryEngine,
  sink: RowSink,
  options: RunCitedOptions,
  progress: (p: QueryProgress) => void,
): Promise<NonNullable<ResultEvidence['rerun']>> {
  const startedAt = options.now();
  const compiled = compileRecorded(metadata, engine.kind);
  const execution = await engine.execute(compiled, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: progress,
  });
  sink.onColumns(execution.columns);
  let rowCount = 0;
  for await (const page of execution.pages) {
    rowCount += page.length;
    await sink.onPage(page);
  }
  const finishedAt = options.now();
  const facts = execution.facts();
  return {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    runTimeMs: options.recordDurations ? finishedAt - startedAt : null,
    rowCount,
    engine: facts.engine,
    population: facts.population,
    ...(compiled.sql !== metadata.query.sql ? { sql: compiled.sql } : {}),
  };
}

/** Today's rows against the cited ones: by content when they are at hand, else by count. */
async function comparisonOf(
  source: Extract<CitedSource, { kind: 'result' }>,
  sink: RowSink,
  rowCount: number,
): Promise<NonNullable<ResultEvidence['comparison']>> {
  if (source.rows) {
    const c = await compareCitedRows(source.rows, sink.spool.pages(), sink.columns);
    return { method: 'content', source: source.rows.source, ...c };
  }
  const cited = source.metadata.rowCount;
  return {
    method: 'count',
    source: null,
    missing: Math.max(0, cited - rowCount),
    extra: Math.max(0, rowCount - cited),
    missingExamples: [],
    extraExamples: [],
  };
}

async function runOne(source: CitedSource, index: number, options: RunCitedOptions): Promise<CitedResult> {
  const sink = new RowSink(await ResultSpool.create(options.spoolFolder, `result-${index}`), index, options.fieldCheck);
  const progress = (p: QueryProgress) => options.onProgress?.(`Result ${index}: ${p.message}`, index - 1, index);
  let metadata: ResultMetadata;
  let compiled: CompiledQuery;
  let rerun: ResultEvidence['rerun'] = null;
  let comparison: ResultEvidence['comparison'] = null;
  let error: ResultEvidence['error'] = null;
  let engine: QueryEngine;
  if (source.kind === 'result') {
    metadata = source.metadata;
    engine = options.engineFor(options.engine ?? metadata.engine.kind);
    compiled = compileRecorded(metadata, engine.kind);
    try {
      rerun = await runRecorded(metadata, engine, sink, options, progress);
      comparison = await comparisonOf(source, sink, rerun.rowCount);
    } catch (e) {
      error = reported(e);
    }
  } else {
    engine = options.engineFor(options.engine ?? options.defaultEngine);
    compiled = compileQuery(source.query, engine.kind);
    try {
      const fresh = await runDiscoveryQuery({
        engine,
        query: source.query,
        archive: options.archiveUrl,
        savedQuery: source.savedQuery,
        now: options.now,
        onColumns: sink.onColumns,
        onPage: sink.onPage,
        onProgress: progress,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      metadata = { ...fresh, resultId: `${options.resultIdPrefix}/result-${index}` };
    } catch (e) {
      error = reported(e);
      metadata = unrunMetadata(source, compiled, options, index, engine.kind);
    }
  }
  return finish({ source, index, metadata, compiled, engine, sink, rerun, comparison, error }, options);
}

/** Locates the events a result names, puts its rows in their stated order, and makes its evidence. */
async function finish(
  r: {
    source: CitedSource;
    index: number;
    metadata: ResultMetadata;
    compiled: CompiledQuery;
    engine: QueryEngine;
    sink: RowSink;
    rerun: ResultEvidence['rerun'];
    comparison: ResultEvidence['comparison'];
    error: ResultEvidence['error'];
  },
  options: RunCitedOptions,
): Promise<CitedResult> {
  const { index, sink } = r;
  const columns = sink.columns;
  let error = r.error;
  const idColumn = columns.find((c) => c.name.toLowerCase() === 'id')?.name ?? null;
  let located = new Map<Day, Set<string>>();
  if (!error && idColumn && sink.ids.size > 0) {
    options.onProgress?.(
      `Result ${index}: finding the day of each of its ${formatCount(sink.ids.size)} events…`,
      index - 1,
      index,
    );
    try {
      located = await locateEvents(r.engine, r.compiled, idColumn, options.signal);
    } catch (e) {
      error = reported(e);
    }
  }
  const found = [...located.values()].reduce((n, s) => n + s.size, 0);
  let spool: ResultSpool | null = sink.spool;
  let order: ResultEvidence['order'] = 'query';
  if (error && sink.spool.rowCount === 0) {
    await sink.spool.dispose();
    spool = null;
  } else ({ spool, order } = await orderRows(sink.spool, r.compiled.sql, options.spoolFolder, `result-${index}`));
  return {
    evidence: {
      index,
      label: labelOf(r.metadata),
      origin: r.source.kind === 'result' ? 'cited-result' : 'run-for-report',
      metadata: r.metadata,
      rerun: r.rerun,
      error,
      // A column named id whose values name no archived event (a user id, a count's key) names no events.
      idColumn: found > 0 ? idColumn : null,
      ids: found > 0 ? sink.ids.size : 0,
      order,
      comparison: r.comparison,
    },
    columns,
    spool,
    located,
  };
}

function reported(e: unknown): { code: ErrorCode; message: string } {
  if (isAuditArchiveError(e) && REPORTED.has(e.code)) return { code: e.code, message: e.message };
  throw e;
}

/** What a query that could not run is cited as: its exact query, nothing run. */
function unrunMetadata(
  source: Extract<CitedSource, { kind: 'query' }>,
  compiled: CompiledQuery,
  options: RunCitedOptions,
  index: number,
  kind: QueryEngineKind,
): ResultMetadata {
  const at = new Date(options.now()).toISOString();
  const common = { sql: compiled.sql, positionalParameters: [...compiled.parameters], savedQuery: source.savedQuery };
  return {
    format: RESULT_METADATA_FORMAT,
    resultId: `${options.resultIdPrefix}/result-${index}`,
    query:
      source.query.kind === 'structured'
        ? { kind: 'structured', structured: source.query.structured, ...common }
        : { kind: 'sql', sourceSql: source.query.sql, parameters: [...source.query.parameters], ...common },
    engine:
      kind === 'local'
        ? { kind: 'local', version: 'DuckDB (did not run)', reads: 'verified-parquet-cache' }
        : {
            kind: 'athena',
            region: '',
            workgroup: '',
            database: '',
            table: '',
            queryExecutionId: '',
            outputLocation: null,
          },
    archive: options.archiveUrl,
    range: compiled.range,
    population: null,
    startedAt: at,
    finishedAt: at,
    runTimeMs: 0,
    rowCount: 0,
    columns: [],
    cost: null,
  };
}

/** `"name"` with embedded quotes doubled. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The day of every event the cited query names: the cited SQL (with its own parameters) as a CTE,
 * its id column matched against the archive's raw table in the same days. Both engines run it.
 */
function locatorQuery(compiled: CompiledQuery, idColumn: string): CompiledQuery {
  const range = compiled.range;
  const bound = range ? `"${DT_COLUMN}" BETWEEN ? AND ? AND ` : '';
  const sql =
    `WITH "cited_result" AS (\n${compiled.sql}\n)\n` +
    `SELECT DISTINCT "${DT_COLUMN}", "id" FROM ${AUDIT_EVENTS_RAW_TABLE}\n` +
    `WHERE ${bound}"id" IN (SELECT CAST(${quoteIdentifier(idColumn)} AS VARCHAR) FROM "cited_result")`;
  const rangeParameters: PositionalParameter[] = range
    ? [
        { name: 'range.from', type: 'string', value: dtOf(range.from) },
        { name: 'range.to', type: 'string', value: dtOf(range.to) },
      ]
    : [];
  return { sql, parameters: [...compiled.parameters, ...rangeParameters], range, source: compiled.source };
}

async function locateEvents(
  engine: QueryEngine,
  compiled: CompiledQuery,
  idColumn: string,
  signal: AbortSignal | undefined,
): Promise<Map<Day, Set<string>>> {
  const execution = await engine.execute(locatorQuery(compiled, idColumn), signal ? { signal } : {});
  const located = new Map<Day, Set<string>>();
  for await (const page of execution.pages) {
    for (const [dt, id] of page) {
      if (typeof dt !== 'string' || typeof id !== 'string') continue;
      const day = dt.replaceAll('/', '-');
      let set = located.get(day);
      if (!set) located.set(day, (set = new Set()));
      set.add(id);
    }
  }
  return located;
}
