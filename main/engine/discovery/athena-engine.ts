/**
 * AthenaQueryEngine: discovery over an S3 archive with Amazon Athena (the managed Trino), for archives
 * too large for one machine. The real `@aws-sdk/client-athena` client; tested with
 * aws-sdk-client-mock, since nothing here runs Athena.
 *
 * - The database and the external table are created on first use, idempotently (athena-table.ts).
 * - Every value is an ExecutionParameters entry (a SQL literal built from its declared type),
 *   never part of the SQL text; Athena does not keep the list, the result metadata does.
 * - Query result reuse is off: a cached result is returned without being checked, not evidence.
 * - A query without a `dt` bound reads and bills every day: refused unless the caller confirms it.
 * - Status is polled with backoff; results are paged (1,000 rows a page); cancelling stops the
 *   query in Athena (StopQueryExecution). Bytes scanned and their cost come with every result.
 * - The result's population and gaps come from the archive's manifests (`readArchive`, the same
 *   read as the local engine's), read before the query starts: an answer whose gaps cannot be known
 *   is not given.
 * - FAILED (with Athena's reason), CANCELLED and permission errors have stable codes.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type GetQueryResultsCommandOutput,
  type QueryExecution as AthenaQueryExecution,
} from '@aws-sdk/client-athena';
import { AUDIT_EVENTS_RAW_TABLE } from '../../../shared/discovery/audit-events-table';
import type { CompiledQuery } from '../../../shared/discovery/compile-query';
import { sqlLiteral } from '../../../shared/discovery/parameters';
import { athenaCost, type ResultRow, type ResultValue } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { DateRange } from '../../../shared/discovery/structured-query';
import { createDatabaseDdl, createTableDdl, type AthenaTableLocation } from './athena-table';
import type { ExecuteOptions, QueryEngine, QueryExecution } from './query-engine';
import { populationOf, type VouchedArchive } from './vouched-objects';
import { formatCount } from '../../../shared/format-count';

interface AthenaPolling {
  /** First wait between status checks (ms). */
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

const DEFAULT_POLLING: AthenaPolling = { initialMs: 250, maxMs: 5000, factor: 1.6 };

export interface AthenaQueryEngineOptions {
  readonly client: AthenaClient;
  readonly region: string;
  readonly workgroup: string;
  readonly database: string;
  /** `s3://bucket/path/`; undefined: the workgroup's result location. */
  readonly outputLocation?: string;
  /** The archive's bucket and prefix: the table reads `{prefix}/audit-logs/`. */
  readonly location: AthenaTableLocation;
  readonly polling?: AthenaPolling;
  /** Rows per GetQueryResults page (Athena's maximum is 1,000). */
  readonly pageSize?: number;
  /** What a query without a date range would read, to say so before it runs (the vouched objects' bytes). */
  readonly estimateScanBytes?: () => Promise<number>;
  /** The manifests' objects and the gaps of a range (null: every day); absent: no population or gaps are stated. */
  readonly readArchive?: (
    range: DateRange | null,
    options: { signal?: AbortSignal; onWarning: (message: string) => void },
  ) => Promise<VouchedArchive>;
}

export class AthenaQueryEngine implements QueryEngine {
  readonly kind = 'athena' as const;
  private tableReady: Promise<void> | null = null;
  private readonly polling: AthenaPolling;

  constructor(private readonly options: AthenaQueryEngineOptions) {
    this.polling = options.polling ?? DEFAULT_POLLING;
  }

  /** Creates the database and the table if they do not exist (once per engine; retried after a failure). */
  ensureTable(signal?: AbortSignal): Promise<void> {
    this.tableReady ??= (async () => {
      await this.runStatement(createDatabaseDdl(this.options.database), 'create the Athena database', signal);
      await this.runStatement(
        createTableDdl(this.options.database, this.options.location),
        'create the Athena table',
        signal,
      );
    })();
    this.tableReady.catch(() => (this.tableReady = null));
    return this.tableReady;
  }

  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<QueryExecution> {
    const { signal, onProgress } = options;
    if (query.range === null && !options.confirmUnboundedScan) await this.refuseUnboundedScan();
    if (signal?.aborted) throw cancelledError();
    const warnings: string[] = [];
    const archive = await this.vouchedArchive(query, options, warnings);
    onProgress?.({ phase: 'running', message: 'Preparing the Athena table…' });
    await this.ensureTable(signal);
    const execution = await this.runStatement(
      query.sql,
      'run the query',
      signal,
      query.parameters.map((p) => sqlLiteral(p.type, p.value)),
      onProgress,
    );
    const id = execution.QueryExecutionId as string;
    const first = await this.resultsPage(id, undefined);
    const columnInfo = first.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    return {
      columns: columnInfo.map((c) => ({ name: c.Name ?? c.Label ?? '', type: (c.Type ?? 'varchar').toLowerCase() })),
      pages: resultPages(first, columnInfo, (token) => this.resultsPage(id, token), options),
      facts: () => ({
        engine: {
          kind: 'athena',
          region: this.options.region,
          workgroup: this.options.workgroup,
          database: this.options.database,
          table: AUDIT_EVENTS_RAW_TABLE,
          queryExecutionId: id,
          outputLocation: execution.ResultConfiguration?.OutputLocation ?? null,
        },
        population: archive ? populationOf(archive.objects) : null,
        cost: athenaCost(execution.Statistics?.DataScannedInBytes ?? 0),
        gaps: archive?.gaps ?? null,
        holds: archive?.holds ?? null,
        warnings,
      }),
    };
  }

