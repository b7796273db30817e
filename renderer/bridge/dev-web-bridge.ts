/**
 * The Bridge over the dev/test transport (loopback HTTP), for a normal browser.
 *
 * The server puts a random token in the URL fragment (`#token=…`), which browsers never send to a
 * server. It is read once, kept in sessionStorage for reloads of this tab, and removed from the
 * address bar so it is not copied around. Each call POSTs JSON to `/rpc/<channel>` with the token.
 */
import type { Bridge } from '../../shared/ipc/bridge';
import type { Channel, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { fail, type Result } from '../../shared/result';

const TOKEN_KEY = 'audit-archive-dev-token';
const TOKEN_HEADER = 'x-audit-archive-token';

/** Takes the token out of `#token=…` (keeping any route after it) into sessionStorage. */
export function takeTokenFromLocation(): string | null {
  const match = /^#token=([A-Za-z0-9_-]+)(.*)$/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    const rest = match[2] ?? '';
    window.history.replaceState(
      null,
      '',
      window.location.pathname + window.location.search + (rest.startsWith('#') ? rest : ''),
    );
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createDevWebBridge(token: string | null): Bridge {
  async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    if (!token) {
      return fail('INVALID_REQUEST', 'No dev token: open the exact URL that `npm run dev:web` printed.');
    }
    let response: Response;
    try {
      response = await fetch(`/rpc/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(request),
      });
    } catch {
      return fail('INTERNAL', 'The Audit Archive dev server is not reachable: is `npm run dev:web` still running?');
    }
    try {
      return (await response.json()) as Result<ResponseOf<C>>;
    } catch {
      return fail('INTERNAL', `The dev server answered HTTP ${response.status} without a result.`);
    }
  }

  return {
    appInfo: (request) => call('app:info', request),
    settingsGet: (request) => call('settings:get', request),
    settingsSave: (request) => call('settings:save', request),
    secretsStatus: (request) => call('secrets:status', request),
    secretsSetGenesysClientSecret: (request) => call('secrets:set-genesys-client-secret', request),
    secretsClearGenesysClientSecret: (request) => call('secrets:clear-genesys-client-secret', request),
    archiveStatus: (request) => call('archive:status', request),
    discoveryLibrary: (request) => call('discovery:library', request),
    discoveryRun: (request) => call('discovery:run', request),
    discoveryStatus: (request) => call('discovery:status', request),
    discoveryRows: (request) => call('discovery:rows', request),
    discoveryCancel: (request) => call('discovery:cancel', request),
    discoveryExport: (request) => call('discovery:export', request),
    discoverySaveQuery: (request) => call('discovery:save-query', request),
    discoveryDeleteQuery: (request) => call('discovery:delete-query', request),
    discoveryExportQueries: (request) => call('discovery:export-queries', request),
    discoveryImportQueries: (request) => call('discovery:import-queries', request),
    reportsPreview: (request) => call('reports:preview', request),
    reportsGenerate: (request) => call('reports:generate', request),
    reportsStatus: (request) => call('reports:status', request),
    reportsList: (request) => call('reports:list', request),
    reportsCheck: (request) => call('reports:check', request),
    reportsOpenFolder: (request) => call('reports:open-folder', request),
  };
}
