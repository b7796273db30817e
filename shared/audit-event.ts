/**
 * An audit event (Genesys `AuditLogMessage`) as the archive carries it: its own JSON text.
 *
 * We validate only the fields the archive depends on (`id`, `eventDate`) and keep the rest, unknown
 * fields included, as the text Genesys sent: parsing and re-serialising would reformat numbers
 * (`1.0`), round integers above 2^53 and decode escapes. The archive is a copy, not a model.
 */

/** Genesys writes `yyyy-MM-ddTHH:mm:ss[.mmm]Z`. */
export const EVENT_DATE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

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