  /** A query without a date range would read (and bill) every day: refused, with what it would cost. */
  private async refuseUnboundedScan(): Promise<never> {
    const bytes = await this.options.estimateScanBytes?.().catch(() => null);
    const size =
      bytes == null
        ? ''
        : `: about ${formatMegabytes(bytes)} of archived events (about $${athenaCost(bytes).costUsd.toFixed(4)})`;
    throw new AuditArchiveError(
      'QUERY_UNBOUNDED_SCAN',
      `This query has no date range, so Athena would read (and bill) every day under ${this.tableUrl()}${size}. Give a date range (--from/--to), or confirm the full scan.`,
    );
  }

  /** The manifests of the days in range (population and gaps), when the engine can read the archive. */
  private async vouchedArchive(
    query: CompiledQuery,
    { signal, onProgress }: ExecuteOptions,
    warnings: string[],
  ): Promise<VouchedArchive | null> {
    if (!this.options.readArchive) return null;
    onProgress?.({ phase: 'listing', message: 'Reading the manifests of the days in range…' });
    return this.options.readArchive(query.range, {
      ...(signal ? { signal } : {}),
      onWarning: (m) => void (warnings.includes(m) || warnings.push(m)),
    });
  }

  async close(): Promise<void> {
    this.options.client.destroy();
  }

  private tableUrl(): string {
    const p = this.options.location.prefix.replace(/^\/+|\/+$/g, '');
    return `s3://${this.options.location.bucket}/${p ? `${p}/` : ''}audit-logs/`;
  }

  /** Starts one statement and polls it to a final state; resolves with the SUCCEEDED execution. */
  private async runStatement(
    sql: string,
    what: string,
    signal: AbortSignal | undefined,
    executionParameters: string[] = [],
    onProgress?: ExecuteOptions['onProgress'],
  ): Promise<AthenaQueryExecution> {
    const o = this.options;
    let id: string;
    try {
      const started = await o.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: o.database },
          WorkGroup: o.workgroup,
          ...(o.outputLocation ? { ResultConfiguration: { OutputLocation: o.outputLocation } } : {}),
          ...(executionParameters.length > 0 ? { ExecutionParameters: executionParameters } : {}),
          // Evidence is computed, never served from a cache Athena does not check.
          ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
          ClientRequestToken: randomUUID(),
        }),
        signal ? { abortSignal: signal } : {},
      );
      if (!started.QueryExecutionId)
        throw new AuditArchiveError(
          'QUERY_FAILED',
          `Athena did not return a query id when asked to ${what}; try again.`,
        );
      id = started.QueryExecutionId;
    } catch (e) {
      if (signal?.aborted) throw cancelledError();
      throw athenaFailure(e, what, o);
    }

    let wait = this.polling.initialMs;
    for (;;) {
      if (signal?.aborted) return this.stop(id);
      let execution: AthenaQueryExecution | undefined;
      try {
        execution = (await o.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      } catch (e) {
        if (signal?.aborted) return this.stop(id);
        throw athenaFailure(e, what, o);
      }
      const state = execution?.Status?.State;
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? '';
      if (state === 'SUCCEEDED') return execution as AthenaQueryExecution;
      if (state === 'FAILED') {
        const code = /access ?denied|not authorized|AccessDenied|permission/i.test(reason)
          ? 'QUERY_ACCESS_DENIED'
          : 'QUERY_FAILED';
        throw new AuditArchiveError(code, `Athena could not ${what} (query ${id}): ${reason || 'no reason given'}.`);
      }
      if (state === 'CANCELLED') {
        throw new AuditArchiveError(
          'QUERY_CANCELLED',
          `Athena cancelled the query ${id}${reason ? `: ${reason}` : ''}. Nothing was changed; run it again if it was not meant.`,
        );
      }
      const scanned = execution?.Statistics?.DataScannedInBytes;
      onProgress?.({
        phase: 'running',
        message: `Athena: ${state === 'QUEUED' ? 'queued' : 'running'}${scanned ? `, ${formatMegabytes(scanned)} scanned` : ''}`,
        ...(scanned !== undefined ? { bytesScanned: scanned } : {}),
      });
      await sleep(wait, signal);
      wait = Math.min(this.polling.maxMs, wait * this.polling.factor);
    }
  }

  /** Asks Athena to stop the query, then reports the cancellation. */
  private async stop(id: string): Promise<never> {
    try {
      await this.options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    } catch {
      // Already finished, or not reachable: the query ends on its own; the caller asked to stop waiting.
    }
    throw cancelledError(id);
  }

  private async resultsPage(id: string, nextToken: string | undefined): Promise<GetQueryResultsCommandOutput> {
    try {
      return await this.options.client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: Math.min(1000, this.options.pageSize ?? 1000),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
    } catch (e) {
      throw athenaFailure(e, 'read the results', this.options);
    }
  }
}

