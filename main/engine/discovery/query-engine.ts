/**
 * QueryEngine: one interface, one implementation per backend (Athena, local DuckDB). Both run the
 * same compiled SQL text (shared/discovery/compile-query.ts) with the same positional parameters,
 * and hand back rows in pages so a large result never has to sit in memory at once.
 */
import type { ArchiveGap } from '../../../shared/archive-gaps';
import type { AnswerHolds } from '../../../shared/discovery/answer-holds';
import type { CompiledQuery } from '../../../shared/discovery/compile-query';
import type {
  AthenaCost,
  QueryEngineKind,
  ResultColumn,
  ResultEngine,
  ResultMetadata,
  ResultRow,
} from '../../../shared/discovery/result-metadata';

/** What a running query is doing, for a progress line or bar. */
export type QueryProgress =
  | { readonly phase: 'listing'; readonly message: string }
  /** Local: downloading and checking objects, building the columnar cache. */
  | { readonly phase: 'preparing'; readonly message: string; readonly done: number; readonly total: number }
  /** Athena: queued or running, with the bytes scanned so far. */
  | { readonly phase: 'running'; readonly message: string; readonly bytesScanned?: number }
  | { readonly phase: 'fetching'; readonly message: string; readonly rows: number };

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: QueryProgress) => void;
  /** Athena: run a query without a `dt` bound (every day is read and billed). */
  readonly confirmUnboundedScan?: boolean;
}

/** What only the engine knows about a run, complete once its pages are exhausted. */
export interface ExecutionFacts {
  readonly engine: ResultEngine;
  readonly population: ResultMetadata['population'];
  readonly cost: AthenaCost | null;
  /** The days of the range the answer does not cover (null: not known, the query did not reach the archive). */
  readonly gaps: readonly ArchiveGap[] | null;
  /** The matters holding days of the range (null: not known, or a local folder, which cannot hold). */
  readonly holds: AnswerHolds | null;
  /** What the run found and repaired on its way (a cache file changed and rebuilt). */
  readonly warnings: readonly string[];
}

export interface QueryExecution {
  readonly columns: readonly ResultColumn[];
  /** The rows, page by page, in order. Iterate once; stopping early releases the engine's resources. */
  readonly pages: AsyncIterable<readonly ResultRow[]>;
  /** Call after the pages are exhausted. */
  facts(): ExecutionFacts;
}

export interface QueryEngine {
  readonly kind: QueryEngineKind;
  /**
   * Starts a compiled query and resolves once its columns are known. Throws AuditArchiveError:
   * QUERY_INVALID (the engine refused the SQL), QUERY_UNBOUNDED_SCAN (Athena without a range, not
   * confirmed), QUERY_FAILED, QUERY_CANCELLED (the signal fired, or Athena cancelled it),
   * QUERY_ACCESS_DENIED, ARCHIVE_INTEGRITY (an object does not match its manifest).
   */
  execute(query: CompiledQuery, options?: ExecuteOptions): Promise<QueryExecution>;
  close(): Promise<void>;
}
