/**
 * The officer's words a legal hold keeps for good (its matter, reference, reason, who placed it):
 * one home for their rules, used by the signed hold record (main/engine/archive/holds/hold-record.ts)
 * and by the app's requests to place or release a hold (hold-contract.ts), so the app refuses on its
 * field exactly what the record would refuse.
 */
import * as z from 'zod';

export const HOLD_WORD_LIMITS = { matter: 200, reference: 200, reason: 500, by: 200 } as const;

/** One line of an officer's words: no control characters, bounded. */
export const holdLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/\p{Cc}/u.test(s), 'must be one line without control characters');

/** A matter's name, as the officer gives it: what a release names. */
export const MatterSchema = holdLine(HOLD_WORD_LIMITS.matter).refine((s) => s.trim().length > 0 && s.trim() === s, {
  message: 'must not be empty or start or end with spaces',
});
