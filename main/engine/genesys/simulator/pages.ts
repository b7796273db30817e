/**
 * Pages of a query's results and their opaque cursors. A page is pure in (query, cursor), so a
 * retried cursor gets exactly the same page; a duplicate of the previous page's last event is drawn
 * from the seed, never at random.
 */
import * as z from 'zod';
import { type Day, addDays, dayStartMs } from '../../../../shared/day';
import { dayNumber, eventTimeMs, hash4, unitFromHash } from './organisation';
import { dayCount, dayRange, eventText, matches } from './day-events';
import { HttpFault } from './http';
import { type AuditQuery, type CursorState, type Position, type SimulatorState } from './state';

type PageState = Pick<SimulatorState, 'opts' | 'org' | 'stats' | 'servedTexts'>;
type TimeField = 'eventDate' | 'eventTime';
type Sent = (day: Day, text: string) => void;

/**
 * One page of a query: up to `pageSize` matching events from `cursor.p`, possibly starting with a
 * duplicate of the previous page's last event. `sending`: the page goes out now (counted and
 * recorded), rather than being prepared for a download URL.
 */
export function buildPage(
  s: PageState,
  q: AuditQuery,
  cursor: CursorState,
  pageSize: number,
  timeField: TimeField,
  sending: boolean,
): { events: string[]; next: CursorState | null } {
  const events: string[] = [];
  const sent = recorder(s, events, sending && s.opts.recordServedEvents);
  if (cursor.l && repeatsLast(s, cursor.l)) {
    sendRepeat(s, q, cursor.l, timeField, sent);
    if (sending) s.stats.duplicatesServed++;
  }
  const { last, at } = collectEvents(s, q, cursor, pageSize, timeField, sent);
  if (sending) s.stats.eventsServed += events.length;
  const done = at.d >= q.days || (at.d === q.days - 1 && at.i >= dayRange(s.opts, addDays(q.firstDay, at.d), q).to);
  return { events, next: done ? null : { p: at, l: last, n: cursor.n + 1 } };
}

/** Collects a page's texts, and keeps them per day for servedEventTexts when `record`. */
function recorder(s: PageState, events: string[], record: boolean): Sent {
  return (day, text) => {
    events.push(text);
    if (!record) return;
    const texts = s.servedTexts.get(day) ?? [];
    texts.push(text);
    s.servedTexts.set(day, texts);
  };
}

/** Whether the page starts by repeating `last` (a seeded draw against `duplicateRate`). */
function repeatsLast(s: PageState, last: Position): boolean {
  return s.opts.duplicateRate > 0 && unitFromHash(hash4(s.opts.seed, last.d, last.i, 51)) < s.opts.duplicateRate;
}

function sendRepeat(s: PageState, q: AuditQuery, last: Position, timeField: TimeField, sent: Sent): void {
  const day = addDays(q.firstDay, last.d);
  const dn = dayNumber(day);
  const timeMs = eventTimeMs(s.opts.seed, dn, dayStartMs(day), last.i, dayCount(s.opts, day));
  sent(day, eventText(s.opts, s.org, { day, dn, i: last.i, timeMs }, timeField));
}

/** Walks the query's days from the cursor, sending matching events until the page is full. */
function collectEvents(
  s: PageState,
  q: AuditQuery,
  cursor: CursorState,
  pageSize: number,
  timeField: TimeField,
  sent: Sent,
): { last: Position | null; at: Position } {
  let last: Position | null = cursor.l;
  let d = cursor.p.d;
  let i = cursor.p.i;
  let served = 0;
  while (d < q.days) {
    const day = addDays(q.firstDay, d);
    const range = dayRange(s.opts, day, q);
    const dn = dayNumber(day);
    const ds = dayStartMs(day);
    if (i < range.from) i = range.from;
    while (i < range.to && served < pageSize) {
      if (matches(s.org, q, dn, i)) {
        const timeMs = eventTimeMs(s.opts.seed, dn, ds, i, range.count);
        sent(day, eventText(s.opts, s.org, { day, dn, i, timeMs }, timeField));
        last = { d, i };
        served++;
      }
      i++;
    }
    if (served >= pageSize) break;
    d++;
    i = 0;
  }
  return { last, at: { d, i } };
}

export function encodeCursor(q: AuditQuery, c: CursorState): string {
  return Buffer.from(JSON.stringify({ q: q.id, ...c })).toString('base64url');
}

const CursorSchema = z.object({
  q: z.string(),
  p: z.object({ d: z.number().int().min(0), i: z.number().int().min(0) }),
  l: z.object({ d: z.number().int().min(0), i: z.number().int().min(0) }).nullable(),
  n: z.number().int().min(1),
});

/** The cursor of a results request (none: the first page); another query's or a forged one is refused. */
export function decodeCursor(q: AuditQuery, cursor: string | null): CursorState {
  if (!cursor) return { p: { d: 0, i: 0 }, l: null, n: 1 };
  try {
    const c = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (c.q !== q.id) throw new Error('cursor of another query');
    return { p: c.p, l: c.l, n: c.n };
  } catch {
    throw new HttpFault(400, 'invalid.value', 'The cursor is not valid for this query.');
  }
}
