/**
 * Which events a day holds and which of them a query sees: the day's count (quiet and heavy days
 * applied), the index range inside an interval and a visibility snapshot (settlement lag, retention),
 * the query's filters, and the exact text sent for one event (broken or rewritten as the knobs say).
 */
import { type Day, dayStartMs, firstRecoverableDay } from '../../../../shared/day';
import { type SyntheticOrganisation, dayNumber, eventTimeMs } from './organisation';
import { type SimulatorOptions } from './options';
import { type AuditQuery, type Visibility } from './state';

export const MS_PER_DAY = 86_400_000;

type DayVolumeOptions = Pick<SimulatorOptions, 'quietDays' | 'eventsPerDay' | 'heavyDays'>;

/** Events the day holds in total (visible or not). */
export function dayCount(opts: DayVolumeOptions, day: Day): number {
  if (opts.quietDays.includes(day)) return 0;
  const base = typeof opts.eventsPerDay === 'number' ? opts.eventsPerDay : opts.eventsPerDay(day);
  const n = Math.max(0, Math.floor(base));
  return opts.heavyDays.includes(day) ? n * 10 : n;
}

export interface DayRange {
  /** First visible index. */
  readonly from: number;
  /** One past the last visible index. */
  readonly to: number;
  /** Events the day holds in total. */
  readonly count: number;
}

/** Index range [from, to) of the day's events within [startMs, endMs) and visible/retained. */
export function dayRange(opts: DayVolumeOptions & Pick<SimulatorOptions, 'seed'>, day: Day, v: Visibility): DayRange {
  const count = dayCount(opts, day);
  const ds = dayStartMs(day);
  const dn = dayNumber(day);
  if (count === 0 || ds < v.retainedFromMs) return { from: 0, to: 0, count };
  const upper = Math.min(v.endMs, v.visibleUntilMs + 1); // visible: time <= visibleUntil
  const firstAtOrAfter = (ms: number): number => firstEventAtOrAfter(opts.seed, dn, ds, count, ms);
  const from = v.startMs <= ds ? 0 : firstAtOrAfter(v.startMs);
  const to = upper >= ds + MS_PER_DAY ? count : firstAtOrAfter(upper);
  return { from, to: Math.max(from, to), count };
}

/** Index of the day's first event at or after `ms` (events are in time order; binary search). */
function firstEventAtOrAfter(seed: number, dn: number, ds: number, count: number, ms: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (eventTimeMs(seed, dn, ds, mid, count) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The whole day as a query run now would see it. */
export function visibleRange(opts: SimulatorOptions, day: Day): DayRange {
  const now = opts.now();
  return dayRange(opts, day, {
    startMs: dayStartMs(day),
    endMs: dayStartMs(day) + MS_PER_DAY,
    visibleUntilMs: now - opts.settlementLagMinutes * 60_000,
    retainedFromMs: dayStartMs(firstRecoverableDay(now, opts.retentionDays)),
  });
}

/** Whether event `i` of day number `dn` passes the query's serviceName and filters. */
export function matches(org: SyntheticOrganisation, q: AuditQuery, dn: number, i: number): boolean {
  if (!q.serviceName && q.filters.length === 0) return true;
  const d = org.describe(dn, i);
  if (q.serviceName && d.serviceName !== q.serviceName) return false;
  for (const f of q.filters) {
    const v =
      f.property === 'UserId'
        ? d.userId
        : f.property === 'Action'
          ? d.action
          : f.property === 'EntityType'
            ? d.entityType
            : f.property === 'EntityId'
              ? d.entityId
              : f.property === 'ClientId'
                ? d.clientId
                : org.orgId;
    if (v !== f.value) return false;
  }
  return true;
}

/** The text sent for event `i` of `day`: generated, then broken or rewritten as the knobs say. */
export function eventText(
  opts: Pick<SimulatorOptions, 'malformedEvents' | 'rawEventTexts'>,
  org: SyntheticOrganisation,
  at: { day: Day; dn: number; i: number; timeMs: number },
  timeField: 'eventDate' | 'eventTime',
): string {
  const { day, dn, i, timeMs } = at;
  const json = org.eventJson(dn, i, timeMs, timeField);
  if (opts.malformedEvents.length > 0 && opts.malformedEvents.some((m) => m.day === day && m.index === i)) {
    return json.replace(/"(eventDate|eventTime)":"[^"]*"/, '"$1":"yesterday afternoon"');
  }
  if (opts.rawEventTexts.length > 0) {
    const raw = opts.rawEventTexts.find((r) => r.day === day && r.index === i);
    if (raw) return raw.text(json);
  }
  return json;
}
