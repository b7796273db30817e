/**
 * A keychain that cannot be used is said with the remedy of the secret concerned
 * (main/engine/secrets/keytar-secret-store.ts): the archive's signing key points to where the CLI
 * keeps one without a keychain (a key file outside the state folder, or AUDIT_ARCHIVE_SIGNING_KEY),
 * the Genesys client secret to AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET; neither names the other's. Walked
 * through the keychain store itself (a keytar that fails, and one that cannot load), the app's
 * "Create a key" and "Store the client secret", and the CLI's key custody.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAuditArchiveError } from '../../../shared/errors';
import { CliSigningKeys } from '../../../main/engine/archive/key-custody';
import { generateSigningKey } from '../../../main/engine/archive/signing';
import { SecretSigningKeyStore, signingKeyAccount } from '../../../main/engine/archive/signing-keys';
import { KeytarSecretStore, type KeytarApi } from '../../../main/engine/secrets/keytar-secret-store';
import { SECRET_ACCOUNTS } from '../../../main/engine/secrets/secret-store';
import { openAppRuntime, type AppRuntime } from '../../../main/engine/service/app-runtime';
import { dispatch } from '../../../main/engine/service/dispatch';

/** What keytar says on a Linux machine with no Secret Service on D-Bus. */
const NO_BUS = 'Cannot autolaunch D-Bus without X11 $DISPLAY';
const failingKeytar: KeytarApi = {
  getPassword: () => Promise.reject(new Error(NO_BUS)),
  setPassword: () => Promise.reject(new Error(NO_BUS)),
  deletePassword: () => Promise.reject(new Error(NO_BUS)),
};
/** A keychain store on that machine. */
const noSecretService = () => new KeytarSecretStore({ loadKeytar: async () => failingKeytar });
/** A keychain store where libsecret is not installed (keytar's native module cannot load). */
const noLibsecret = () =>
  new KeytarSecretStore({
    loadKeytar: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')),
  });

const SIGNING_KEY_REMEDY = [
  /AUDIT_ARCHIVE_SIGNING_KEY_FILE/,
  /outside the state folder/,
  /AUDIT_ARCHIVE_SIGNING_KEY\b/,
];
const CLIENT_SECRET_REMEDY = [/AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET/];

async function refusal(call: () => Promise<unknown>): Promise<string> {
  const e = await call().then(
    () => null,
    (error: unknown) => error,
  );
  expect(isAuditArchiveError(e) && e.code).toBe('SECRET_STORE_UNAVAILABLE');
  return (e as Error).message;
}

function expectSigningKeyRemedy(message: string): void {
  for (const r of SIGNING_KEY_REMEDY) expect(message).toMatch(r);
  expect(message).not.toMatch(/GENESYS_CLIENT_SECRET/);
}

function expectClientSecretRemedy(message: string): void {
  for (const r of CLIENT_SECRET_REMEDY) expect(message).toMatch(r);
  expect(message).not.toMatch(/SIGNING_KEY/);
}

describe("the keychain store's errors fit the secret", () => {
  const key = generateSigningKey();
  const stores = [
    { machine: 'no Secret Service', make: noSecretService },
    { machine: 'no libsecret', make: noLibsecret },
  ];

  it.each(stores)(
    'the signing key ($machine): a key file or AUDIT_ARCHIVE_SIGNING_KEY, never the client secret',
    async ({ make }) => {
      const store = make();
      const account = signingKeyAccount(key.fingerprint);
      for (const call of [() => store.get(account), () => store.set(account, 'pem'), () => store.delete(account)])
        expectSigningKeyRemedy(await refusal(call));
      // The app's keychain store of signing keys, as an export or a rotation reaches it.
      const keys = new SecretSigningKeyStore(store);
      expectSigningKeyRemedy(await refusal(() => keys.get(key.fingerprint)));
      expectSigningKeyRemedy(await refusal(() => keys.save(key)));
    },
  );

  it.each(stores)('the client secret ($machine): its environment variable, never the signing key', async ({ make }) => {
    const store = make();
    const account = SECRET_ACCOUNTS.genesysClientSecret('client-1');
    for (const call of [
      () => store.get(account),
      () => store.set(account, 'do-not-echo'),
      () => store.delete(account),
    ]) {
      const message = await refusal(call);
      expectClientSecretRemedy(message);
      expect(message).not.toContain('do-not-echo');
    }
  });
});

describe('in the app, with no Secret Service', () => {
  let userDataDir: string;
  let runtime: AppRuntime;
  beforeEach(async () => {
    userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-keychain-advice-'));
    runtime = openAppRuntime({
      userDataDir,
      transport: 'dev-web',
      appVersion: 'test',
      secrets: noSecretService(),
      env: {},
    });
  });
  afterEach(async () => {
    await runtime.close();
    await rm(userDataDir, { recursive: true, force: true });
  });

  async function errorOf(channel: 'signing-key:create' | 'secrets:set-genesys-client-secret', request: object) {
    const r = await dispatch(runtime.service, channel, request);
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error(`${channel} succeeded`);
    expect(r.error.code).toBe('SECRET_STORE_UNAVAILABLE');
    return r.error.message;
  }

  it('"Create a key" says where a signing key can live; storing the client secret names its variable', async () => {
    expectSigningKeyRemedy(await errorOf('signing-key:create', {}));
    expectClientSecretRemedy(
      await errorOf('secrets:set-genesys-client-secret', { secret: 's3cret-value', clientId: 'client-1' }),
    );
  });
});

describe("the CLI's key custody, with no Secret Service", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'aa-keychain-advice-cli-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('says once to set the signing key file, nothing of the client secret, and that nothing was written', async () => {
    const keys = new CliSigningKeys({ env: {}, stateDir, keychain: noSecretService() });
    for (const call of [() => keys.save(generateSigningKey()), () => keys.get('a'.repeat(64))]) {
      const message = await refusal(call);
      expect(message).toMatch(/^The OS keychain cannot keep the archive's signing key here: /);
      expect(message.match(/AUDIT_ARCHIVE_SIGNING_KEY_FILE/g)).toHaveLength(1);
      expect(message).not.toMatch(/GENESYS_CLIENT_SECRET/);
      expect(message).toMatch(/Nothing was written\.$/);
    }
  });
});
