/**
 * openArchiveStore: the one place an archive target URL becomes an ArchiveStore.
 *
 *   s3://bucket/prefix       S3 Object Lock (AWS or S3-compatible; endpoint and path style from
 *                            settings or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL /
 *                            AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE)
 *   file:///absolute/path    a local folder (the embedded default and demo; not WORM)
 *   azure://…                not supported yet
 *
 * Settings win over the environment; the environment lets a CLI run or a test point at a local store.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AuditArchiveError } from '../../../../shared/errors';
import { ArchiveTargetSchema, type Settings } from '../../../../shared/settings';
import type { ArchiveStore } from '../archive-store';
import { LocalFolderStore } from './local-store';
import { S3ObjectLockStore } from './s3-store';

const EnvUrl = z.url({ protocol: /^https?$/ });

export function openArchiveStore(
  target: string,
  s3: Settings['archive']['s3'],
  env: NodeJS.ProcessEnv = process.env,
): ArchiveStore {
  if (target.startsWith('azure://')) {
    throw new AuditArchiveError('INVALID_SETTINGS', 'Azure immutable blob is not supported yet; use s3:// or file://');
  }
  // The schema also refuses a file:// path with `..`, which fileURLToPath would resolve silently.
  const checked = ArchiveTargetSchema.safeParse(target);
  if (!checked.success) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `The archive target "${target}" ${checked.error.issues[0]?.message ?? 'is not valid'}.`,
    );
  }
  if (target.startsWith('file://')) {
    let root: string;
    try {
      root = fileURLToPath(target);
    } catch {
      throw new AuditArchiveError(
        'INVALID_SETTINGS',
        `The archive target "${target}" is not a valid file URL: use file:///absolute/path.`,
      );
    }
    return new LocalFolderStore({ root });
  }
  const rest = target.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  return new S3ObjectLockStore({
    bucket,
    prefix,
    region: s3.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    endpoint: s3.endpoint ?? envEndpoint(env, 'AWS_ENDPOINT_URL_S3') ?? envEndpoint(env, 'AWS_ENDPOINT_URL'),
    forcePathStyle: s3.forcePathStyle || envFlag(env, 'AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE'),
    ...(s3.profile ? { profile: s3.profile } : {}),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}

function envEndpoint(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  if (!EnvUrl.safeParse(value).success) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `${name} must be an http(s) URL such as https://s3.example.com; fix or unset it.`,
    );
  }
  return value;
}

function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new AuditArchiveError('INVALID_SETTINGS', `${name} must be true or false (or 1 or 0); fix or unset it.`);
}
