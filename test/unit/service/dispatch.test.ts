import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditArchiveError } from '../../../shared/errors';
import type { ResponseOf } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/result';
import { appArchiveTarget } from '../../../main/engine/archive/app-archive';
import { createAppService, type AppService } from '../../../main/engine/service/app-service';
import { createTestAppService, testServiceDeps } from './service-fakes';
import { dispatch } from '../../../main/engine/service/dispatch';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

let dir: string;
let settingsPath: string;
let service: AppService;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aa-dispatch-'));
  settingsPath = path.join(dir, 'settings.json');
  service = createTestAppService({
    settingsFile: new SettingsFile(settingsPath),
    secrets: new MemorySecretStore(),
    transport: 'dev-web',
    appVersion: '9.8.7',
    archiveTargetOf: (settings) => appArchiveTarget(settings, dir),
  });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a request that does not match the contract is refused', () => {
  it('refuses a channel the contract does not have, whatever its payload', async () => {
    for (const channel of ['fs:read-file', 'settings:get:extra', '__proto__', 'constructor', 42, null]) {
      const result = await dispatch(service, channel, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_REQUEST');
    }
  });

  it('names the bad field when a setting has the wrong type, and leaves the settings file untouched', async () => {
    await dispatch(service, 'settings:save', { settings: { archive: { retentionDays: 3650 } } });
    const before = await readFile(settingsPath, 'utf8');

    const result = await dispatch(service, 'settings:save', { settings: { archive: { retentionDays: 'forever' } } });

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('request.settings.archive.retentionDays'),
        // The field by its path, for the form: no message parsing in the renderer.
        issues: [
          { path: ['settings', 'archive', 'retentionDays'], message: expect.stringContaining('expected number') },
        ],
      },
    });
    expect(await readFile(settingsPath, 'utf8')).toBe(before);
  });

  it('names the field for an out-of-range value and for an unknown region', async () => {
    const tooMany = await dispatch(service, 'settings:save', { settings: { genesys: { requestsPerMinute: 0 } } });
    expect(!tooMany.ok && tooMany.error.message).toMatch(/^request\.settings\.genesys\.requestsPerMinute: /);

    const region = await dispatch(service, 'settings:save', { settings: { genesys: { region: 'example.com' } } });
    expect(!region.ok && region.error.message).toMatch(/^request\.settings\.genesys\.region: /);
  });

  it('refuses extra fields on strict requests and a missing payload', async () => {
    const extra = await dispatch(service, 'settings:get', { path: '/etc/passwd' });
    expect(!extra.ok && extra.error.code).toBe('INVALID_REQUEST');
    expect(!extra.ok && extra.error.message).toContain('path');

    const missing = await dispatch(service, 'settings:save', undefined);
    expect(!missing.ok && missing.error.code).toBe('INVALID_REQUEST');
  });
});

describe('settings travel through the contract', () => {
  it('a saved setting is read back, with defaults for everything not given', async () => {
    const saved = await dispatch(service, 'settings:save', {
      settings: { genesys: { region: 'mypurecloud.de', clientId: 'abc-123' }, archive: { retentionDays: 2200 } },
    });
    expect(saved.ok).toBe(true);

    const read = await dispatch(service, 'settings:get', {});
    expect(read.ok && read.value).toMatchObject({
      settings: {
        genesys: { region: 'mypurecloud.de', clientId: 'abc-123', requestsPerMinute: 300 },
        archive: { retentionDays: 2200, lockMode: 'COMPLIANCE' },
      },
      warnings: [],
    });
  });

  it('app:info reports a local folder as not WORM and an S3 target as WORM', async () => {
    const local = await dispatch(service, 'app:info', {});
    expect(local.ok && local.value).toMatchObject({
      version: '9.8.7',
      transport: 'dev-web',
      demo: true,
      archiveIsWorm: false,
      archiveTarget: expect.stringMatching(/^file:\/\/\/.*\/demo-archive$/),
    });

    await dispatch(service, 'settings:save', {
      settings: { demo: false, archive: { target: 's3://bank-audit/genesys' } },
    });
    const s3 = await dispatch(service, 'app:info', {});
    expect(s3.ok && s3.value).toMatchObject({ archiveTarget: 's3://bank-audit/genesys', archiveIsWorm: true });
  });

  it('a corrupt settings file falls back to defaults and says so', async () => {
    await writeFile(settingsPath, '{ "archive": ');
    const read = (await dispatch(service, 'settings:get', {})) as Result<ResponseOf<'settings:get'>>;
    expect(read.ok && read.value.settings.archive.retentionDays).toBe(2557);
    expect(read.ok && read.value.warnings.join(' ')).toContain('settings.json');
  });
});

