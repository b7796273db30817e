/**
 * How the app states the daily job: its time, its last run and its next. The sidebar, the failed-run
 * banner and Settings > Daily job all use these, so the app frame needs none of the Settings page.
 */
import type { ScheduleStatus } from '../../shared/schedule-status';
import { formatInstant } from './display-format';

export function describeLastRun(status: ScheduleStatus): string {
  const last = status.lastRun;
  if (!last) return 'Not run yet on this machine.';
  const why = last.reason === 'missed' ? ' (a run missed while the app was closed, made up at start)' : '';
  return `${formatInstant(last.startedAt)}${why}: ${last.message}`;
}

/**
 * The daily run's time, the one way the app states it: "02:00 Europe/London time (this computer's
 * time zone)". The sidebar, the hint and the status all use it.
 */
export function scheduleTime(time: string, timeZone: string | undefined): string {
  return `${time} ${timeZone ? `${timeZone} time` : 'local time'} (this computer's time zone)`;
}

export function describeNextRun(status: ScheduleStatus): string {
  if (!status.enabled) return 'Off.';
  const at = scheduleTime(status.time, status.timeZone);
  if (!status.active) return `At ${at}, while the desktop app runs; not in this window.`;
  if (status.running) return 'Running now.';
  return status.nextRunAt ? formatInstant(status.nextRunAt) : `At ${at}.`;
}
