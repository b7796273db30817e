/**
 * The app frame: sidebar navigation, the banners that must never be missed (the demo organisation
 * with "Connect your organisation", a local folder that is not WORM storage, a failed daily run
 * that stays until a run succeeds), the job running on the archive when another page is open, and
 * the current page.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResponseOf } from '../../shared/ipc/contract';
import type { ScheduleStatus } from '../../shared/schedule-status';
import { CalendarPage, forgetCalendar } from '../calendar/CalendarPage';
import { JobPanel } from '../jobs/JobPanel';
import { JobsProvider } from '../jobs/jobs-context';
import { formatInstant } from './display-format';
import { mayLeave } from './leave-guard';
import { describeLastRun, scheduleTime } from './schedule-words';
import { OTHER_ROUTES, ROUTES, routeFromHash, type RouteId } from './routes';
import { useAppEvent } from './use-app-events';
// Every page's styles come with the frame (a few kB), in the order they always had, so the cascade
// never depends on which page's code arrived first; the pages' code is what loads later.
import '../discovery/discovery.css';
import '../holds/holds-page.css';
import '../reports/reports.css';
import '../settings/settings.css';
import '../setup/setup.css';

type AppInfo = ResponseOf<'app:info'>;

/**
 * The pages after the calendar, each its own chunk: the first paint loads only the frame and the
 * calendar's code; the others are fetched once the window is idle, so a visit finds them loaded.
 */
const PAGE_CHUNKS = {
  discovery: () => import('../discovery/DiscoveryPage'),
  holds: () => import('../holds/HoldsPage'),
  reports: () => import('../reports/ReportsPage'),
  settings: () => import('../settings/SettingsPage'),
  setup: () => import('../setup/SetupPage'),
};
const DiscoveryPage = lazy(() => PAGE_CHUNKS.discovery().then((m) => ({ default: m.DiscoveryPage })));
const HoldsPage = lazy(() => PAGE_CHUNKS.holds().then((m) => ({ default: m.HoldsPage })));
const ReportsPage = lazy(() => PAGE_CHUNKS.reports().then((m) => ({ default: m.ReportsPage })));
const SettingsPage = lazy(() => PAGE_CHUNKS.settings().then((m) => ({ default: m.SettingsPage })));
const SetupPage = lazy(() => PAGE_CHUNKS.setup().then((m) => ({ default: m.SetupPage })));

/** Fetches every page's chunk once the first paint is done (a failed fetch is tried again on the visit). */
function usePagesPreloaded(): void {
  useEffect(() => {
    const preload = () => {
      for (const load of Object.values(PAGE_CHUNKS)) void load().catch(() => undefined);
    };
    const idle = window.requestIdleCallback(preload, { timeout: 2000 });
    return () => window.cancelIdleCallback(idle);
  }, []);
}

export function App({ bridge }: { bridge: Bridge }) {
  const route = useRoute();
  const { info, infoError, refreshInfo } = useAppInfo(bridge);
  const schedule = useScheduleStatus(bridge);
  usePagesPreloaded();
  const current = [...ROUTES, ...OTHER_ROUTES].find((r) => r.id === route) ?? ROUTES[0];
  const transport = info?.transport ?? 'dev-web';
  const settingsChanged = () => {
    forgetCalendar();
    void refreshInfo();
  };

  return (
    <JobsProvider bridge={bridge}>
      <div className="frame">
        <Sidebar route={route} schedule={schedule} info={info} />
        <div className="content">
          <Banners route={route} info={info} infoError={infoError} schedule={schedule} />
          {route !== 'calendar' && <JobPanel showLast={false} />}
          <main aria-labelledby="page-title">
            {/* The title comes with its page: a heading on screen means the page's code is there. */}
            <Suspense fallback={<PageLoading label={current.label} />}>
              <h1 id="page-title">{current.label}</h1>
              {route === 'calendar' && <CalendarPage bridge={bridge} />}
              {route === 'discovery' && <DiscoveryPage bridge={bridge} />}
              {route === 'reports' && <ReportsPage bridge={bridge} />}
              {route === 'holds' && <HoldsPage bridge={bridge} />}
              {route === 'settings' && <SettingsPage bridge={bridge} transport={transport} onSaved={settingsChanged} />}
              {route === 'setup' && <SetupPage bridge={bridge} transport={transport} onConnected={settingsChanged} />}
            </Suspense>
          </main>
        </div>
      </div>
    </JobsProvider>
  );
}

