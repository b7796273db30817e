/**
 * The Discovery page's IPC channels (request -> response schemas), merged into shared/ipc/contract.ts.
 *
 * A query runs in main and its rows stay there (a spool file): the page starts a run, polls its
 * status (progress, row count, Athena's bytes scanned), reads the rows it shows (a window at a time,
 * so 100,000 rows scroll smoothly), and can cancel or export it. Every finished run carries its
 * ResultMetadata, which "add to report" hands to the Reports page.
 */
import * as z from 'zod';
import { MAX_SQL_LENGTH } from './compile-query';
import { RawParameterValueSchema, TypedParameterValueSchema } from './parameters';
import { ResultColumnSchema, ResultMetadataSchema, ResultValueSchema, QueryEngineKindSchema } from './result-metadata';
import { SavedQueriesFileSchema, SavedQueryIdSchema, SavedQuerySchema } from './saved-query';
import { DateRangeSchema, StructuredQuerySchema } from './structured-query';
import { ERROR_CODES } from '../errors';

const ListedQuerySchema = z.intersection(SavedQuerySchema, z.object({ builtIn: z.boolean() }));

/** What to run: the form, SQL with typed values, or a listed query with raw values for its parameters. */
export const RunRequestQuerySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('structured'), structured: StructuredQuerySchema }).strict(),
  z
    .object({
      kind: z.literal('sql'),
      sql: z.string().min(1, 'must not be empty').max(MAX_SQL_LENGTH),
      parameters: z.array(TypedParameterValueSchema).max(50).default([]),
      range: DateRangeSchema.nullable(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('saved'),
      id: SavedQueryIdSchema,
      parameters: z.record(z.string(), RawParameterValueSchema).default({}),
      range: DateRangeSchema.nullable(),
    })
    .strict(),
]);
export type RunRequestQuery = z.infer<typeof RunRequestQuerySchema>;

const RunId = z.string().regex(/^[0-9a-f-]{36}$/, 'must be a run id returned by discovery:run');

const RunStateSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

export const RunProgressSchema = z
  .object({
    phase: z.enum(['listing', 'preparing', 'running', 'fetching']),
    message: z.string(),
    done: z.number().optional(),
    total: z.number().optional(),
    bytesScanned: z.number().optional(),
    rows: z.number().optional(),
  })
  .strict();

export const discoveryContract = {
  'discovery:library': {
    request: z.object({}).strict(),
    response: z.object({
      queries: z.array(ListedQuerySchema),
      /** The engine queries run on unless the page picks another. */
      defaultEngine: QueryEngineKindSchema,
      /** Athena needs an s3:// archive target. */
      athenaAvailable: z.boolean(),
      archive: z.string(),
      /** The columns of audit_events, for the editor's completion. */
      columns: z.array(z.string()),
    }),
  },
  'discovery:run': {
    request: z
      .object({
        query: RunRequestQuerySchema,
        engine: QueryEngineKindSchema.optional(),
        /** Athena: run without a date range (reads every day). */
        confirmUnboundedScan: z.boolean().default(false),
      })
      .strict(),
    response: z.object({ runId: z.string() }),
  },
  'discovery:status': {
    request: z.object({ runId: RunId }).strict(),
    response: z.object({
      state: RunStateSchema,
      progress: RunProgressSchema.nullable(),
      rowCount: z.number().int().nonnegative(),
      columns: z.array(ResultColumnSchema).nullable(),
      metadata: ResultMetadataSchema.nullable(),
      error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).nullable(),
    }),
  },
  'discovery:rows': {
    request: z
      .object({ runId: RunId, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(1000) })
      .strict(),
    response: z.object({ rows: z.array(z.array(ResultValueSchema)), rowCount: z.number().int().nonnegative() }),
  },
  'discovery:cancel': {
    request: z.object({ runId: RunId }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'discovery:export': {
    request: z.object({ runId: RunId, format: z.enum(['csv', 'ndjson']) }).strict(),
    /** The rows in `file`, the result's metadata in `metadataFile` beside it. */
    response: z.object({ file: z.string(), metadataFile: z.string(), rows: z.number().int().nonnegative() }),
  },
  'discovery:save-query': {
    request: z.object({ query: SavedQuerySchema }).strict(),
    response: z.object({ queries: z.array(ListedQuerySchema) }),
  },
  'discovery:delete-query': {
    request: z.object({ id: SavedQueryIdSchema }).strict(),
    response: z.object({ queries: z.array(ListedQuerySchema) }),
  },
  'discovery:export-queries': {
    request: z.object({}).strict(),
    response: z.object({ file: SavedQueriesFileSchema }),
  },
  'discovery:import-queries': {
    request: z.object({ file: z.unknown() }).strict(),
    response: z.object({ added: z.number().int(), replaced: z.number().int(), queries: z.array(ListedQuerySchema) }),
  },
} as const;
