/**
 * The summary of a report's events: counts by action, user, entity type, service and day, most
 * first (ties by label), for the PDF's summary page, its chart and the Reports page's preview.
 */
import type { Day } from '../../../shared/day';
import type { EventRow } from '../../../shared/reports/event-row';
import type { ReportSummary } from '../../../shared/reports/report-contract';

export class EventSummary {
  private events = 0;
  private failures = 0;
  private readonly action = new Map<string, number>();
  private readonly user = new Map<string, { name: string; id: string; count: number }>();
  private readonly entityType = new Map<string, number>();
  private readonly service = new Map<string, number>();
  private readonly day = new Map<string, number>();

  add(row: EventRow, day: Day): void {
    this.events += 1;
    if (row.status !== '' && row.status !== 'SUCCESS') this.failures += 1;
    bump(this.action, row.action || '(none)');
    bump(this.entityType, row.entityType || '(none)');
    bump(this.service, row.service || '(none)');
    bump(this.day, day);
    const key = row.userId || row.userName || '';
    const u = this.user.get(key);
    if (u) u.count += 1;
    else this.user.set(key, { name: row.userName, id: row.userId, count: 1 });
  }

  result(): ReportSummary {
    // Two users of one name are told apart by the start of their id.
    const names = new Map<string, number>();
    for (const u of this.user.values()) if (u.name) names.set(u.name, (names.get(u.name) ?? 0) + 1);
    const users = [...this.user.values()].map((u) => ({
      label: u.name
        ? (names.get(u.name) ?? 0) > 1
          ? `${u.name} (${u.id.slice(0, 8)})`
          : u.name
        : u.id || '(no user: system actions)',
      count: u.count,
    }));
    return {
      events: this.events,
      byAction: ranked(this.action),
      byUser: users.sort(byCount),
      byEntityType: ranked(this.entityType),
      byService: ranked(this.service),
      byDay: [...this.day].map(([label, count]) => ({ label, count })).sort((a, b) => (a.label < b.label ? -1 : 1)),
      failures: this.failures,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function byCount(a: { label: string; count: number }, b: { label: string; count: number }): number {
  return b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

function ranked(map: Map<string, number>): Array<{ label: string; count: number }> {
  return [...map].map(([label, count]) => ({ label, count })).sort(byCount);
}
