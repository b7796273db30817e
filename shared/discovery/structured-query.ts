/**
 * The structured query: the Discovery form's fields, what an examiner asks most without writing SQL.
 * "Every time user X changed queue Y between two dates" is `{range, users: [X], entityType: 'Queue',
 * entity: Y}`. A date range is required, so Athena always reads only those days.
 *
 * Matching rules (the same on both engines, compiled by compile-query.ts):
 * - users: each is a user id (a UUID, as Genesys writes them), or a user name compared without
 *   case; several are OR-ed;
 * - entity: an entity id (a UUID), or an entity name compared without case;
 * - entityType, service: compared without case; actions: any of them, without case;
 * - status: exactly SUCCESS, FAILURE or WARNING;
 * - text: free text, found without case in the user's name, the entity's name, or any property
 *   change (property names and old and new values).
 */
import * as z from 'zod';
import { DaySchema } from '../day';

/** An inclusive range of UTC days. */
export const DateRangeSchema = z
  .object({ from: DaySchema, to: DaySchema })
  .strict()
  .refine((r) => r.from <= r.to, {
    message: 'ends before it starts: the last day must not be before the first',
    path: ['to'],
  });
export type DateRange = z.infer<typeof DateRangeSchema>;

/** A form field: trimmed; empty means "any". */
const Field = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() || undefined : v),
  z.string().max(500, 'must be at most 500 characters').optional(),
);
const FieldList = z.preprocess(
  (v) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '') : v),
  z.array(z.string().max(500, 'must be at most 500 characters')).max(50, 'at most 50 values').default([]),
);

const EVENT_STATUSES = ['SUCCESS', 'FAILURE', 'WARNING'] as const;

export const StructuredQuerySchema = z
  .object({
    range: DateRangeSchema,
    users: FieldList,
    entityType: Field,
    entity: Field,
    actions: FieldList,
    service: Field,
    status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(EVENT_STATUSES).optional()),
    text: Field,
  })
  .strict();
export type StructuredQuery = z.infer<typeof StructuredQuerySchema>;
export type StructuredQueryInput = z.input<typeof StructuredQuerySchema>;
