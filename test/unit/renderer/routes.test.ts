/**
 * The app's hash routes (renderer/app/routes.ts): a route may carry the period a Reports page opens
 * on; anything but two real UTC days in order is no period (the page opens on its own default).
 */
import { describe, expect, it } from 'vitest';
import {
  calendarRouteFor,
  dayInRoute,
  periodInRoute,
  reportsRouteFor,
  routeFromHash,
} from '../../../renderer/app/routes';

describe('routes', () => {
  it("the day panel's link opens Reports on that day, from and to", () => {
    const link = reportsRouteFor({ from: '2026-03-09', to: '2026-03-09' });
    expect(routeFromHash(link)).toBe('reports');
    expect(periodInRoute(link)).toEqual({ from: '2026-03-09', to: '2026-03-09' });
  });

  it('a period that is not two real UTC days in order, or on another page, is none', () => {
    for (const hash of [
      '#/reports',
      '#/reports?from=2026-03-09',
      '#/reports?from=2026-02-30&to=2026-03-01',
      '#/reports?from=03/09/2026&to=2026-03-09',
      '#/reports?from=2026-03-10&to=2026-03-09',
      '#/discovery?from=2026-03-09&to=2026-03-09',
    ])
      expect(periodInRoute(hash)).toBeNull();
    expect(routeFromHash('#/settings?x=1')).toBe('settings');
    expect(routeFromHash('#/nowhere?from=2026-03-09')).toBe('calendar');
  });

  it("the Legal holds page's link opens the calendar on a day; anything but a real UTC day there is none", () => {
    const link = calendarRouteFor('2026-03-09');
    expect(routeFromHash(link)).toBe('calendar');
    expect(dayInRoute(link)).toBe('2026-03-09');
    expect(routeFromHash('#/holds')).toBe('holds');
    for (const hash of [
      '#/calendar',
      '#/calendar?day=2026-02-30',
      '#/calendar?day=03/09/2026',
      '#/reports?day=2026-03-09',
    ])
      expect(dayInRoute(hash)).toBeNull();
  });
});
