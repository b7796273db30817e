/**
 * The work an officer starts from the app (catch-up, verify, export or reconcile one day), the
 * daily job's runs and the demo archive's first fill, as the app shows them while they run.
 *
 * One job runs at a time in an app; its state is pushed to the renderer as it changes (the `job`
 * event) and can be asked for at any time (`jobs:state`), so a page opened mid-run shows it too.
 * Everything here is bounded: a long catch-up or a verify with thousands of findings still sends
 * small messages (counts are exact, lists are capped and say how many were left out).
 */
import * as z from 'zod';
import { DaySchema } from './day';
import { ERROR_CODES } from './errors';
import { VerifyProblemSchema } from './verify';

const Instant = z.string().datetime({ offset: false });
const Count = z.number().int().nonnegative();

const JOB_KINDS = [
  'catch-up',
  'verify',
  'export-day',
  'reconcile-day',
  'demo-archive',
  'verify-copy', // the second locked copy checked against the primary (verify --copy)
] as const;
const JobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKindSchema>;

/** Who started it: the officer, the daily job, or the app's first run (the demo archive). */
const JobOriginSchema = z.enum(['officer', 'daily-job', 'first-run']);
export type JobOrigin = z.infer<typeof JobOriginSchema>;

const JOB_PHASES = [
  'waiting-for-writer', // another writer (a cron job, another machine) holds the archive's lease
  'planning',
  'running',
  'cancelling',
  'done',
  'cancelled',
  'failed',
] as const;
const JobPhaseSchema = z.enum(JOB_PHASES);
type JobPhase = z.infer<typeof JobPhaseSchema>;

export function isFinished(phase: JobPhase): boolean {
  return phase === 'done' || phase === 'cancelled' || phase === 'failed';
}

/** At most this many days in flight, failures and verify problems are listed (the counts stay exact). */
export const JOB_LIST_LIMITS = { inFlight: 8, failures: 50, problems: 200 } as const;

const JobErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string().max(2000) });

export const JobStateSchema = z.object({
  id: z.string().min(1).max(64),
  kind: JobKindSchema,
  origin: JobOriginSchema,
  phase: JobPhaseSchema,
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  /** The days the job covers (catch-up and verify once planned; the one day of a day job). */
  range: z.object({ from: DaySchema, to: DaySchema }).nullable(),
  /** Verify: full (every part hashed) rather than fast. */
  full: z.boolean(),
  days: z.object({ total: Count, done: Count, failed: Count, notStarted: Count }),
  /** Days being exported right now, with what each has taken so far. */
  inFlight: z.array(z.object({ day: DaySchema, events: Count, bytes: Count })).max(JOB_LIST_LIMITS.inFlight),
  events: Count,
  bytes: Count,
  elapsedMs: Count,
  /** Estimated time left, once a day has finished. */
  etaMs: Count.nullable(),
  /** Who holds the archive's writer lease while this job waits for it ("the audit-archive CLI (pid 42 on host)"). */
  waitingFor: z.string().max(500).nullable(),
  /** Genesys asked to slow down (429): no request goes out before this instant. */
  rateLimitedUntil: Instant.nullable(),
  /** Verify's progress, and a copy check's (its objects checked in the copy). */
  verify: z.object({ phase: z.enum(['listing', 'objects']), done: Count, total: Count }).nullable(),
  failures: z
    .array(z.object({ day: DaySchema, code: z.string().max(100), message: z.string().max(1000) }))
    .max(JOB_LIST_LIMITS.failures),
  /** Verify's findings: exact counts, the first ones listed. */
  problems: z
    .object({
      total: Count,
      failing: Count,
      listed: z.array(VerifyProblemSchema).max(JOB_LIST_LIMITS.problems),
    })
    .nullable(),
  error: JobErrorSchema.nullable(),
  /** One line for people: "Archived 10 of 10 days, 3,412 events", "Cancelled after 4 of 10 days". */
  summary: z.string().max(1000),
});
export type JobState = z.infer<typeof JobStateSchema>;

/** A catch-up that stopped before its end (cancelled, or the app quit) and can be resumed. */
export const InterruptedCatchUpSchema = z.object({
  startedAt: Instant,
  days: Count,
  done: Count,
  failed: Count,
});
export type InterruptedCatchUp = z.infer<typeof InterruptedCatchUpSchema>;
