/**
 * Hash routes (`#/settings`): no server routing needed under `app://` or the loopback server. A route
 * may carry a query after its name (`#/reports?from=2026-03-02&to=2026-03-02`): the page it opens
 * reads it as a suggestion for its form, checked like anything typed.
 */
import { isDay, type Day } from '../../shared/day';

export const ROUTES = [
  { id: 'calendar', label: 'Calendar' },
  { id: 'discovery', label: 'Discovery' },
  { id: 'reports', label: 'Reports' },
  { id: 'holds', label: 'Legal holds' },
  { id: 'settings', label: 'Settings' },
] as const;

/** Pages reached from within the app, not from the sidebar. */
export const OTHER_ROUTES = [{ id: 'setup', label: 'Connect your organisation' }] as const;

export type RouteId = (typeof ROUTES)[number]['id'] | (typeof OTHER_ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split('?')[0];
  return [...ROUTES, ...OTHER_ROUTES].find((r) => r.id === id)?.id ?? 'calendar';
}

/** The Reports page opened on a period (the day panel's "Export this day's report"). */
export function reportsRouteFor(period: { from: string; to: string }): string {
  return `#/reports?${new URLSearchParams({ from: period.from, to: period.to }).toString()}`;
}

/** The calendar opened on a day, its panel open (the Legal holds page's link to a held period). */
export function calendarRouteFor(day: Day): string {
  return `#/calendar?${new URLSearchParams({ day }).toString()}`;
}

/** The day a calendar route names, if it is a real UTC day; otherwise none (the calendar opens as from the sidebar). */
export function dayInRoute(hash: string): Day | null {
  if (routeFromHash(hash) !== 'calendar') return null;
  const query = hash.indexOf('?');
  if (query < 0) return null;
  const day = new URLSearchParams(hash.slice(query + 1)).get('day');
  return isDay(day) ? day : null;
}

/**
 * The period a Reports route names: both days real UTC days, `from` not after `to`; otherwise none
 * (the page opens on its own default, as from the sidebar).
 */
export function periodInRoute(hash: string): { from: string; to: string } | null {
  if (routeFromHash(hash) !== 'reports') return null;
  const query = hash.indexOf('?');
  if (query < 0) return null;
  const params = new URLSearchParams(hash.slice(query + 1));
  const from = params.get('from');
  const to = params.get('to');
  return isDay(from) && isDay(to) && from <= to ? { from, to } : null;
}
