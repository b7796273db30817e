/**
 * Where the Genesys API and login live for a configuration.
 *
 * Each region has `https://api.{host}` and `https://login.{host}`; both bases can be overridden, by
 * settings (a private gateway) and by the environment (tests, the CLI on a server), so nothing is
 * hard-wired to the public cloud.
 */
import { AuditArchiveError } from '../../../shared/errors';
import { apiBaseUrl, loginBaseUrl } from '../../../shared/genesys-regions';
import { genesysBaseUrlProblem } from '../../../shared/genesys-url';
import type { Settings } from '../../../shared/settings';

export const GENESYS_API_URL_ENV = 'AUDIT_ARCHIVE_GENESYS_API_URL';
export const GENESYS_LOGIN_URL_ENV = 'AUDIT_ARCHIVE_GENESYS_LOGIN_URL';

export interface GenesysEndpoints {
  readonly apiUrl: string;
  readonly loginUrl: string;
}

/**
 * Throws INVALID_SETTINGS unless `url` may be a Genesys base URL (https, or http on loopback; no
 * credentials). The message names `what` and the rule, never the URL (it may hold a password).
 */
export function assertGenesysBaseUrl(url: string, what: string): void {
  const problem = genesysBaseUrlProblem(url);
  if (problem !== null)
    throw new AuditArchiveError('INVALID_SETTINGS', `${what} ${problem}. Fix it in the settings or the environment.`);
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const problem = genesysBaseUrlProblem(raw);
  if (problem !== null) throw new AuditArchiveError('INVALID_SETTINGS', `${name} ${problem}; fix or unset it.`);
  return raw;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/**
 * API and login bases: the environment overrides settings, settings override the region. Each is
 * checked again here (settings reach this from older files and from callers that skipped the schema).
 */
export function resolveGenesysEndpoints(
  settings: Settings['genesys'],
  env: NodeJS.ProcessEnv = process.env,
): GenesysEndpoints {
  const apiUrl = fromEnv(env, GENESYS_API_URL_ENV) ?? settings.apiUrl ?? apiBaseUrl(settings.region);
  const loginUrl = fromEnv(env, GENESYS_LOGIN_URL_ENV) ?? settings.loginUrl ?? loginBaseUrl(settings.region);
  assertGenesysBaseUrl(apiUrl, 'The Genesys API URL');
  assertGenesysBaseUrl(loginUrl, 'The Genesys login URL');
  return { apiUrl: trimSlash(apiUrl), loginUrl: trimSlash(loginUrl) };
}
