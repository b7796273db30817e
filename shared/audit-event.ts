/**
 * An audit event (Genesys `AuditLogMessage`) as the archive carries it: its own JSON text.
 *
 * We validate only the fields the archive depends on (`id`, `eventDate`) and keep the rest, unknown
 * fields included, as the text Genesys sent: parsing and re-serialising would reformat numbers
 * (`1.0`), round integers above 2^53 and decode escapes. The archive is a copy, not a model.
 *
 * What makes a JSON value an event is decided here, once: the exporter checks every event Genesys
 * sends with it (main/engine/genesys/client.ts), and `verify --full` every line archived
 * (main/engine/archive/verify/day-events.ts).
 */
import * as z from 'zod';

/** Genesys writes `yyyy-MM-ddTHH:mm:ss[.mmm]Z`. */
export const EVENT_DATE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** An event's time: the documented shape, and a real instant (`2026-13-45T…` has the shape only). */
const eventInstant = (field: string) =>
  z
    .string()
    .regex(EVENT_DATE_RE, `${field} must be an ISO-8601 UTC instant`)
    .refine((t) => Number.isFinite(Date.parse(t)), `${field} is not a real instant`);

/**
 * The fields of an event the archive relies on. Redirect downloads sometimes name the time
 * `eventTime` (an integration reads that); it is accepted for the time only, the event is kept as is.
 * `checkedEventDate` checks these fields directly on the fast path; this schema says what is wrong.
 */
const EventCoreSchema = z
  .object({
    id: z.string().min(1, 'id is empty'),
    eventDate: eventInstant('eventDate').optional(),
    eventTime: eventInstant('eventTime').optional(),
  })
  .refine((e) => e.eventDate !== undefined || e.eventTime !== undefined, 'eventDate is missing');

const isEventInstant = (t: unknown): t is string =>
  typeof t === 'string' && EVENT_DATE_RE.test(t) && Number.isFinite(Date.parse(t));

/**
 * The event's time as written (`eventDate`, else `eventTime`) if its `id` and time are as the
 * archive needs them, else null (`eventCoreProblem` then says why). The fast path: it runs on every
 * event exported and every line verified.
 */
export function checkedEventDate(event: unknown): string | null {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return null;
  const { id, eventDate, eventTime } = event as { id?: unknown; eventDate?: unknown; eventTime?: unknown };
  if (typeof id !== 'string' || id === '') return null;
  if (eventDate !== undefined && !isEventInstant(eventDate)) return null;
  if (eventTime !== undefined && !isEventInstant(eventTime)) return null;
  return (eventDate ?? eventTime ?? null) as string | null;
}

/** Why `checkedEventDate` refused `event`, in words naming the fields (never their values). */
export function eventCoreProblem(event: unknown): string {
  const parsed = EventCoreSchema.safeParse(event);
  return parsed.success
    ? 'eventDate is missing'
    : parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
}

/** An event as it travels through the exporter: its text plus the fields we use. */
export interface AuditEventRecord {
  readonly id: string;
  /** Milliseconds since the epoch of `eventDate`. */
  readonly eventTimeMs: number;
  /** The event's time as Genesys wrote it (`eventDate`, or `eventTime` on some download pages). */
  readonly eventDate: string;
  /**
   * The event's own JSON text from the response, with only the insignificant whitespace between
   * tokens removed, so it is one line. This is what the archive stores, byte for byte.
   */
  readonly json: string;
}
