/**
 * An audit event (Genesys `AuditLogMessage`) as we rely on it.
 *
 * We validate only the fields the archive depends on (`id`, `eventDate`) and keep everything else,
 * unknown fields included, exactly as Genesys returned it: the archive is a copy, not a model.
 */
import { z } from 'zod';

/** Genesys writes `yyyy-MM-ddTHH:mm:ss[.mmm]Z`. */
export const EVENT_DATE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const AuditEventCoreSchema = z.looseObject({
  id: z.string().min(1),
  eventDate: z.string().regex(EVENT_DATE_RE, 'must be an ISO-8601 UTC instant'),
});
export type AuditEventCore = z.infer<typeof AuditEventCoreSchema>;

/** An event as it travels through the exporter: the parsed object plus the fields we use. */
export interface AuditEventRecord {
  readonly id: string;
  /** Milliseconds since the epoch of `eventDate`. */
  readonly eventTimeMs: number;
  /** The event exactly as returned (all fields kept). */
  readonly event: Record<string, unknown>;
}
