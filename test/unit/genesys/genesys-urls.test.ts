/**
 * Genesys API and login URLs are https (the login receives the client secret as Basic auth), except
 * on this machine's loopback (the simulator, test servers), and never carry user:password@. Every
 * door a URL comes in by refuses the same URLs, with a message that says what to do and never
 * repeats the password.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings, SettingsSchema } from '../../../shared/settings';
import { GenesysBaseUrlSchema, genesysBaseUrlProblem, withoutUrlCredentials } from '../../../shared/genesys-url';
import { resolveCliConfig } from '../../../main/engine/settings/cli-config';
import {
  ClientCredentialsAuth,
  GenesysAuditClient,
  RateBudget,
  requestToken,
  resolveGenesysEndpoints,
} from '../../../main/engine/genesys';
import { startPkceSignIn } from '../../../main/engine/genesys/pkce';
import { createTestAppService } from '../service/service-fakes';
import { dispatch } from '../../../main/engine/service/dispatch';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

const SECRET = 'hunter2-s3cr3t';
const ALLOWED = [
  'https://api.mypurecloud.ie',
  'https://gateway.bank.example/genesys-api/',
  'http://127.0.0.1:9001',
  'http://127.8.9.10',
  'http://localhost:8080/login',
  'http://[::1]:9001',
];
const REFUSED: Array<[string, RegExp]> = [
  ['http://login.mypurecloud.ie', /must start with https:\/\//],
  ['http://10.0.0.5:8080', /must start with https:\/\//],
  ['http://127.0.0.1.evil.example', /must start with https:\/\//],
  [`https://admin:${SECRET}@login.mypurecloud.ie`, /must not contain a user name or password/],
  [`http://admin:${SECRET}@127.0.0.1:9001`, /must not contain a user name or password/],
  [`https://${SECRET}@api.mypurecloud.ie`, /must not contain a user name or password/],
  ['ftp://api.mypurecloud.ie', /https:\/\//],
  ['login.mypurecloud.com', /must be a URL/],
  ['https://api.mypurecloud.ie/?token=1', /query/],
];

describe('the one rule', () => {
  it('accepts https anywhere and http only on loopback', () => {
    for (const url of ALLOWED) expect([url, genesysBaseUrlProblem(url)]).toEqual([url, null]);
  });

  it('refuses plain http to another host, credentials, other schemes and non-URLs, saying what to do', () => {
    for (const [url, why] of REFUSED) {
      const problem = genesysBaseUrlProblem(url);
      expect(problem, url).toMatch(why);
      expect(problem).not.toContain(SECRET);
      expect(GenesysBaseUrlSchema.safeParse(url).success).toBe(false);
    }
  });

  it('quotes a refused value with its user:password@ masked', () => {
    expect(withoutUrlCredentials(`https://admin:${SECRET}@login.mypurecloud.ie/x`)).toBe(
      'https://***@login.mypurecloud.ie/x',
    );
    expect(withoutUrlCredentials(`https://a@b:${SECRET}@host`)).toBe('https://***@host');
    expect(withoutUrlCredentials('https://login.mypurecloud.ie/a@b')).toBe('https://login.mypurecloud.ie/a@b');
    expect(withoutUrlCredentials('not a url')).toBe('not a url');
  });
});

describe('every door refuses the same URLs', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('the settings schema (settings file, renderer)', () => {
    for (const [url] of REFUSED) {
      const parsed = SettingsSchema.safeParse({ genesys: { loginUrl: url } });
      expect(parsed.success, url).toBe(false);
      expect(JSON.stringify(parsed.error?.issues)).not.toContain(SECRET);
    }
    expect(
      SettingsSchema.parse({ genesys: { apiUrl: 'http://127.0.0.1:9001', loginUrl: 'http://127.0.0.1:9001/login' } })
        .genesys.loginUrl,
    ).toBe('http://127.0.0.1:9001/login');
  });

  it('the app: saving an http login URL is refused and the settings file stays as it was', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aa-urls-'));
    const settingsFile = path.join(dir, 'settings.json');
    const service = createTestAppService({
      settingsFile: new SettingsFile(settingsFile),
      secrets: new MemorySecretStore(),
      transport: 'dev-web',
      appVersion: '0',
    });
    const result = await dispatch(service, 'settings:save', {
      settings: { genesys: { loginUrl: `http://admin:${SECRET}@login.example.com` } },
    });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/genesys\.loginUrl: must not contain a user name or password/),
        issues: [
          {
            path: ['settings', 'genesys', 'loginUrl'],
            message: expect.stringMatching(/^must not contain a user name or password/),
          },
        ],
      },
    });
    expect(JSON.stringify(result)).not.toContain(SECRET);
    const plain = await dispatch(service, 'settings:save', {
      settings: { genesys: { loginUrl: 'http://login.example.com' } },
    });
    expect(!plain.ok && plain.error.message).toMatch(/genesys\.loginUrl: must start with https:\/\//);
  });

  it('the CLI: environment, flags and config file, naming where, never the password', async () => {
    const env = refusal({
      env: { AUDIT_ARCHIVE_GENESYS_LOGIN_URL: `https://admin:${SECRET}@login.mypurecloud.ie` },
      flags: {},
    });
    expect(env.message).toMatch(/AUDIT_ARCHIVE_GENESYS_LOGIN_URL: must not contain a user name or password/);
    expect(env.message).toContain('https://***@login.mypurecloud.ie');
    expect(env.message).not.toContain(SECRET);

    const flag = refusal({ env: {}, flags: { apiUrl: 'http://api.mypurecloud.ie' } });
    expect(flag.message).toMatch(/--api-url: must start with https:\/\//);

    dir = await mkdtemp(path.join(os.tmpdir(), 'aa-urls-'));
    const config = path.join(dir, 'audit-archive.json');
    await writeFile(config, JSON.stringify({ genesys: { loginUrl: `http://u:${SECRET}@login.example.com` } }));
    const file = refusal({ configPath: config, env: {}, flags: {} });
    expect(file.message).toMatch(/genesys\.loginUrl: must not contain a user name or password/);
    expect(file.message).not.toContain(SECRET);

    const ok = resolveCliConfig({
      env: { AUDIT_ARCHIVE_GENESYS_API_URL: 'http://127.0.0.1:9001' },
      flags: { loginUrl: 'http://localhost:9001/login' },
    });
    expect(ok.settings.genesys).toMatchObject({
      apiUrl: 'http://127.0.0.1:9001',
      loginUrl: 'http://localhost:9001/login',
    });
  });

  it('the engine environment, and settings that skipped the schema', () => {
    const refused =
      (env: Record<string, string>, over: object = {}) =>
      () =>
        resolveGenesysEndpoints({ ...defaultSettings().genesys, ...over }, env);
    expect(refused({ AUDIT_ARCHIVE_GENESYS_API_URL: 'http://api.mypurecloud.ie' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: expect.stringContaining('AUDIT_ARCHIVE_GENESYS_API_URL must start with https://'),
      }),
    );
    expect(refused({}, { loginUrl: `https://x:${SECRET}@login.mypurecloud.ie` })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS', message: expect.not.stringContaining(SECRET) }),
    );
    expect(refused({}, { loginUrl: 'http://login.mypurecloud.ie' })).toThrow(
      /The Genesys login URL must start with https:\/\//,
    );
  });

  it('the client and the logins themselves: nothing is sent anywhere', async () => {
    const sent: string[] = [];
    const watching: typeof fetch = (input) => {
      sent.push(String(input));
      return Promise.reject(new Error('nothing should be sent'));
    };
    const budget = new RateBudget({ requestsPerMinute: 600 });
    const auth = new ClientCredentialsAuth({
      loginUrl: 'http://127.0.0.1:1',
      clientId: 'id',
      clientSecret: SECRET,
      fetch: watching,
    });
    expect(
      () =>
        new ClientCredentialsAuth({
          loginUrl: 'http://login.example.com',
          clientId: 'id',
          clientSecret: SECRET,
          fetch: watching,
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: expect.stringContaining('The Genesys login URL must start with https://'),
      }),
    );
    expect(
      () =>
        new GenesysAuditClient({
          apiUrl: 'http://api.example.com',
          loginUrl: 'https://login.example.com',
          auth,
          budget,
          fetch: watching,
        }),
    ).toThrow(/The Genesys API URL must start with https:\/\//);
    expect(
      () =>
        new GenesysAuditClient({
          apiUrl: `https://u:${SECRET}@api.example.com`,
          loginUrl: 'https://login.example.com',
          auth,
          budget,
          fetch: watching,
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_SETTINGS', message: expect.not.stringContaining(SECRET) }));
    await expect(
      requestToken('http://login.example.com', new URLSearchParams({ grant_type: 'client_credentials' }), {
        basic: 'x',
        fetch: watching,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_SETTINGS' });
    await expect(
      startPkceSignIn({ loginUrl: 'http://login.example.com', clientId: 'id', openBrowser: () => undefined }),
    ).rejects.toMatchObject({ code: 'INVALID_SETTINGS' });
    expect(sent).toEqual([]);
  });
});

function refusal(input: Parameters<typeof resolveCliConfig>[0]): Error & { code?: string } {
  try {
    resolveCliConfig(input);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('INVALID_SETTINGS');
    return e as Error;
  }
  throw new Error('expected the settings to be refused');
}
