/**
 * The app frame: sidebar navigation, the banners that must never be missed (demo organisation, a
 * local folder that is not WORM storage), and the current page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResponseOf } from '../../shared/ipc/contract';
import { CalendarPage } from '../calendar/CalendarPage';
import { DiscoveryPage } from '../discovery/DiscoveryPage';
import { ReportsPage } from '../reports/ReportsPage';
import { SettingsPage } from '../settings/SettingsPage';
import { ROUTES, routeFromHash, type RouteId } from './routes';

type AppInfo = ResponseOf<'app:info'>;

export function App({ bridge }: { bridge: Bridge }) {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(window.location.hash));
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);

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
  }, [refreshInfo]);

  const current = ROUTES.find((r) => r.id === route) ?? ROUTES[0];

  return (
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
          {info?.demo && (
            <p className="banner banner-info" role="status">
              <strong>Demo organisation.</strong> The events come from the built-in simulator until you connect a real
              Genesys Cloud organisation in Settings.
            </p>
          )}
          {info && !info.archiveIsWorm && (
            <p className="banner banner-warning" role="status">
              <strong>The archive is a local folder</strong> ({info.archiveTarget}). A local folder is not WORM storage
              unless it sits on WORM storage such as a SnapLock share.
            </p>
          )}
        </div>
        <main aria-labelledby="page-title">
          <h1 id="page-title">{current.label}</h1>
          {route === 'calendar' && <CalendarPage bridge={bridge} />}
          {route === 'discovery' && <DiscoveryPage bridge={bridge} />}
          {route === 'reports' && <ReportsPage bridge={bridge} />}
          {route === 'settings' && <SettingsPage bridge={bridge} onSaved={refreshInfo} />}
        </main>
      </div>
    </div>
  );
}
