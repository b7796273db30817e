/**
 * The second locked copy as the app shows it: the kinds of finding a copy check makes (verify
 * --copy: main/engine/archive/copy/verify-copy.ts), what the last check the app ran covered, and
 * what a day's entry says about it. The app keeps the last check in its run journal
 * (main/engine/archive/run-journal.ts); it is a record of a check made at `at`, never the copy as it
 * is now, so every place that shows it says when it was checked.
 */
import * as z from 'zod';
import { DaySchema } from './day';
import { VerifyProblemSchema, type VerifyProblemKind } from './verify';

const Instant = z.string().datetime({ offset: false });
const Count = z.number().int().nonnegative();

export const COPY_PROBLEM_KINDS = [
  'copy-missing',
  'copy-different',
  'copy-unlocked',
] as const satisfies readonly VerifyProblemKind[];
export const CopyProblemKindSchema = z.enum(COPY_PROBLEM_KINDS);
export type CopyProblemKind = z.infer<typeof CopyProblemKindSchema>;

export function isCopyProblemKind(kind: string): kind is CopyProblemKind {
  return (COPY_PROBLEM_KINDS as readonly string[]).includes(kind);
}

export const CopyModeSchema = z.enum(['write', 'check']);

/** The last copy check of the copy set now: when, which copy, over which days, what it found. */
export const CopyCheckSummarySchema = z.object({
  at: Instant,
  /** The copy checked, `s3://bucket/prefix`. */
  copy: z.string().max(2000),
  mode: CopyModeSchema,
  /** The days checked (null: the archive had no day then). */
  from: DaySchema.nullable(),
  to: DaySchema.nullable(),
  objectsChecked: Count,
  /** Findings in all, and the days they fall on. */
  problems: Count,
  problemDays: Count,
});
export type CopyCheckSummary = z.infer<typeof CopyCheckSummarySchema>;

/** The day panel's part on the copy: the copy set now, and the last check when it covered the day. */
export const DayCopySchema = z.object({
  target: z.string().max(2000),
  mode: CopyModeSchema,
  /** The last check of this copy, when its range covered the day (null: none did). */
  checked: z
    .object({
      at: Instant,
      from: DaySchema.nullable(),
      to: DaySchema.nullable(),
      problems: z.array(VerifyProblemSchema).max(50),
      /** Findings of that check the app did not keep (a few per day are kept): a day without any may have some. */
      omitted: Count,
    })
    .nullable(),
});
export type DayCopy = z.infer<typeof DayCopySchema>;
