/**
 * What the officer is answering: the examiner's or auditor's request, as the report's cover states
 * it, and what the report cites (discovery results, or queries to run now).
 */
import * as z from 'zod';
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

/**
 * Control characters, and the direction embeddings, overrides and isolates that reorder what a
 * reader sees: the request is printed on the cover, and must read there as it was typed.
 */
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;
const HIDDEN_MESSAGE = 'must not hold control or direction-override characters';
/**
 * Characters that print as nothing, or only move text, in a one-line field (a reference, a name):
 * zero-width space, non-joiner and joiner, the left-to-right and right-to-left marks (U+200B to
 * U+200F), the Arabic letter mark (U+061C), the word joiner and invisible operators (U+2060 to
 * U+2064), the Mongolian vowel separator (U+180E), the byte-order mark (U+FEFF) and the soft hyphen
 * (U+00AD). Two references that look the same on the cover could otherwise differ in evidence.json.
 * The question, written as prose, keeps them (a Persian sentence needs its zero-width non-joiner).
 */
const INVISIBLE_IN_ONE_LINE = /[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff]/;
const INVISIBLE_MESSAGE =
  'must not hold invisible characters (zero-width spaces or joiners, direction marks, word joiners, a byte-order mark or a soft hyphen): type it again without them';

/** Text of several lines (the question). */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !HIDDEN.test(v), HIDDEN_MESSAGE);
/** One line of text: a line break could make the cover say what the report does not. */
const Line = (max: number) =>
  z
    .string()
    // Before trimming, which would quietly drop a byte-order mark at either end.
    .refine((v) => !INVISIBLE_IN_ONE_LINE.test(v), INVISIBLE_MESSAGE)
    .trim()
    .max(max)
    .refine((v) => !HIDDEN.test(v), HIDDEN_MESSAGE)
    .refine((v) => !LINE_BREAK.test(v), 'must be one line (no line breaks)');

export const ReportRequestSchema = z.strictObject({
  /** The request's reference as the examiner wrote it (letter number, case id). */
  reference: Line(200).min(1, 'must not be empty'),
  /** Who asked: a person and their organisation. */
  requester: Line(300).default(''),
  /** The regulator or auditor the request comes from (SEC, FINRA, the external auditor, …). */
  recipient: Line(300).default(''),
  dueDate: DaySchema.nullable().default(null),
  /** The question in words, as asked. */
  question: Text(5000).default(''),
  /** Who prepared the answer (the officer). */
  preparedBy: Line(300).default(''),
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
const ReportSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('result'),
    metadata: ResultMetadataSchema,
    /** The Discovery run it came from: its rows, while the app keeps them, are compared with today's by content. */
    runId: z.uuid().optional(),
  }),
  z.strictObject({ kind: z.literal('query'), query: RunRequestQuerySchema }),
]);

/** Everything a report is made from (the app's request; the CLI builds the same). */
export const ReportSpecSchema = z.strictObject({
  request: ReportRequestSchema,
  period: ReportPeriodSchema,
  sources: z.array(ReportSourceSchema).min(1, 'cite at least one result or query').max(10),
  /** Where cited queries run (default: a result's own engine, else the configured one). */
  engine: QueryEngineKindSchema.optional(),
});
export type ReportSpec = z.output<typeof ReportSpecSchema>;
