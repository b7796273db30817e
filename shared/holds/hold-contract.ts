/**
 * Legal holds' IPC channels (issue 18), merged into shared/ipc/contract.ts: whether the app's archive
 * can hold anything and who a hold would be recorded as placed by, and placing or releasing a hold
 * by matter from the calendar and the day panel.
 *
 * The engine does the work with the functions `audit-archive hold place | release` calls
 * (main/engine/archive/holds/place-hold.ts). The renderer checks a request against these schemas
 * before sending it, so a bad field is refused beside it at once; main checks it again (dispatch).
 */
import * as z from 'zod';
import { DaySchema, isDay } from '../day';
import { HOLD_WORD_LIMITS, holdLine, MatterSchema } from './hold-words';

/** The period's end before its start: refused on the `to` field. */
export const TO_BEFORE_FROM = 'must not be before the first day';
/** A release whose typed name is not the matter's: refused on the `confirm` field. */
export const CONFIRM_MISMATCH = "type the matter's name exactly as shown to release it";

export const PlaceHoldRequestSchema = z
  .strictObject({
    from: DaySchema,
    to: DaySchema,
    matter: MatterSchema,
    reference: holdLine(HOLD_WORD_LIMITS.reference).default(''),
    reason: holdLine(HOLD_WORD_LIMITS.reason).default(''),
  })
  // Judged only between two real days (zod runs it even when a day was refused).
  .refine((r) => !isDay(r.from) || !isDay(r.to) || r.to >= r.from, { path: ['to'], message: TO_BEFORE_FROM });
export type PlaceHoldRequest = z.input<typeof PlaceHoldRequestSchema>;

/** A release names the matter and carries the name as the officer typed it to confirm (counsel's explicit act). */
export const ReleaseHoldRequestSchema = z
  .strictObject({
    matter: MatterSchema,
    confirm: z.string().max(HOLD_WORD_LIMITS.matter + 50),
  })
  .refine((r) => r.confirm === r.matter, { path: ['confirm'], message: CONFIRM_MISMATCH });
export type ReleaseHoldRequest = z.input<typeof ReleaseHoldRequestSchema>;

const Count = z.number().int().nonnegative();
/** A run of days, by its ends and count (a period can span years: never every day). */
const DaySpanSchema = z.object({ count: Count, first: DaySchema.nullable(), last: DaySchema.nullable() });
export type DaySpan = z.infer<typeof DaySpanSchema>;

export const HoldOutcomeSchema = z.object({
  matter: z.string().max(HOLD_WORD_LIMITS.matter),
  /** The signed record written, locked like a manifest and read back. */
  recordKey: z.string().max(1100),
  /** Archived days whose versions were held (place) or let go (release). */
  days: DaySpanSchema,
  /** Days of the period not archived yet (after the last settled day): held as they land. */
  later: DaySpanSchema,
  /** Days a release left held because another matter still holds them. */
  stillHeld: DaySpanSchema,
  /** Object versions whose legal hold was turned ON (place) or OFF (release). */
  versions: Count,
});
export type HoldOutcome = z.infer<typeof HoldOutcomeSchema>;

export const HoldsStatusSchema = z.object({
  /** The archive the app uses now (`s3://bucket/prefix`, `file:///…`). */
  archiveTarget: z.string().max(2000),
  /** Whether this archive can hold anything (S3 Object Lock); a local folder cannot. */
  canHold: z.boolean(),
  /** Why it cannot, in words, said before the officer fills a form; null when it can. */
  refusal: z.string().max(2000).nullable(),
  /** Who a hold or release is recorded as made by (the officer's name, else the account and machine). */
  by: z.string().max(HOLD_WORD_LIMITS.by),
});
export type HoldsStatus = z.infer<typeof HoldsStatusSchema>;

export const holdsContract = {
  'holds:status': {
    request: z.strictObject({}),
    response: HoldsStatusSchema,
  },
  'holds:place': {
    request: PlaceHoldRequestSchema,
    response: HoldOutcomeSchema,
  },
  'holds:release': {
    request: ReleaseHoldRequestSchema,
    response: HoldOutcomeSchema,
  },
} as const;
