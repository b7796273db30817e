/**
 * The daily job: on or off, its local time, how many days run at once, and (desktop only) start at
 * login and the tray icon; with when it last ran, what it did and when it runs next.
 */
import { useEffect, useState } from 'react';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { ScheduleStatus } from '../../../shared/schedule-status';
import { describeLastRun, describeNextRun, scheduleTime } from '../../app/schedule-words';
import { useAppEvent } from '../../app/use-app-events';
import type { Settings } from '../../../shared/settings';
import type { FieldErrors } from '../field-errors';
import { Field, NumberInput, type SectionProps } from '../form-parts';

export function ScheduleSection({ bridge, settings, update, errors }: SectionProps & { bridge: Bridge }) {
  const { schedule, desktop } = settings;
  const [status, setStatus] = useState<ScheduleStatus | null>(null);
  useEffect(() => {
    void bridge.scheduleStatus({}).then((r) => r.ok && setStatus(r.value));
  }, [bridge]);
  useAppEvent(bridge, 'schedule', setStatus);

  return (
    <fieldset>
      <legend>Daily job</legend>
      <Field label="Run the daily export" error={errors['schedule.enabled']} inline>
        {(id) => (
          <input
            id={id}
            type="checkbox"
            checked={schedule.enabled}
            onChange={(e) => update('schedule', { enabled: e.target.checked })}
          />
        )}
      </Field>
      <Field
        label="Daily run time"
        error={errors['schedule.time']}
        hint={`At ${scheduleTime(schedule.time, status?.timeZone)}: archives the previous UTC day once it has settled, and every recoverable gap. A run missed while the app was closed runs once at the next start.`}
      >
        {(id) => (
          <input
            id={id}
            type="time"
            value={schedule.time}
            onChange={(e) => update('schedule', { time: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Days at once"
        error={errors['schedule.concurrency']}
        hint="Days exported in parallel during a catch-up (1-8), all inside one Genesys rate budget."
      >
        {(id) => (
          <NumberInput id={id} value={schedule.concurrency} onChange={(n) => update('schedule', { concurrency: n })} />
        )}
      </Field>
      <DesktopFields desktop={desktop} errors={errors} update={update} />
      {status && (
        <dl className="facts schedule-facts" aria-label="Daily job status">
          <dt>Last run</dt>
          <dd className="last-run">{describeLastRun(status)}</dd>
          <dt>Next run</dt>
          <dd className="next-run">{describeNextRun(status)}</dd>
        </dl>
      )}
    </fieldset>
  );
}

/** The desktop app's own settings: start at login, and the tray icon that keeps the daily job running. */
function DesktopFields({
  desktop,
  errors,
  update,
}: {
  desktop: Settings['desktop'];
  errors: FieldErrors;
  update: SectionProps['update'];
}) {
  return (
    <>
      <Field
        label="Start at login"
        error={errors['desktop.startAtLogin']}
        hint="The desktop app starts in the tray when you log in, so the daily job runs."
        inline
      >
        {(id) => (
          <input
            id={id}
            type="checkbox"
            checked={desktop.startAtLogin}
            onChange={(e) => update('desktop', { startAtLogin: e.target.checked })}
          />
        )}
      </Field>
      <Field
        label="Tray icon"
        error={errors['desktop.trayIcon']}
        hint="Keeps the app and its daily job running when the window is closed."
        inline
      >
        {(id) => (
          <input
            id={id}
            type="checkbox"
            checked={desktop.trayIcon}
            onChange={(e) => update('desktop', { trayIcon: e.target.checked })}
          />
        )}
      </Field>
    </>
  );
}
