/**
 * runDiscoveryQuery: one query from request to cited result. Compiles the query (values become typed
 * positional parameters), runs it on an engine, hands each page of rows to the caller (a CLI writer,
 * the app's result spool), and returns the metadata the result carries: the exact query, parameters,
 * engine, archive, days, run time, row count, the days of the range that are not archived, the
 * matters whose legal hold covers days of it and, for Athena, bytes scanned and cost.
 */
import { randomUUID } from 'node:crypto';
import { compileQuery, type CompiledQuery, type QueryText } from '../../../shared/discovery/compile-query';
import {
  RESULT_METADATA_FORMAT,
  type ResultColumn,
  type ResultMetadata,
  type ResultQuery,
  type ResultRow,
} from '../../../shared/discovery/result-metadata';
import type { ExecuteOptions, QueryEngine } from './query-engine';

interface RunQueryInput {
  readonly engine: QueryEngine;
  readonly query: QueryText;
  /** The archive's URL, as results cite it. */
  readonly archive: string;
  /** When the query came from the saved list or the starter library. */
  readonly savedQuery?: { id: string; name: string } | null;
  /** Receives the columns once, before any row. */
  readonly onColumns?: (columns: readonly ResultColumn[]) => void | Promise<void>;
  /** Receives each page of rows, in order; awaited (back-pressure). */
  readonly onPage?: (rows: readonly ResultRow[]) => void | Promise<void>;
  readonly now?: () => number;
}

export async function runDiscoveryQuery(input: RunQueryInput & ExecuteOptions): Promise<ResultMetadata> {
  const now = input.now ?? Date.now;
  const compiled = compileQuery(input.query, input.engine.kind);
  const startedAt = now();
  const execution = await input.engine.execute(compiled, {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.confirmUnboundedScan ? { confirmUnboundedScan: true } : {}),
  });
  await input.onColumns?.(execution.columns);
  let rowCount = 0;
  for await (const page of execution.pages) {
    rowCount += page.length;
    await input.onPage?.(page);
  }
  const finishedAt = now();
  const facts = execution.facts();
  return {
    format: RESULT_METADATA_FORMAT,
    resultId: randomUUID(),
    query: describeQuery(compiled, input.savedQuery ?? null),
    engine: facts.engine,
    archive: input.archive,
    range: compiled.range,
    population: facts.population,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    runTimeMs: finishedAt - startedAt,
    rowCount,
    columns: [...execution.columns],
    cost: facts.cost,
    ...(facts.gaps ? { gaps: [...facts.gaps] } : {}),
    ...(facts.holds ? { holds: facts.holds } : {}),
    ...(facts.warnings.length > 0 ? { warnings: [...facts.warnings] } : {}),
  };
}

function describeQuery(compiled: CompiledQuery, savedQuery: { id: string; name: string } | null): ResultQuery {
  const common = { sql: compiled.sql, positionalParameters: [...compiled.parameters], savedQuery };
  return compiled.source.kind === 'structured'
    ? { kind: 'structured', structured: compiled.source.structured, ...common }
    : { kind: 'sql', sourceSql: compiled.source.sql, parameters: [...compiled.source.parameters], ...common };
}
