/**
 * What an archive target URL names, checked before anything is opened or loaded:
 *
 *   s3://bucket/prefix       S3 Object Lock (AWS or S3-compatible; endpoint and path style from
 *                            settings or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL /
 *                            AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE)
 *   file:///absolute/path    a local folder (the embedded default and demo; not WORM)
 *   azure://…                not supported yet
 *
 * Settings win over the environment; the environment lets a CLI run or a test point at a local store.
 *
 * `loadArchiveStore` opens the store and loads the S3 store (and with it the AWS SDK, the largest
 * code the CLI has) only for an s3:// target: a CLI command is a process of its own, and a query of
 * a local folder should not pay for S3 at every start. `openArchiveStore` (open-store.ts) opens the
 * same stores synchronously, for callers that must (the app, a copy target).
 */
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { AuditArchiveError } from '../../../../shared/errors';
import { ArchiveTargetSchema, type Settings } from '../../../../shared/settings';
import type { ArchiveStore } from '../archive-store';
import { LocalFolderStore } from './local-store';
import type { S3StoreOptions } from './s3-store';

export type ArchiveTarget =
  { readonly kind: 'local'; readonly root: string } | { readonly kind: 's3'; readonly options: S3StoreOptions };

const EnvUrl = z.url({ protocol: /^https?$/ });

/** The target, checked (INVALID_SETTINGS naming what to fix otherwise); nothing is opened. */
export function parseArchiveTarget(
  target: string,
  s3: Settings['archive']['s3'],
  env: NodeJS.ProcessEnv = process.env,
): ArchiveTarget {
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
    try {
      return { kind: 'local', root: fileURLToPath(target) };
    } catch {
      throw new AuditArchiveError(
        'INVALID_SETTINGS',
        `The archive target "${target}" is not a valid file URL: use file:///absolute/path.`,
      );
    }
  }
  const rest = target.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const region = s3.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const endpoint = s3.endpoint ?? envEndpoint(env, 'AWS_ENDPOINT_URL_S3') ?? envEndpoint(env, 'AWS_ENDPOINT_URL');
  return {
    kind: 's3',
    options: {
      bucket: slash < 0 ? rest : rest.slice(0, slash),
      prefix: slash < 0 ? '' : rest.slice(slash + 1),
      ...(region !== undefined ? { region } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      forcePathStyle: s3.forcePathStyle || envFlag(env, 'AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE'),
      ...(s3.profile ? { profile: s3.profile } : {}),
    },
  };
}

/** The store the target names; the S3 store's code is loaded only for an s3:// target. */
export async function loadArchiveStore(
  target: string,
  s3: Settings['archive']['s3'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArchiveStore> {
  const parsed = parseArchiveTarget(target, s3, env);
  if (parsed.kind === 'local') return new LocalFolderStore({ root: parsed.root });
  const { S3ObjectLockStore } = await import('./s3-store');
  return new S3ObjectLockStore(parsed.options);
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
