import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppService } from '../../../main/engine/service/app-service';
import { createTestAppService } from './service-fakes';
import { dispatch } from '../../../main/engine/service/dispatch';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SECRET_ACCOUNTS, type SecretStore } from '../../../main/engine/secrets/secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

const SECRET = 'Sup3r-s3cret-client-secret-value';

let dir: string;
let secrets: MemorySecretStore;
let service: AppService;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aa-secret-'));
  secrets = new MemorySecretStore();
  service = createTestAppService({
    settingsFile: new SettingsFile(path.join(dir, 'settings.json')),
    secrets,
    transport: 'electron',
  });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function allFilesText(): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const texts = await Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8').catch(() => '')));
  return texts.join('\n');
}

describe('the Genesys client secret', () => {
  it('is refused until a client id is entered, and says what to do', async () => {
    const result = await dispatch(service, 'secrets:set-genesys-client-secret', { secret: SECRET });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('Enter the OAuth client id first'),
        issues: [{ path: ['clientId'], message: expect.any(String) }],
      },
    });
  });

  it('setup stores it under the client id being entered, before the settings are saved', async () => {
    const stored = await dispatch(service, 'secrets:set-genesys-client-secret', {
      secret: SECRET,
      clientId: ' client-7 ',
    });
    expect(stored).toEqual({ ok: true, value: { stored: true } });
    expect(await secrets.get(SECRET_ACCOUNTS.genesysClientSecret('client-7'))).toBe(SECRET);
    expect(await dispatch(service, 'secrets:status', { clientId: 'client-7' })).toEqual({
      ok: true,
      value: { genesysClientSecret: true },
    });
    expect(await dispatch(service, 'secrets:status', {})).toEqual({ ok: true, value: { genesysClientSecret: false } });
    expect(await allFilesText()).not.toContain(SECRET);
  });

  it('goes to the keychain under the client id, never into the settings file, and only its presence comes back', async () => {
    await dispatch(service, 'settings:save', { settings: { genesys: { clientId: 'client-42' } } });
    expect(await dispatch(service, 'secrets:status', {})).toEqual({ ok: true, value: { genesysClientSecret: false } });

    const stored = await dispatch(service, 'secrets:set-genesys-client-secret', { secret: SECRET });
    expect(stored).toEqual({ ok: true, value: { stored: true } });
    expect(await secrets.get(SECRET_ACCOUNTS.genesysClientSecret('client-42'))).toBe(SECRET);

    // Save settings again after storing it: still nothing on disk.
    await dispatch(service, 'settings:save', { settings: { genesys: { clientId: 'client-42' }, demo: false } });
    expect(await allFilesText()).not.toContain(SECRET);

    // No channel ever answers with the secret.
    for (const channel of ['app:info', 'settings:get', 'secrets:status'] as const) {
      expect(JSON.stringify(await dispatch(service, channel, {}))).not.toContain(SECRET);
    }
    expect(await dispatch(service, 'secrets:status', {})).toEqual({ ok: true, value: { genesysClientSecret: true } });
  });

  it('can be removed, after which it is reported absent', async () => {
    await dispatch(service, 'settings:save', { settings: { genesys: { clientId: 'client-42' } } });
    await dispatch(service, 'secrets:set-genesys-client-secret', { secret: SECRET });

    expect(await dispatch(service, 'secrets:clear-genesys-client-secret', {})).toEqual({
      ok: true,
      value: { cleared: true },
    });
    expect(await dispatch(service, 'secrets:status', {})).toEqual({ ok: true, value: { genesysClientSecret: false } });
    expect(await dispatch(service, 'secrets:clear-genesys-client-secret', {})).toEqual({
      ok: true,
      value: { cleared: false },
    });
  });

  it('an empty secret is refused naming the field', async () => {
    const result = await dispatch(service, 'secrets:set-genesys-client-secret', { secret: '' });
    expect(!result.ok && result.error.message).toMatch(/^request\.secret: /);
  });

  it('a keychain that fails unexpectedly gives SECRET_STORE_UNAVAILABLE without echoing the secret', async () => {
    const broken: SecretStore = {
      get: async () => null,
      set: async (_account, secret) => {
        throw new Error(`dbus said no to ${secret}`);
      },
      delete: async () => false,
    };
    const withBroken = createTestAppService({
      settingsFile: new SettingsFile(path.join(dir, 'settings.json')),
      secrets: broken,
      transport: 'electron',
    });
    await dispatch(withBroken, 'settings:save', { settings: { genesys: { clientId: 'client-42' } } });
    const result = await dispatch(withBroken, 'secrets:set-genesys-client-secret', { secret: SECRET });
    expect(!result.ok && result.error.code).toBe('SECRET_STORE_UNAVAILABLE');
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(!result.ok && result.error.message).toMatch(/Secret Service/);
  });
});
