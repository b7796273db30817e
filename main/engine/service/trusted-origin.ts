/**
 * Which renderer URLs may talk to the service over Electron IPC.
 *
 * Pure (no electron import) so it is unit-tested; main/app checks every IPC sender's frame URL with
 * it, so a frame that navigated elsewhere, or any other page, cannot call the engine.
 */

/** The scheme and host the packaged renderer is served from (see main/app/protocol). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'audit-archive';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** True only for pages of our own renderer: `app://audit-archive/...`, no credentials, no port. */
export function isTrustedRendererUrl(url: string): boolean {
  const parsed = plainUrl(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST;
}

/** The URL parsed, or null when it does not parse or carries a port or credentials (never ours). */
function plainUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.port === '' && parsed.username === '' && parsed.password === '' ? parsed : null;
  } catch {
    return null;
  }
}

/** Hosts whose https pages may be opened in the user's browser (help and documentation only). */
const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'help.mypurecloud.com',
  'developer.genesys.cloud',
  'docs.aws.amazon.com',
  'learn.microsoft.com',
];

/** True for an https URL on an allow-listed host; everything else stays closed. */
export function isAllowedExternalUrl(url: string): boolean {
  const parsed = plainUrl(url);
  return parsed !== null && parsed.protocol === 'https:' && EXTERNAL_LINK_HOSTS.includes(parsed.hostname);
}
