/**
 * LocalQueryEngine: discovery on this machine with DuckDB, for local-folder archives, the demo,
 * officers without Athena, and S3 archives cached locally.
 *
 * It reads only what the manifests vouch for (readVouchedArchive), never a listing of `audit-logs/`:
 * an orphan part of an interrupted run is simply not there. The objects become the relation
 * `audit_events_raw` (Parquet built from objects whose SHA-256 matched their manifest and checked
 * against its seal in this run, see ArchiveObjectCache; or, for comparison, the NDJSON.gz parts read
 * directly), one row per (`dt`, `id`), and the compiled query reads `audit_events` from it: the
 * query's own text is Athena's, after the local definition of the table (audit-events-table.ts). The
 * same read names the range's gaps: the days the archive does not hold, and why.
 *
 * DuckDB's own parser has the last word on the text: anything it splits into more than one
 * statement is refused before it is prepared, whatever the product's own scan made of it.
 *
 * The DuckDB instance is locked down before any query: it may read only the cache folder (and a
 * local archive's folder), nothing else on the machine, and cannot change that.
 */
import os from 'node:os';
import path from 'node:path';
import {
  DuckDBInstance,
  DuckDBTypeId,
  version as duckdbVersion,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  AUDIT_EVENT_FIELDS,
  AUDIT_EVENTS_RAW_TABLE,
  DT_COLUMN,
  duckTableType,
} from '../../../shared/discovery/audit-events-table';
import type { CompiledQuery } from '../../../shared/discovery/compile-query';
import type { PositionalParameter } from '../../../shared/discovery/parameters';
import type { ResultColumn, ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';
import type { Day } from '../../../shared/day';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveStore } from '../archive/archive-store';
import type { CacheSealKey } from '../archive/cache-seal';
import { ArchiveObjectCache, cancelled, NDJSON_READ_OPTIONS, ONE_ROW_PER_EVENT } from './archive-object-cache';
import { lockDown, resultValueConverter, sqlString } from './duckdb-dialect';
import type { ExecuteOptions, ExecutionFacts, QueryEngine, QueryExecution } from './query-engine';
import {
  EVERY_DAY,
  populationOf,
  readOncePerRange,
  readVouchedArchive,
  type DiscoveryCalendar,
  type VouchedArchive,
  type VouchedArchiveReader,
  type VouchedObject,
} from './vouched-objects';
import { formatCount } from '../../../shared/format-count';

interface LocalQueryEngineOptions {
  readonly store: ArchiveStore;
  /** Where derived files live (see ArchiveObjectCache). */
  readonly cacheFolder: string;
  /** `columnar` (default): Parquet built from verified objects. `ndjson`: DuckDB reads the NDJSON.gz parts. */
  readonly reader?: 'columnar' | 'ndjson';
  /** DuckDB threads (default: the cores, at most 4). */
  readonly threads?: number;
  /** DuckDB's memory limit; beyond it DuckDB spills to the cache folder (default 512MB). */
  readonly memoryLimit?: string;
  /** Where the secret that seals the cache (its months and manifests) is kept (absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
  /** What decides a gap (absent: the default rules, no run journal). */
  readonly calendar?: DiscoveryCalendar;
  /**
   * Read the archive once per range for the engine's life (a report's engine: its queries answer
   * from one state of the archive, vouched-objects.ts `readOncePerRange`). Default: every query reads it.
   */
  readonly oneArchiveRead?: boolean;
}

export class LocalQueryEngine implements QueryEngine {
  readonly kind = 'local' as const;
  readonly cache: ArchiveObjectCache;
  private readonly reader: 'columnar' | 'ndjson';
  private instance: Promise<DuckDBInstance> | null = null;
  private readonly readArchive: VouchedArchiveReader;

  constructor(private readonly options: LocalQueryEngineOptions) {
    this.reader = options.reader ?? 'columnar';
    const read: VouchedArchiveReader = (objects, gaps, o) => readVouchedArchive(options.store, objects, gaps, o);
    this.readArchive = options.oneArchiveRead ? readOncePerRange(read) : read;
    this.cache = new ArchiveObjectCache({
      store: options.store,
      folder: options.cacheFolder,
      connect: () => this.connect(),
      concurrency: this.threads,
      cacheSealKey: options.cacheSealKey ?? null,
    });
  }

  private get threads(): number {
    return this.options.threads ?? Math.min(4, Math.max(1, os.availableParallelism()));
  }

  /** A connection to the engine's one DuckDB instance, locked down on first use. */
  private async connect(): Promise<DuckDBConnection> {
    return (await this.openInstance()).connect();
  }

