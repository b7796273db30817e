/**
 * Where the Genesys API and login live for a configuration.
 *
 * Each region has `https://api.{host}` and `https://login.{host}`; both bases can be overridden, by
 * settings (a private gateway) and by the environment (tests, the CLI on a server), so nothing is
 * hard-wired to the public cloud.
 */
import { z } from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { apiBaseUrl, loginBaseUrl } from '../../../shared/genesys-regions';
import type { Settings } from '../../../shared/settings';

export const GENESYS_API_URL_ENV = 'AUDIT_ARCHIVE_GENESYS_API_URL';
export const GENESYS_LOGIN_URL_ENV = 'AUDIT_ARCHIVE_GENESYS_LOGIN_URL';

export interface GenesysEndpoints {
  readonly apiUrl: string;
  readonly loginUrl: string;
}

const BaseUrlSchema = z.url({ protocol: /^https?$/ });

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const parsed = BaseUrlSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AuditArchiveError('INVALID_SETTINGS', `${name} must be an http(s) URL such as https://api.mypurecloud.ie; fix or unset it.`);
  }
  return parsed.data;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** API and login bases: the environment overrides settings, settings override the region. */
export function resolveGenesysEndpoints(settings: Settings['genesys'], env: NodeJS.ProcessEnv = process.env): GenesysEndpoints {
  const apiUrl = fromEnv(env, GENESYS_API_URL_ENV) ?? settings.apiUrl ?? apiBaseUrl(settings.region);
  const loginUrl = fromEnv(env, GENESYS_LOGIN_URL_ENV) ?? settings.loginUrl ?? loginBaseUrl(settings.region);
  return { apiUrl: trimSlash(apiUrl), loginUrl: trimSlash(loginUrl) };
}