/** While a page's code arrives (its first visit, before the preload finished). */
function PageLoading({ label }: { label: string }) {
  return (
    <p id="page-title" className="page-loading" role="status">
      Opening {label}…
    </p>
  );
}

/**
 * The page the URL's fragment names, following it as it changes; a page with unsaved edits is asked
 * first (renderer/app/leave-guard.ts), and staying puts its address back.
 */
function useRoute(): RouteId {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onHash = (e: HashChangeEvent) => {
      const next = routeFromHash(window.location.hash);
      const from = routeFromHash(new URL(e.oldURL).hash);
      if (next !== from && !mayLeave()) {
        window.history.replaceState(null, '', `#/${from}`);
        return;
      }
      setRoute(next);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** What the app is (version, transport, demo, archive target), read again after settings change. */
function useAppInfo(bridge: Bridge) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
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
  }, [refreshInfo]);
  return { info, infoError, refreshInfo };
}

/** The daily job's status, as main pushes it. */
function useScheduleStatus(bridge: Bridge): ScheduleStatus | null {
  const [schedule, setSchedule] = useState<ScheduleStatus | null>(null);
  useEffect(() => {
    void bridge.scheduleStatus({}).then((r) => r.ok && setSchedule(r.value));
  }, [bridge]);
  useAppEvent(bridge, 'schedule', setSchedule);
  return schedule;
}

function Sidebar({ route, schedule, info }: { route: RouteId; schedule: ScheduleStatus | null; info: AppInfo | null }) {
  return (
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
          Daily job: {sidebarSchedule(schedule)}
        </p>
      )}
      {info && (
        <p className="sidebar-foot">
          Version {info.version}
          {info.transport === 'dev-web' ? ' · browser (dev/test)' : ''}
        </p>
      )}
    </aside>
  );
}

function sidebarSchedule(schedule: ScheduleStatus): string {
  if (!schedule.enabled) return 'off';
  if (schedule.running) return 'running';
  if (schedule.nextRunAt) return `next ${formatInstant(schedule.nextRunAt)}`;
  return `at ${scheduleTime(schedule.time, schedule.timeZone)}${schedule.active ? '' : ', in the desktop app'}`;
}

function Banners({
  route,
  info,
  infoError,
  schedule,
}: {
  route: RouteId;
  info: AppInfo | null;
  infoError: string | null;
  schedule: ScheduleStatus | null;
}) {
  return (
    <div className="banners">
      {infoError && (
        <p className="banner banner-error" role="alert">
          {infoError}
        </p>
      )}
      {schedule?.failure && <ScheduleFailure schedule={schedule} failure={schedule.failure} />}
      {info?.demo && route !== 'setup' && (
        <div className="banner banner-info demo-banner" role="status">
          <p>
            <strong>Demo organisation.</strong> The events come from the built-in simulator and go into a demo archive,
            until you connect a real Genesys Cloud organisation.
          </p>
          <a className="button-link primary" href="#/setup">
            Connect your organisation
          </a>
        </div>
      )}
      {info && !info.archiveIsWorm && (
        <p className="banner banner-warning" role="status">
          <strong>The archive is a local folder</strong> ({info.archiveTarget}). A local folder is not WORM storage
          unless it sits on WORM storage such as a SnapLock share.
        </p>
      )}
    </div>
  );
}

/** A failed daily run: stays until a run succeeds. */
function ScheduleFailure({
  schedule,
  failure,
}: {
  schedule: ScheduleStatus;
  failure: NonNullable<ScheduleStatus['failure']>;
}) {
  return (
    <div className="banner banner-error schedule-failure" role="alert">
      <p>
        <strong>The daily archive run failed</strong> (since {formatInstant(failure.since)}): {failure.message}
      </p>
      <p className="detail">
        {failure.code}. This stays until a run succeeds: fix the cause, then use &ldquo;Catch up now&rdquo; on the{' '}
        <a href="#/calendar">calendar</a>. {schedule.lastRun ? `Last run: ${describeLastRun(schedule)}` : ''}
      </p>
    </div>
  );
}
