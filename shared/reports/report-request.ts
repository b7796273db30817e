/**
 * What the officer is answering: the examiner's or auditor's request, as the report's cover states
 * it, and what the report cites (discovery results, or queries to run now).
 */
import { z } from 'zod';
import { DaySchema } from '../day';
import { RunRequestQuerySchema } from '../discovery/discovery-contract';
import { QueryEngineKindSchema, ResultMetadataSchema } from '../discovery/result-metadata';

/** An IANA time zone the runtime knows (`Europe/London`, `America/New_York`, `UTC`). */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(100)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/London or UTC');

const Text = (max: number) => z.string().trim().max(max);

export const ReportRequestSchema = z.strictObject({
  /** The request's reference as the examiner wrote it (letter number, case id). */
  reference: Text(200).min(1, 'must not be empty'),
  /** Who asked: a person and their organisation. */
  requester: Text(300).default(''),
  /** The regulator or auditor the request comes from (SEC, FINRA, the external auditor, …). */
  recipient: Text(300).default(''),
  dueDate: DaySchema.nullable().default(null),
  /** The question in words, as asked. */
  question: Text(5000).default(''),
  /** Who prepared the answer (the officer). */
  preparedBy: Text(300).default(''),
  /** The officer's zone: event times are shown in UTC and in this zone. */
  timeZone: TimeZoneSchema.default('UTC'),
});
export type ReportRequest = z.output<typeof ReportRequestSchema>;
export type ReportRequestInput = z.input<typeof ReportRequestSchema>;

/** The days a report answers for: every archived day in it is evidence (inclusive, UTC). */
export const ReportPeriodSchema = z
  .strictObject({ from: DaySchema, to: DaySchema })
  .refine((p) => p.from <= p.to, 'the period ends before it starts');
export type ReportPeriod = z.infer<typeof ReportPeriodSchema>;

/**
 * One thing a report cites: a discovery result already run (its metadata: the report runs its exact
 * SQL and parameters again and compares the row count), or a query to run now.
 */
export const ReportSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('result'), metadata: ResultMetadataSchema }),
  z.strictObject({ kind: z.literal('query'), query: RunRequestQuerySchema }),
]);
export type ReportSource = z.infer<typeof ReportSourceSchema>;

/** Everything a report is made from (the app's request; the CLI builds the same). */
export const ReportSpecSchema = z.strictObject({
  request: ReportRequestSchema,
  period: ReportPeriodSchema,
  sources: z.array(ReportSourceSchema).min(1, 'cite at least one result or query').max(10),
  /** Where cited queries run (default: a result's own engine, else the configured one). */
  engine: QueryEngineKindSchema.optional(),
});
export type ReportSpec = z.output<typeof ReportSpecSchema>;
