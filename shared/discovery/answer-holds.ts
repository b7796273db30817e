/**
 * The legal holds an answer names: every matter whose hold covers a day of the queried range, read
 * from the archive's hold records through the verified ledger (main/engine/archive/holds/
 * hold-ledger.ts: schema, canonical form, signature), with the held days inside the range; and the
 * records under `holds/` that do not count, named so, never shown as holds. Worded here once for
 * the CLI (`query`) and the Discovery page.
 */
import * as z from 'zod';
import { DaySchema } from '../day';

export const AnswerHoldSchema = z
  .object({
    matter: z.string().max(200),
    reference: z.string().max(200),
    /** The period the matter's hold record placed. */
    from: DaySchema,
    to: DaySchema,
    /** The held days within the range (the period cut to it; the period itself for every day). */
    heldFrom: DaySchema,
    heldTo: DaySchema,
  })
  .strict();
export type AnswerHold = z.infer<typeof AnswerHoldSchema>;

export const AnswerHoldsSchema = z
  .object({
    /** Each matter's period overlapping the range, by matter then period (empty: no matter holds a day of it). */
    matters: z.array(AnswerHoldSchema).max(10_000),
    /** Records under `holds/` that place or release nothing (invalid, unsigned, rewritten, hidden), named. */
    invalidRecords: z.array(z.object({ key: z.string().nullable(), detail: z.string() }).strict()).max(10_000),
  })
  .strict();
export type AnswerHolds = z.infer<typeof AnswerHoldsSchema>;

/** `Legal hold: 2 matters hold days of this range (Litigation B, SEC inquiry)`. */
export function answerHoldsHeadline(holds: AnswerHolds): string {
  const names = [...new Set(holds.matters.map((h) => h.matter))];
  return `Legal hold: ${names.length === 1 ? '1 matter holds' : `${names.length} matters hold`} days of this range (${names.join(', ')})`;
}

/** One period in words: `SEC inquiry (HO-1234): 2026-11-01 to 2026-11-05 held in this range (its hold: 2026-10-01 to 2026-11-30)`. */
export function describeAnswerHold(h: AnswerHold): string {
  const days = h.heldFrom === h.heldTo ? h.heldFrom : `${h.heldFrom} to ${h.heldTo}`;
  const whole = h.heldFrom === h.from && h.heldTo === h.to ? '' : ` (its hold: ${h.from} to ${h.to})`;
  return `${h.matter}${h.reference ? ` (${h.reference})` : ''}: ${days} held in this range${whole}`;
}

/** What the records that do not count mean for the answer. */
export function invalidHoldRecordsHeadline(count: number): string {
  return `${count === 1 ? '1 record' : `${count} records`} under holds/ ${count === 1 ? 'does' : 'do'} not count as a legal hold (not shown as holds; verify names ${count === 1 ? 'it' : 'them'})`;
}
