/**
 * Opening the archive from its target URL, as the app and the CLI do: S3 settings from settings or
 * the environment (so a cron job can point at an S3-compatible store), credentials from the AWS
 * SDK default chain, and a clear refusal for targets that are not supported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataKey } from '../../../shared/archive-layout';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { openArchiveStore } from '../../../main/engine/archive/stores/open-store';
import { collect, lockFor, part, rgwConnection, uniqueBucket } from './rgw-fixtures';

const NO_S3_SETTINGS = { forcePathStyle: false };

/** Credentials the way a server job gets them: environment variables read by the SDK's default chain. */
function credentialsInEnvironment(): void {
  const { credentials } = rgwConnection();
  vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('opening an S3 archive', () => {
  it('an s3:// target reaches the store named by AWS_ENDPOINT_URL_S3, with credentials from the default chain', async () => {
    const { endpoint } = rgwConnection();
    const bucket = uniqueBucket('open');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 10 });
    credentialsInEnvironment();

    const store = openArchiveStore(`s3://${bucket}/acme/prod/`, NO_S3_SETTINGS, {
      AWS_ENDPOINT_URL_S3: endpoint,
      AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(store).toMatchObject({ kind: 's3', url: `s3://${bucket}/acme/prod`, prefix: 'acme/prod' });
    expect((await store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 10 })).worm).toBe(true);
    const key = dataKey('acme/prod', '2026-11-20', 1);
    await store.putObject(part(key, Buffer.from('{"id":"1"}\n'), lockFor(10)));
    expect(await collect(store.listVersions(key))).toHaveLength(1);
  });

  it('settings win over the environment, and AWS_ENDPOINT_URL is the fallback endpoint', async () => {
    const { endpoint } = rgwConnection();
    const bucket = uniqueBucket('prec');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 10 });
    credentialsInEnvironment();
    const nowhere = 'http://127.0.0.1:9';
    const policy = { lockMode: 'COMPLIANCE', retentionDays: 10 } as const;

    const fromSettings = openArchiveStore(
      `s3://${bucket}`,
      { endpoint, forcePathStyle: true },
      { AWS_ENDPOINT_URL_S3: nowhere },
    );
    expect((await fromSettings.checkReady(policy)).worm).toBe(true);

    const fromFallback = openArchiveStore(`s3://${bucket}`, NO_S3_SETTINGS, {
      AWS_ENDPOINT_URL: endpoint,
      AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: '1',
    });
    expect((await fromFallback.checkReady(policy)).worm).toBe(true);

    const specificWins = openArchiveStore(`s3://${bucket}`, NO_S3_SETTINGS, {
      AWS_ENDPOINT_URL_S3: nowhere,
      AWS_ENDPOINT_URL: endpoint,
      AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: '1',
    });
    await expect(specificWins.checkReady(policy)).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE' });
  });

  it('an s3:// target with no region anywhere says to set one', async () => {
    credentialsInEnvironment();
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'audit-archive-no-aws-config'));
    const store = openArchiveStore('s3://audit-archive-nowhere/p', NO_S3_SETTINGS, {});

    const refusal = store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 10 });
    await expect(refusal).rejects.toMatchObject({ code: 'INVALID_SETTINGS' });
    await expect(refusal).rejects.toThrow(/AWS_REGION/);
  });
});

describe('other targets', () => {
  it('a file:// target opens the local folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'audit-archive-open-'));
    try {
      const store = openArchiveStore(pathToFileURL(root).href, NO_S3_SETTINGS, {});
      expect(store.kind).toBe('local');
      expect(store.url).toBe(pathToFileURL(root).href);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('an azure:// target is refused until Azure immutable blob is supported', () => {
    expect(() => openArchiveStore('azure://acct/container/prefix', NO_S3_SETTINGS, {})).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: 'Azure immutable blob is not supported yet; use s3:// or file://',
      }),
    );
  });

  it.each([
    ['an upper-case bucket name', 's3://Audit_Archive/prefix', {}],
    ['an http URL', 'http://example.com/archive', {}],
    ['a relative file path', 'file://archive', {}],
    ['an endpoint variable that is not a URL', 's3://audit-archive/p', { AWS_ENDPOINT_URL_S3: 'minio:9000' }],
    ['a path-style flag that is not a boolean', 's3://audit-archive/p', { AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'maybe' }],
  ])('%s is refused as invalid settings, naming what to fix', (_what, target, env) => {
    expect(() => openArchiveStore(target, NO_S3_SETTINGS, env)).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
