/**
 * The one rule for Genesys API and login base URLs, wherever they come from: the settings file and
 * the renderer, the CLI's environment and flags, the engine's environment, and the client itself.
 *
 * - `https://` only: the login sends the OAuth client secret as Basic auth and the API a bearer
 *   token; over plain http anyone on the path reads them. Loopback hosts (localhost, 127.0.0.0/8,
 *   [::1]) may use http: that is the simulator and test servers on this machine.
 * - No credentials in the URL (`https://user:pass@host`): they would be sent to the host and copied
 *   into manifests, the journal and messages. Messages about such a URL never repeat that part.
 */
import * as z from 'zod';

// shared/ compiles without DOM or Node types; URL is the WHATWG parser both runtimes provide.
declare const URL: new (input: string) => {
  readonly protocol: string;
  readonly hostname: string;
  readonly username: string;
  readonly password: string;
  readonly search: string;
  readonly hash: string;
};

/** localhost, any 127.x.x.x, or ::1 (as the WHATWG parser writes hostnames: `[::1]`). */
function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why `url` cannot be a Genesys base URL (without repeating any credential), or null when it can. */
export function genesysBaseUrlProblem(url: string): string | null {
  return urlProblem(url, false);
}

/**
 * Why a presigned download URL from a results page must not be fetched, or null when it may: the
 * same transport rule (https unless loopback, no credentials), its query being the signature.
 */
export function downloadUrlProblem(url: string): string | null {
  return urlProblem(url, true);
}

function urlProblem(url: string, queryAllowed: boolean): string | null {
  let parsed: InstanceType<typeof URL>;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a URL such as https://api.mypurecloud.ie';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain a user name or password (user:password@): remove them from the URL; the OAuth client id and secret are set on their own';
  }
  if (parsed.protocol === 'http:' && !isLoopbackHostname(parsed.hostname)) {
    return 'must start with https:// (plain http would send the client secret and tokens unencrypted; http is allowed only for a test server on this machine: localhost, 127.0.0.1 or [::1])';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'must be an https:// URL such as https://api.mypurecloud.ie';
  if (!queryAllowed && (parsed.search !== '' || parsed.hash !== ''))
    return 'must not have a ?query or #fragment: give the base URL only';
  return null;
}

/** A Genesys API or login base URL (see the rules above); the message names what to change. */
export const GenesysBaseUrlSchema = z.string().superRefine((url, ctx) => {
  const problem = genesysBaseUrlProblem(url);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * `text` with the user-info part of anything URL-shaped replaced by `***`, for quoting a value that
 * was refused (`https://user:secret@host/` becomes `https://***@host/`).
 */
export function withoutUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:[/\\]*)[^/\\?#]*@/i, '$1***@');
}
