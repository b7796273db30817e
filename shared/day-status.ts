/** The state of one UTC day in the archive calendar. */
import * as z from 'zod';
import { DaySchema } from './day';
import { CopyProblemKindSchema } from './copy-check';
import { VerifyProblemSchema } from './verify';

const DAY_STATES = [
  'archived', // manifest(s) present, objects read back locked when written
  'missing', // no manifest, Genesys still holds the day: recoverable
  'unrecoverable', // no manifest and older than the Genesys retention window
  'pending', // not settled yet: not a gap
  'failed', // the last attempt failed (error attached)
  'tampered', // verification found a problem (delete marker, missing/changed object, an event repeated or not the day's)
  'not-required', // before the policy start date
] as const;
export const DayStateSchema = z.enum(DAY_STATES);
export type DayState = z.infer<typeof DayStateSchema>;

export const DayStatusSchema = z.object({
  day: DaySchema,
  state: DayStateSchema,
  events: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
  /**
   * The matters holding the day under a legal hold now, sorted (the app's calendar only; read from
   * the archive's signed hold records, main/engine/service/day-holds.ts). Absent when none does.
   */
  holds: z.array(z.string().max(200)).max(50).optional(),
  /**
   * What the app's last check of the second locked copy found wrong with the day's objects there
   * (the app's calendar only; shared/copy-check.ts). Absent when it found nothing or did not cover it.
   */
  copy: z.array(CopyProblemKindSchema).max(3).optional(),
});
export type DayStatus = z.infer<typeof DayStatusSchema>;

/** What `status --json` prints: the days, findings about the archive as a whole, and whether the target holds no archive. */
export const StatusReportSchema = z.object({
  days: z.array(DayStatusSchema),
  problems: z.array(VerifyProblemSchema),
  empty: z.boolean(),
});
