/** Hash routes (`#/settings`): no server routing needed under `app://` or the loopback server. */
export const ROUTES = [
  { id: 'calendar', label: 'Calendar' },
  { id: 'discovery', label: 'Discovery' },
  { id: 'reports', label: 'Reports' },
  { id: 'settings', label: 'Settings' },
] as const;

/** Pages reached from within the app, not from the sidebar. */
export const OTHER_ROUTES = [{ id: 'setup', label: 'Connect your organisation' }] as const;

export type RouteId = (typeof ROUTES)[number]['id'] | (typeof OTHER_ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '');
  return [...ROUTES, ...OTHER_ROUTES].find((r) => r.id === id)?.id ?? 'calendar';
}