  /** The engine's one DuckDB instance, made and locked down once (made again after a failure). */
  private openInstance(): Promise<DuckDBInstance> {
    if (this.instance) return this.instance;
    this.instance = (async () => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(this.cache.stagingFolder, { recursive: true });
      const instance = await DuckDBInstance.create(':memory:');
      const setup = await instance.connect();
      try {
        const store = this.options.store;
        const readable = [this.cache.folder];
        if (this.reader === 'ndjson' && store.kind === 'local' && 'root' in store && typeof store.root === 'string')
          readable.push(store.root);
        await lockDown(setup, {
          readableFolders: readable,
          memoryLimit: this.options.memoryLimit ?? '512MB',
          threads: this.threads,
          spillFolder: this.cache.stagingFolder,
        });
      } finally {
        setup.closeSync();
      }
      return instance;
    })();
    this.instance.catch(() => (this.instance = null));
    return this.instance;
  }

  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<QueryExecution> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw cancelled();
    // DuckDB opens (on its own threads) while the manifests are read; its failure is met at connect().
    this.openInstance().catch(() => undefined);
    const warnings: string[] = [];
    const { archive, files } = await this.prepare(
      query,
      options,
      (m) => void (warnings.includes(m) || warnings.push(m)),
    );
    if (signal?.aborted) throw cancelled();

    const connection = await this.connect();
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    const release = () => {
      signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
    };
    try {
      // Aborted while the connection was being made: the listener came too late to fire.
      if (signal?.aborted) throw cancelled();
      await connection.run(`CREATE TEMP VIEW ${AUDIT_EVENTS_RAW_TABLE} AS ${this.rawRelation(files)}`);
      const statement = await prepareOneStatement(connection, query.sql);
      bindParameters(statement, query.parameters);
      onProgress?.({ phase: 'running', message: 'Running the query…' });
      const result = await statement.stream().catch((e: unknown) => {
        throw signal?.aborted ? cancelled() : queryFailed(e);
      });
      const converters = result.columnTypes().map(cellConverter);
      const columns: ResultColumn[] = result
        .columnNames()
        .map((name, i) => ({ name, type: result.columnType(i).toString().toLowerCase() }));
      const facts: ExecutionFacts = {
        engine: {
          kind: 'local',
          version: `DuckDB ${duckdbVersion()}`,
          reads: this.reader === 'columnar' ? 'verified-parquet-cache' : 'ndjson-gz',
        },
        population: populationOf(inRange(archive.objects, query.range)),
        cost: null,
        gaps: archive.gaps,
        holds: archive.holds,
        warnings,
      };
      let rows = 0;
      async function* pages(): AsyncGenerator<readonly ResultRow[]> {
        try {
          for (;;) {
            let chunk;
            try {
              chunk = await result.fetchChunk();
            } catch (e) {
              throw signal?.aborted ? cancelled() : queryFailed(e);
            }
            if (!chunk || chunk.rowCount === 0) return;
            const page = rowsOf(chunk, converters);
            rows += page.length;
            onProgress?.({ phase: 'fetching', message: `${formatCount(rows)} rows`, rows });
            yield page;
          }
        } finally {
          release();
        }
      }
      return { columns, pages: pages(), facts: () => facts };
    } catch (e) {
      release();
      if (signal?.aborted) throw cancelled();
      throw e;
    }
  }

  /**
   * The archive's read for the query (its objects, the range's gaps) and the files DuckDB will read:
   * months checked against their seals now, or built; downloads checked against their manifests.
   */
  private async prepare(
    query: CompiledQuery,
    { signal, onProgress }: ExecuteOptions,
    onWarning: (message: string) => void,
  ): Promise<{ archive: VouchedArchive; files: string[] }> {
    onProgress?.({ phase: 'listing', message: 'Reading the manifests of the days in range…' });
    try {
      // The columnar cache is kept by whole months: list whole months, read only the days asked for.
      const listed = this.reader === 'columnar' && query.range ? wholeMonths(query.range) : (query.range ?? EVERY_DAY);
      const archive = await this.readArchive(listed, query.range, {
        ...(signal ? { signal } : {}),
        stateDir: path.join(this.options.cacheFolder, 'archive-state'),
        cacheSealKey: this.options.cacheSealKey ?? null,
        onWarning,
        ...(this.options.calendar ? { calendar: this.options.calendar } : {}),
      });
      const prepare = {
        ...(signal ? { signal } : {}),
        onWarning,
        onProgress: (p: { done: number; total: number; message: string }) => onProgress?.({ phase: 'preparing', ...p }),
      };
      const files =
        this.reader === 'columnar'
          ? await this.cache.columnarMonths(archive.objects, prepare)
          : await this.cache.gzipFiles(archive.objects, prepare);
      return { archive, files };
    } catch (e) {
      throw signal?.aborted ? cancelled() : e;
    }
  }

  /**
   * `audit_events_raw` over the prepared files (an empty typed relation when there are none): one row
   * per (`dt`, `id`), which the local definition of `audit_events` relies on (audit-events-table.ts).
   * The Parquet months are written so; the NDJSON.gz parts are read so.
   */
  private rawRelation(files: readonly string[]): string {
    if (files.length === 0) {
      const cols = AUDIT_EVENT_FIELDS.map((f) => `CAST(NULL AS ${duckTableType(f)}) AS "${f.key.toLowerCase()}"`);
      return `SELECT ${cols.join(', ')}, CAST(NULL AS VARCHAR) AS "${DT_COLUMN}" WHERE false`;
    }
    const list = `[${files.map(sqlString).join(', ')}]`;
    return this.reader === 'columnar'
      ? `SELECT * FROM read_parquet(${list})`
      : ONE_ROW_PER_EVENT(`read_json(${list}, ${NDJSON_READ_OPTIONS})`);
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = null;
    if (instance) (await instance.catch(() => null))?.closeSync();
  }
}

