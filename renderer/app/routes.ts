/** Hash routes (`#/settings`): no server routing needed under `app://` or the loopback server. */
export const ROUTES = [
  { id: 'calendar', label: 'Calendar' },
  { id: 'discovery', label: 'Discovery' },
  { id: 'reports', label: 'Reports' },
  { id: 'settings', label: 'Settings' },
] as const;
export type RouteId = (typeof ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '');
  return ROUTES.find((r) => r.id === id)?.id ?? 'calendar';
}
