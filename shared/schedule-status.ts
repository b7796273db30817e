/**
 * The daily job as the app shows it: when it runs next, what its last run did, and a failure that
 * stays on screen until a run succeeds.
 */
import * as z from 'zod';

const Instant = z.string().datetime({ offset: false });
const Count = z.number().int().nonnegative();

/** Why a run of the daily job started. */
const ScheduledRunReasonSchema = z.enum([
  'daily', // the configured time came
  'missed', // the configured time passed while the app was closed or the machine asleep: run once, late
  'settled', // the previous UTC day had not settled at the daily run: a second run once it has
  'requested', // someone asked
]);

export const ScheduledRunRecordSchema = z.object({
  reason: ScheduledRunReasonSchema,
  startedAt: Instant,
  finishedAt: Instant,
  ok: z.boolean(),
  archived: Count,
  failedDays: Count,
  /** "Archived 1 day" or what went wrong, for people. */
  message: z.string().max(1000),
});
export type ScheduledRunRecord = z.infer<typeof ScheduledRunRecordSchema>;

export const ScheduleFailureSchema = z.object({
  since: Instant,
  code: z.string().max(100),
  message: z.string().max(1000),
});
export type ScheduleFailure = z.infer<typeof ScheduleFailureSchema>;

export const ScheduleStatusSchema = z.object({
  /** Whether the daily job runs in this process (the desktop app; dev:web only with --schedule). */
  active: z.boolean(),
  enabled: z.boolean(),
  time: z.string(),
  timeZone: z.string(),
  nextRunAt: Instant.nullable(),
  running: z.boolean(),
  lastRun: ScheduledRunRecordSchema.nullable(),
  /** Set by a failed run (or one with failed days) and kept until a run succeeds. */
  failure: ScheduleFailureSchema.nullable(),
});
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;
