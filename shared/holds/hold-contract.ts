/**
 * Legal holds' IPC channels (issue 18), merged into shared/ipc/contract.ts: whether the app's archive
 * can hold anything and who a hold would be recorded as placed by, every matter holding days now (the
 * Legal holds page), and placing or releasing a hold by matter from the calendar, the day panel and
 * that page.
 *
 * The engine does the work with the functions `audit-archive hold place | list | release` calls
 * (main/engine/archive/holds/place-hold.ts, hold-list.ts). The renderer checks a request against these schemas
 * before sending it, so a bad field is refused beside it at once; main checks it again (dispatch).
 */
import * as z from 'zod';
import { DaySchema, isDay, type Day } from '../day';
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

/** Days in order, by their count and ends. */
export function daySpan(days: readonly Day[]): DaySpan {
  return { count: days.length, first: days[0] ?? null, last: days.at(-1) ?? null };
}

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

/** How many matters, periods of a matter and records that do not count one answer carries (the totals say how many there are). */
export const HOLD_LIST_LIMITS = { matters: 1000, periods: 200, invalidRecords: 200 } as const;

/** One period a matter placed: its signed hold record's words. */
const HeldPeriodSchema = z.object({
  from: DaySchema,
  to: DaySchema,
  reference: z.string().max(HOLD_WORD_LIMITS.reference),
  reason: z.string().max(HOLD_WORD_LIMITS.reason),
  by: z.string().max(HOLD_WORD_LIMITS.by),
  placedAt: z.string().datetime({ offset: false }),
});
export type HeldPeriodView = z.infer<typeof HeldPeriodSchema>;

/** A matter holding days now, its periods in placing order, and the days they cover counted against the archive. */
const ListedMatterSchema = z.object({
  matter: z.string().max(HOLD_WORD_LIMITS.matter),
  periods: z.array(HeldPeriodSchema).max(HOLD_LIST_LIMITS.periods),
  periodsTotal: Count,
  /** Archived days its periods cover: every version their manifests vouch for is held. */
  archived: DaySpanSchema,
  /** Days its periods cover after the last settled day: held as they are archived. */
  later: DaySpanSchema,
  /** Settled days its periods cover that are not archived: there is nothing of them to hold. */
  notArchived: DaySpanSchema,
  /** Days its periods cover that another matter holds too: they stay held when it is released. */
  shared: DaySpanSchema,
});
export type ListedMatterView = z.infer<typeof ListedMatterSchema>;

export const HoldListSchema = z.object({
  /** The archive the app uses now (`s3://bucket/prefix`, `file:///…`). */
  archiveTarget: z.string().max(2000),
  /** Why this archive cannot hold anything (a local folder), in words; null when it can. */
  refusal: z.string().max(2000).nullable(),
  /** Every matter holding days now, by name; empty on an archive that cannot hold. */
  matters: z.array(ListedMatterSchema).max(HOLD_LIST_LIMITS.matters),
  mattersTotal: Count,
  /** Records under `holds/` that place or release nothing (invalid, unsigned, another archive's, rewritten, hidden), named. */
  invalidRecords: z
    .array(z.object({ key: z.string().max(1100).nullable(), detail: z.string().max(4000) }))
    .max(HOLD_LIST_LIMITS.invalidRecords),
  invalidRecordsTotal: Count,
});
export type HoldList = z.infer<typeof HoldListSchema>;

export const holdsContract = {
  'holds:status': {
    request: z.strictObject({}),
    response: HoldsStatusSchema,
  },
  'holds:list': {
    request: z.strictObject({}),
    response: HoldListSchema,
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
