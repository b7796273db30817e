/**
 * One archived event as a report shows it to people: its time in UTC and in the officer's zone,
 * who, what, on which entity, and each property change old -> new. Built from the event's JSON as
 * the archive holds it; a field Genesys left out or filled oddly is shown as it is, never refused
 * (the NDJSON beside the PDF holds the exact bytes).
 */
import * as z from 'zod';

const EventChangeSchema = z.strictObject({
  property: z.string(),
  oldValues: z.array(z.string()),
  newValues: z.array(z.string()),
});
type EventChange = z.infer<typeof EventChangeSchema>;

export const EventRowSchema = z.strictObject({
  /** Position in the report's event table, from 1. */
  n: z.number().int().positive(),
  id: z.string(),
  /** The event's own `eventDate` text. */
  eventDate: z.string(),
  timeUtc: z.string(),
  timeLocal: z.string(),
  userName: z.string(),
  userId: z.string(),
  service: z.string(),
  action: z.string(),
  status: z.string(),
  entityType: z.string(),
  entityName: z.string(),
  entityId: z.string(),
  changes: z.array(EventChangeSchema),
  remoteIp: z.array(z.string()),
  clientId: z.string(),
  application: z.string(),
});
export type EventRow = z.infer<typeof EventRowSchema>;

/** Text of any JSON value as a cell shows it. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function field(object: unknown, key: string): unknown {
  return object !== null && typeof object === 'object' && !Array.isArray(object)
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : value === undefined || value === null ? [] : [text(value)];
}

/** Formats instants in UTC and in one zone, as `YYYY-MM-DD HH:mm:ss.mmm` (+ the zone's offset). */
export class EventTimeFormat {
  private readonly local: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.local = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
  }

  utc(ms: number): string {
    const iso = new Date(ms).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }

  /** In the zone, with its offset (`2026-03-02 11:15:03.123 +01:00`). */
  zoned(ms: number): string {
    const parts: Record<string, string> = {};
    for (const p of this.local.formatToParts(new Date(ms))) parts[p.type] = p.value;
    const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
    const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${millis} ${offset}`;
  }
}

/** The row of one event (`event` as parsed from its archived line). */
export function eventRowOf(event: unknown, n: number, times: EventTimeFormat): EventRow {
  const eventDate = text(field(event, 'eventDate') ?? field(event, 'eventTime'));
  const ms = Date.parse(eventDate);
  const user = field(event, 'user');
  const entity = field(event, 'entity');
  const changes = field(event, 'propertyChanges');
  return {
    n,
    id: text(field(event, 'id')),
    eventDate,
    timeUtc: Number.isFinite(ms) ? times.utc(ms) : eventDate,
    timeLocal: Number.isFinite(ms) ? times.zoned(ms) : '',
    userName: text(field(user, 'name')),
    userId: text(field(user, 'id')),
    service: text(field(event, 'serviceName')),
    action: text(field(event, 'action')),
    status: text(field(event, 'status')),
    entityType: text(field(event, 'entityType')),
    entityName: text(field(entity, 'name')),
    entityId: text(field(entity, 'id')),
    changes: Array.isArray(changes)
      ? changes.map((c) => ({
          property: text(field(c, 'property')),
          oldValues: texts(field(c, 'oldValues')),
          newValues: texts(field(c, 'newValues')),
        }))
      : [],
    remoteIp: texts(field(event, 'remoteIp')),
    clientId: text(field(field(event, 'client'), 'id')),
    application: text(field(event, 'application')),
  };
}

/** One property change as a line of text: `property: old -> new` (empty sides shown as "(none)"). */
export function describeChange(change: EventChange, arrow = '→'): string {
  const side = (values: readonly string[]) => (values.length === 0 ? '(none)' : values.join(', '));
  return `${change.property}: ${side(change.oldValues)} ${arrow} ${side(change.newValues)}`;
}