function isHeaderRow(data: readonly { VarCharValue?: string }[], columns: readonly ColumnInfo[]): boolean {
  return columns.length > 0 && columns.every((c, i) => data[i]?.VarCharValue === (c.Label ?? c.Name));
}

/** Athena returns every value as text; numbers and booleans become JSON numbers and booleans again. */
function cell(text: string | undefined, column: ColumnInfo): ResultValue {
  if (text === undefined) return null;
  switch ((column.Type ?? '').toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'double':
    case 'float':
    case 'real': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}

function cancelledError(id?: string): AuditArchiveError {
  return new AuditArchiveError(
    'QUERY_CANCELLED',
    `The query was cancelled${id ? ` (Athena query ${id} was asked to stop)` : ''}; nothing was changed.`,
  );
}

/** SDK errors as stable codes; the message names what failed and what to do. */
function athenaFailure(e: unknown, what: string, o: AthenaQueryEngineOptions): AuditArchiveError {
  if (isAuditArchiveError(e)) return e;
  const err = e as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? err.Code ?? '';
  const message = (err.message ?? String(e)).split('\n')[0];
  if (
    name === 'AccessDeniedException' ||
    name === 'UnrecognizedClientException' ||
    name === 'ExpiredTokenException' ||
    err.$metadata?.httpStatusCode === 403
  ) {
    return new AuditArchiveError(
      'QUERY_ACCESS_DENIED',
      `Athena refused to ${what} in workgroup ${o.workgroup} (${name || 'HTTP 403'}): ${message}. The role needs the Athena, Glue and S3 permissions listed in the README (Discovery > Athena).`,
    );
  }
  if (name === 'InvalidRequestException') {
    return new AuditArchiveError('QUERY_INVALID', `Athena refused to ${what}: ${message}`);
  }
  if (name === 'CredentialsProviderError' || /region is missing|could not load credentials/i.test(message ?? '')) {
    return new AuditArchiveError(
      'QUERY_ENGINE_NOT_CONFIGURED',
      `Athena cannot be reached without AWS credentials and a region: ${message}. Set discovery.athena.region and provide credentials (AWS_PROFILE, environment, SSO or an instance role).`,
    );
  }
  return new AuditArchiveError(
    'QUERY_FAILED',
    `Could not ${what} in Athena (${name || 'error'}): ${message}. Check the network and try again.`,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The result's rows, page by page from the first (the header row a SELECT's first page repeats dropped). */
async function* resultPages(
  first: GetQueryResultsCommandOutput,
  columnInfo: ReadonlyArray<ColumnInfo>,
  nextPage: (token: string) => Promise<GetQueryResultsCommandOutput>,
  { signal, onProgress }: ExecuteOptions,
): AsyncGenerator<readonly ResultRow[]> {
  let page: GetQueryResultsCommandOutput | null = first;
  let isFirst = true;
  let rows = 0;
  while (page) {
    let raw = page.ResultSet?.Rows ?? [];
    if (isFirst && raw.length > 0 && isHeaderRow(raw[0]?.Data ?? [], columnInfo)) raw = raw.slice(1);
    isFirst = false;
    const converted = raw.map((r) => columnInfo.map((c, i) => cell(r.Data?.[i]?.VarCharValue, c)));
    rows += converted.length;
    if (converted.length > 0) {
      onProgress?.({ phase: 'fetching', message: `${formatCount(rows)} rows`, rows });
      yield converted;
    }
    if (!page.NextToken) return;
    if (signal?.aborted) throw cancelledError();
    page = await nextPage(page.NextToken);
  }
}