describe('errors leave the engine as a Result', () => {
  function brokenService(thrown: unknown): AppService {
    return {
      ...service,
      'settings:get': async () => {
        throw thrown;
      },
    };
  }

  it('keeps the code and message of an AuditArchiveError', async () => {
    const result = await dispatch(
      brokenService(new AuditArchiveError('ARCHIVE_UNREACHABLE', 'The bucket is unreachable; check the network.')),
      'settings:get',
      {},
    );
    expect(result).toEqual({
      ok: false,
      error: { code: 'ARCHIVE_UNREACHABLE', message: 'The bucket is unreachable; check the network.' },
    });
  });

  it('turns an unexpected error into INTERNAL without its message or stack', async () => {
    const seen: unknown[] = [];
    const result = await dispatch(
      brokenService(new Error('password=hunter2 at /secret/path')),
      'settings:get',
      {},
      {
        onInternalError: (_channel, e) => seen.push(e),
      },
    );
    expect(!result.ok && result.error.code).toBe('INTERNAL');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(JSON.stringify(result)).not.toContain('/secret/path');
    expect(seen).toHaveLength(1);
  });

  it('catches a service answer that breaks the contract before the renderer sees it', async () => {
    const buggy: AppService = { ...service, 'settings:get': async () => ({ settings: 'oops' }) as never };
    const result = await dispatch(buggy, 'settings:get', {}, { validateResponses: true });
    expect(!result.ok && result.error.code).toBe('INTERNAL');
  });

  it('the service cannot be built without its calendar: required by type, not refused at run time', async () => {
    const { archiveStatus, ...withoutCalendar } = testServiceDeps({
      settingsFile: new SettingsFile(settingsPath),
      secrets: new MemorySecretStore(),
      transport: 'dev-web',
    });
    expect(archiveStatus).toBeTypeOf('function');
    // @ts-expect-error: `npm run typecheck` fails here if the calendar ever becomes optional again.
    const unwired: AppService = createAppService(withoutCalendar);
    // Forced past the type, the call fails as any bug does: the generic INTERNAL, nothing more.
    const result = await dispatch(unwired, 'archive:status', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringMatching(/^Something went wrong/) },
    });
  });

  it('the archive calendar answers through the contract once wired', async () => {
    const wired = createTestAppService({
      settingsFile: new SettingsFile(settingsPath),
      secrets: new MemorySecretStore(),
      transport: 'electron',
      archiveStatus: async ({ from }) => ({ days: [{ day: from ?? '2026-01-01', state: 'archived', events: 3 }] }),
    });
    const result = await dispatch(wired, 'archive:status', { from: '2026-11-01', to: '2026-11-02' });
    expect(result).toEqual({ ok: true, value: { days: [{ day: '2026-11-01', state: 'archived', events: 3 }] } });

    const badDay = await dispatch(wired, 'archive:status', { from: '2026-02-30' });
    expect(!badDay.ok && badDay.error.message).toMatch(/^request\.from: /);
  });
});

/** A service whose calendar records what it was asked (so a test sees that nothing reached it). */
function withCalendar(): { service: AppService; asked: unknown[] } {
  const asked: unknown[] = [];
  const wired = createTestAppService({
    settingsFile: new SettingsFile(settingsPath),
    secrets: new MemorySecretStore(),
    transport: 'dev-web',
    archiveStatus: async (request) => {
      asked.push(request);
      return { days: [] };
    },
  });
  return { service: wired, asked };
}

describe('a malformed day over IPC is a Result error, never INTERNAL', () => {
  it.each([
    [{ from: 'yesterday' }, /^request\.from: must be a UTC day written YYYY-MM-DD/],
    [{ from: '2026-13-45' }, /^request\.from: is not a real calendar day/],
    [{ to: '2026-00-01' }, /^request\.to: is not a real calendar day/],
  ])(
    'the calendar asked for %j answers INVALID_REQUEST naming the field, and the archive is not read',
    async (request, message) => {
      const { service: wired, asked } = withCalendar();
      const result = await dispatch(wired, 'archive:status', request);
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          message: expect.stringMatching(message),
          issues: [{ path: Object.keys(request), message: expect.any(String) }],
        },
      });
      expect(asked).toEqual([]);
    },
  );

  it('saving an impossible policy start date is refused naming the field, and the settings file is unchanged', async () => {
    await dispatch(service, 'settings:save', { settings: { archive: { retentionDays: 3650 } } });
    const before = await readFile(settingsPath, 'utf8');
    for (const policyStartDate of ['2026-13-45', 'yesterday']) {
      const result = await dispatch(service, 'settings:save', { settings: { archive: { policyStartDate } } });
      expect(!result.ok && result.error).toEqual({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('request.settings.archive.policyStartDate'),
        issues: [{ path: ['settings', 'archive', 'policyStartDate'], message: expect.any(String) }],
      });
    }
    expect(await readFile(settingsPath, 'utf8')).toBe(before);
  });

  it('a settings file with an impossible policy start date still opens the app: defaults and a warning naming the field', async () => {
    await writeFile(settingsPath, JSON.stringify({ archive: { policyStartDate: '2026-13-45', retentionDays: 3000 } }));
    const read = (await dispatch(service, 'settings:get', {})) as Result<ResponseOf<'settings:get'>>;
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.settings.archive.policyStartDate).toBeUndefined();
    expect(read.value.warnings).toEqual([
      expect.stringContaining('archive.policyStartDate: is not a real calendar day'),
    ]);
  });
});

describe('dispatch answers every request with a Result', () => {
  it('a request that throws while it is read is refused, logged, and nothing is done', async () => {
    const { service: wired, asked } = withCalendar();
    const hostile = {
      get from(): string {
        throw new RangeError('Invalid time value');
      },
    };
    const logged: unknown[] = [];
    const result = await dispatch(wired, 'archive:status', hostile, { onInternalError: (_c, e) => logged.push(e) });
    expect(result).toEqual({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: expect.stringContaining('archive:status') },
    });
    expect(JSON.stringify(result)).not.toContain('Invalid time value');
    expect(logged).toHaveLength(1);
    expect(asked).toEqual([]);
  });

  it('a log hook that throws still leaves a Result', async () => {
    const broken: AppService = {
      ...service,
      'settings:get': async () => {
        throw new Error('disk on fire');
      },
    };
    const result = await dispatch(
      broken,
      'settings:get',
      {},
      {
        onInternalError: () => {
          throw new Error('the log is gone too');
        },
      },
    );
    expect(!result.ok && result.error.code).toBe('INTERNAL');
  });
});