/** Prepares the text as DuckDB's own parser splits it: exactly one statement, or QUERY_INVALID. */
async function prepareOneStatement(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  try {
    const statements = await connection.extractStatements(sql);
    if (statements.count !== 1) {
      throw new AuditArchiveError(
        'QUERY_INVALID',
        `DuckDB reads ${statements.count} statements in this SQL: discovery runs one query at a time.`,
      );
    }
    return await statements.prepare(0);
  } catch (e) {
    if (isAuditArchiveError(e)) throw e;
    throw new AuditArchiveError('QUERY_INVALID', `The query cannot run: ${firstLine(e)}`, { cause: e });
  }
}

function bindParameters(statement: DuckDBPreparedStatement, parameters: readonly PositionalParameter[]): void {
  if (statement.parameterCount !== parameters.length) {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `The query has ${statement.parameterCount} placeholders but ${parameters.length} values; write each parameter as :name.`,
    );
  }
  parameters.forEach((p, i) => {
    const index = i + 1;
    switch (p.type) {
      case 'integer':
        statement.bindBigInt(index, BigInt(p.value as number));
        break;
      case 'number':
        statement.bindDouble(index, p.value as number);
        break;
      case 'boolean':
        statement.bindBoolean(index, p.value as boolean);
        break;
      default:
        statement.bindVarchar(index, String(p.value));
    }
  });
}

/** The first and last day of the months a range touches. */
function wholeMonths(range: { from: Day; to: Day }): { from: Day; to: Day } {
  const last = new Date(Date.UTC(Number(range.to.slice(0, 4)), Number(range.to.slice(5, 7)), 0));
  return { from: `${range.from.slice(0, 7)}-01`, to: last.toISOString().slice(0, 10) };
}

function inRange(objects: readonly VouchedObject[], range: { from: Day; to: Day } | null): readonly VouchedObject[] {
  return range ? objects.filter((o) => o.day >= range.from && o.day <= range.to) : objects;
}

type CellConverter = ((v: DuckDBValue) => ResultValue) | null;

/** How a column's values become cells: text, booleans and small numbers as they are, the rest converted. */
function cellConverter(type: DuckDBType): CellConverter {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
      return null;
    default:
      return (v) => resultValueConverter(v, type, resultValueConverter) as ResultValue;
  }
}

/**
 * A chunk's rows, converting only the columns that need it (most result columns are text). Each
 * column is read from its vector in one loop (no per-cell callback, no intermediate array): a query
 * runs this code once, before the JIT has warmed it, so each step per cell counts.
 */
function rowsOf(chunk: DuckDBDataChunk, converters: readonly CellConverter[]): ResultRow[] {
  const count = chunk.rowCount;
  const columns = converters.map((convert, c) => {
    const vector = chunk.getColumnVector(c);
    const values: ResultValue[] = new Array(count);
    for (let r = 0; r < count; r++) {
      const v = vector.getItem(r);
      values[r] = v === null || v === undefined ? null : convert ? convert(v) : (v as ResultValue);
    }
    return values;
  });
  const rows: ResultRow[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: ResultValue[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = (columns[c] as ResultValue[])[r] ?? null;
    rows[r] = row;
  }
  return rows;
}

function queryFailed(e: unknown): AuditArchiveError {
  if (isAuditArchiveError(e)) return e;
  return new AuditArchiveError('QUERY_FAILED', `The query failed: ${firstLine(e)}`, { cause: e });
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}
