/**
 * The app frame: sidebar navigation, the banners that must never be missed (the demo organisation
 * with "Connect your organisation", a local folder that is not WORM storage, a failed daily run
 * that stays until a run succeeds), the job running on the archive when another page is open, and
 * the current page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResponseOf } from '../../shared/ipc/contract';
import type { ScheduleStatus } from '../../shared/schedule-status';
import { CalendarPage } from '../calendar/CalendarPage';
import { DiscoveryPage } from '../discovery/DiscoveryPage';
import { JobPanel } from '../jobs/JobPanel';
import { JobsProvider } from '../jobs/jobs-context';
import { ReportsPage } from '../reports/ReportsPage';
import { describeLastRun } from '../settings/sections/ScheduleSection';
import { SettingsPage } from '../settings/SettingsPage';
import { SetupPage } from '../setup/SetupPage';
import { formatInstant } from './display-format';
import { OTHER_ROUTES, ROUTES, routeFromHash, type RouteId } from './routes';
import { useAppEvent } from './use-app-events';

type AppInfo = ResponseOf<'app:info'>;

export function App({ bridge }: { bridge: Bridge }) {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(window.location.hash));
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const [schedule, setSchedule] = useState<ScheduleStatus | null>(null);

  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const refreshInfo = useCallback(async () => {
    const result = await bridge.appInfo({});
    if (result.ok) {
      setInfo(result.value);
      setInfoError(null);
    } else {
      setInfoError(result.error.message);
    }
  }, [bridge]);

  useEffect(() => {
    void refreshInfo();
    void bridge.scheduleStatus({}).then((r) => r.ok && setSchedule(r.value));
  }, [refreshInfo, bridge]);
  useAppEvent(bridge, 'schedule', setSchedule);

  const current = [...ROUTES, ...OTHER_ROUTES].find((r) => r.id === route) ?? ROUTES[0];
  const transport = info?.transport ?? 'dev-web';

  return (
    <JobsProvider bridge={bridge}>
      <div className="frame">
        <aside className="sidebar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">Audit Archive</span>
          </div>
          <nav aria-label="Main">
            <ul>
              {ROUTES.map((r) => (
                <li key={r.id}>
                  <a href={`#/${r.id}`} aria-current={r.id === route ? 'page' : undefined}>
                    {r.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {schedule && (
            <p className="sidebar-schedule" aria-label="Daily job">
              Daily job:{' '}
              {!schedule.enabled
                ? 'off'
                : schedule.running
                  ? 'running'
                  : schedule.nextRunAt
                    ? `next ${formatInstant(schedule.nextRunAt)}`
                    : `at ${schedule.time}${schedule.active ? '' : ' (desktop app)'}`}
            </p>
          )}
          {info && (
            <p className="sidebar-foot">
              Version {info.version}
              {info.transport === 'dev-web' ? ' · browser (dev/test)' : ''}
            </p>
          )}
        </aside>
        <div className="content">
          <div className="banners">
            {infoError && (
              <p className="banner banner-error" role="alert">
                {infoError}
              </p>
            )}
            {schedule?.failure && (
              <div className="banner banner-error schedule-failure" role="alert">
                <p>
                  <strong>The daily archive run failed</strong> (since {formatInstant(schedule.failure.since)}):{' '}
                  {schedule.failure.message}
                </p>
                <p className="detail">
                  {schedule.failure.code}. This stays until a run succeeds: fix the cause, then use &ldquo;Catch up
                  now&rdquo; on the <a href="#/calendar">calendar</a>.{' '}
                  {schedule.lastRun ? `Last run: ${describeLastRun(schedule)}` : ''}
                </p>
              </div>
            )}
            {info?.demo && route !== 'setup' && (
              <div className="banner banner-info demo-banner" role="status">
                <p>
                  <strong>Demo organisation.</strong> The events come from the built-in simulator and go into a demo
                  archive, until you connect a real Genesys Cloud organisation.
                </p>
                <a className="button-link primary" href="#/setup">
                  Connect your organisation
                </a>
              </div>
            )}
            {info && !info.archiveIsWorm && (
              <p className="banner banner-warning" role="status">
                <strong>The archive is a local folder</strong> ({info.archiveTarget}). A local folder is not WORM
                storage unless it sits on WORM storage such as a SnapLock share.
              </p>
            )}
          </div>
          {route !== 'calendar' && <JobPanel showLast={false} />}
          <main aria-labelledby="page-title">
            <h1 id="page-title">{current.label}</h1>
            {route === 'calendar' && <CalendarPage bridge={bridge} />}
            {route === 'discovery' && <DiscoveryPage bridge={bridge} />}
            {route === 'reports' && <ReportsPage bridge={bridge} />}
            {route === 'settings' && <SettingsPage bridge={bridge} transport={transport} onSaved={refreshInfo} />}
            {route === 'setup' && <SetupPage bridge={bridge} transport={transport} onConnected={refreshInfo} />}
          </main>
        </div>
      </div>
    </JobsProvider>
  );
}
