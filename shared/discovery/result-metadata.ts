/**
 * What every discovery result carries so it can be cited (the report builder consumes it): the exact
 * query (SQL text run, the structured form or SQL as written, typed parameters), the engine, the
 * archive, the days read, when it ran and how long, how many rows, and for Athena the bytes scanned
 * and their cost. It states the population (the days, vouched objects and events of the range, from
 * the manifests) so a row count can be set against it (nothing truncated unseen), and the gaps: every
 * day of the range the archive does not hold (missing, failed, pending, unrecoverable, tampered, or
 * before the policy start), so an answer is never silent about a day it cannot speak for; and the
 * matters whose legal hold covers days of the range.
 */
import * as z from 'zod';
import { ArchiveGapSchema } from '../archive-gaps';
import { DaySchema } from '../day';
import { AnswerHoldsSchema } from './answer-holds';
import { PositionalParameterSchema, TypedParameterValueSchema } from './parameters';
import { DateRangeSchema, StructuredQuerySchema } from './structured-query';

export const RESULT_METADATA_FORMAT = 'audit-archive/query-result@1';

export const QueryEngineKindSchema = z.enum(['local', 'athena']);
export type QueryEngineKind = z.infer<typeof QueryEngineKindSchema>;

/** A cell: JSON-compatible; nested values appear as JSON arrays and objects (local) or text (Athena). */
export type ResultValue = string | number | boolean | null | ResultValue[] | { [key: string]: ResultValue };
export const ResultValueSchema: z.ZodType<ResultValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(ResultValueSchema),
    z.record(z.string(), ResultValueSchema),
  ]),
);
export type ResultRow = ResultValue[];

export const ResultColumnSchema = z
  .object({
    name: z.string(),
    /** The engine's type name, lower-case (`varchar`, `bigint`, `row(...)`, `struct(...)`). */
    type: z.string(),
  })
  .strict();
export type ResultColumn = z.infer<typeof ResultColumnSchema>;

/** Athena's price: $5 per TB scanned (TB = 2^40 bytes), each query billed at least 10 MB, rounded up to the MB. */
const ATHENA_USD_PER_TB = 5;
const ATHENA_MIN_BILLED_BYTES = 10 * 1024 * 1024;

const AthenaCostSchema = z
  .object({
    /** `Statistics.DataScannedInBytes` as Athena reported it. */
    bytesScanned: z.number().int().nonnegative(),
    /** What Athena bills: rounded up to the MB, at least 10 MB. */
    billedBytes: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
  })
  .strict();
export type AthenaCost = z.infer<typeof AthenaCostSchema>;

/** The cost of scanning `bytesScanned` (a failed query is not billed: pass 0). */
export function athenaCost(bytesScanned: number): AthenaCost {
  const mb = 1024 * 1024;
  const billedBytes = Math.max(ATHENA_MIN_BILLED_BYTES, Math.ceil(bytesScanned / mb) * mb);
  return { bytesScanned, billedBytes, costUsd: (billedBytes / 2 ** 40) * ATHENA_USD_PER_TB };
}

const ResultQuerySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('structured'),
      structured: StructuredQuerySchema,
      /** The SQL text the engine ran, with `?` placeholders. */
      sql: z.string(),
      /** One entry per `?`, in order: exactly what was bound. */
      positionalParameters: z.array(PositionalParameterSchema),
      savedQuery: z.object({ id: z.string(), name: z.string() }).strict().nullable(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sql'),
      /** The SQL as written, with `:name` placeholders. */
      sourceSql: z.string(),
      parameters: z.array(TypedParameterValueSchema),
      sql: z.string(),
      positionalParameters: z.array(PositionalParameterSchema),
      savedQuery: z.object({ id: z.string(), name: z.string() }).strict().nullable(),
    })
    .strict(),
]);
export type ResultQuery = z.infer<typeof ResultQuerySchema>;

export const ResultEngineSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('local'),
      /** e.g. `DuckDB v1.5.6`. */
      version: z.string(),
      /**
       * What DuckDB read: the archived NDJSON.gz itself, or Parquet derived from objects whose SHA-256
       * matched their manifest, each file checked against its seal in this very run (or built in it).
       */
      reads: z.enum(['ndjson-gz', 'verified-parquet-cache']),
    })
    .strict(),
  z
    .object({
      kind: z.literal('athena'),
      region: z.string(),
      workgroup: z.string(),
      database: z.string(),
      table: z.string(),
      queryExecutionId: z.string(),
      /** Where Athena wrote its result file (null when the workgroup did not say). */
      outputLocation: z.string().nullable(),
    })
    .strict(),
]);
export type ResultEngine = z.infer<typeof ResultEngineSchema>;

export const ResultMetadataSchema = z
  .object({
    format: z.literal(RESULT_METADATA_FORMAT),
    /** Unique per run. */
    resultId: z.string().min(1),
    query: ResultQuerySchema,
    engine: ResultEngineSchema,
    /** The archive queried, e.g. `s3://bucket/prefix` or `file:///…`. */
    archive: z.string(),
    /** The days read (null: every day the archive holds). */
    range: DateRangeSchema.nullable(),
    /**
     * What the archive's manifests vouch for in the range: the local engine reads exactly these
     * objects; Athena reads the same days of the archive's folder (null: the query did not run, or an
     * Athena result made before populations were recorded).
     */
    population: z
      .object({
        firstDay: DaySchema.nullable(),
        lastDay: DaySchema.nullable(),
        days: z.number().int().nonnegative(),
        objects: z.number().int().nonnegative(),
        events: z.number().int().nonnegative(),
      })
      .strict()
      .nullable(),
    startedAt: z.string().datetime({ offset: false }),
    finishedAt: z.string().datetime({ offset: false }),
    runTimeMs: z.number().nonnegative(),
    rowCount: z.number().int().nonnegative(),
    columns: z.array(ResultColumnSchema),
    /** Athena only: bytes scanned and what they cost. */
    cost: AthenaCostSchema.nullable(),
    /**
     * Every day of the range (of the archive's days when there is none) the answer does not cover,
     * and why (shared/archive-gaps.ts). Empty: every day is archived. Absent only in results made
     * before gaps were recorded.
     */
    gaps: z.array(ArchiveGapSchema).optional(),
    /**
     * The matters whose legal hold covers a day of the range, with the held days in it, and the hold
     * records that do not count (shared/discovery/answer-holds.ts), read through the verified hold
     * ledger. Absent: an archive in a local folder (it cannot hold), or a result made before holds
     * were recorded.
     */
    holds: AnswerHoldsSchema.optional(),
    /** What the run noticed and repaired on the way (a cache file found changed and rebuilt). */
    warnings: z.array(z.string()).optional(),
  })
  .strict();
export type ResultMetadata = z.infer<typeof ResultMetadataSchema>;
