/**
 * The keychain store against the real Secret Service (gnome-keyring on a private D-Bus session,
 * started by scripts/with-keyring.sh, which `npm test` uses). Locally without gnome-keyring these
 * tests skip; with CI=true they fail instead, because CI must never silently skip them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditArchiveError } from '../../../shared/errors';
import { defaultSettings } from '../../../shared/settings';
import { KeytarSecretStore } from '../../../main/engine/secrets/keytar-secret-store';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SECRET_ACCOUNTS, SECRET_SERVICE, type SecretStore } from '../../../main/engine/secrets/secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

const keyringReady = process.env.AUDIT_ARCHIVE_TEST_KEYRING === '1';
const inCi = process.env.CI === 'true';

/** `secret-tool lookup service audit-archive account <account>`: what the OS keyring really holds. */
function keyringLookup(account: string): { found: boolean; secret: string } {
  const r = spawnSync('secret-tool', ['lookup', 'service', SECRET_SERVICE, 'account', account], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { found: r.status === 0, secret: r.stdout };
}

function keyringItemCount(account: string): number {
  const r = spawnSync('secret-tool', ['search', '--all', 'service', SECRET_SERVICE, 'account', account], {
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return (r.stdout.match(/^\[\//gm) ?? []).length;
}

function newSecret(): string {
  return `gc-secret-${randomBytes(12).toString('base64url')}`;
}

describe.skipIf(!keyringReady && !inCi)('client secret in the real OS keychain (Secret Service)', () => {
  let dir: string;
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const account = SECRET_ACCOUNTS.genesysClientSecret(clientId);
  const store = new KeytarSecretStore();

  beforeAll(async () => {
    if (!keyringReady) {
      throw new Error(
        'CI=true but no test keyring: run the tests with `npm test` (scripts/with-keyring.sh) so keychain tests cannot silently skip.',
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'audit-archive-keytar-'));
  });

  afterAll(async () => {
    if (keyringReady) await store.delete(account).catch(() => false);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a client secret saved through the app is in the OS keyring under audit-archive and never in the settings file', async () => {
    const secret = newSecret();
    await store.set(account, secret);

    const settingsFile = new SettingsFile(join(dir, 'settings.json'));
    const settings = defaultSettings();
    settings.demo = false;
    settings.genesys.clientId = clientId;
    await settingsFile.save(settings);

    expect(keyringLookup(account)).toEqual({ found: true, secret });
    expect(await store.get(account)).toBe(secret);
    for (const name of await readdir(dir)) {
      expect(await readFile(join(dir, name), 'utf8')).not.toContain(secret);
    }
    expect((await settingsFile.load()).settings.genesys.clientId).toBe(clientId);
  });

  it('changing the client secret replaces it and leaves no stale copy in the keyring', async () => {
    const first = newSecret();
    const second = newSecret();
    await store.set(account, first);
    await store.set(account, second);
    expect(keyringLookup(account)).toEqual({ found: true, secret: second });
    expect(keyringItemCount(account)).toBe(1);
  });

  it("a secret an administrator provisions with secret-tool (keytar's schema, service audit-archive) is found by the app", async () => {
    const other = `genesys-client-secret:ops-${randomBytes(4).toString('hex')}`;
    const secret = newSecret();
    // keytar only matches items of its libsecret schema, so provisioning must name it.
    const r = spawnSync(
      'secret-tool',
      [
        'store',
        '--label=Audit Archive',
        'xdg:schema',
        'org.freedesktop.Secret.Generic',
        'service',
        SECRET_SERVICE,
        'account',
        other,
      ],
      { input: secret, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    try {
      expect(await store.get(other)).toBe(secret);
    } finally {
      await store.delete(other);
    }
  });

  it('removing the client secret removes it from the keyring, and removing it again says nothing was there', async () => {
    await store.set(account, newSecret());
    expect(await store.delete(account)).toBe(true);
    expect(keyringLookup(account)).toEqual({ found: false, secret: '' });
    expect(await store.get(account)).toBeNull();
    expect(await store.delete(account)).toBe(false);
  });

  it('an empty secret is refused before it reaches the keyring', async () => {
    const error = await store.set(account, '').catch((e: unknown) => e);
    expect(isAuditArchiveError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect(keyringLookup(account).found).toBe(false);
  });
});

const contractStores: { name: string; make: () => SecretStore; needsKeyring: boolean }[] = [
  { name: 'the in-memory store that unit tests use', make: () => new MemorySecretStore(), needsKeyring: false },
  { name: 'the OS keychain store', make: () => new KeytarSecretStore(), needsKeyring: true },
];

describe.each(contractStores)('$name keeps the same promises', ({ make, needsKeyring }) => {
  it.skipIf(needsKeyring && !keyringReady && !inCi)(
    'a secret is stored, replaced, read, deleted once, and empty names or secrets are refused',
    async () => {
      if (needsKeyring && !keyringReady) throw new Error('CI=true but no test keyring: run the tests with `npm test`.');
      const store = make();
      const account = `genesys-client-secret:contract-${randomBytes(4).toString('hex')}`;
      expect(await store.get(account)).toBeNull();
      await store.set(account, 'first');
      await store.set(account, 'second');
      expect(await store.get(account)).toBe('second');
      expect(await store.delete(account)).toBe(true);
      expect(await store.delete(account)).toBe(false);
      expect(await store.get(account)).toBeNull();
      for (const refused of [
        () => store.set(account, ''),
        () => store.set('', 'x'),
        () => store.get(''),
        () => store.delete(''),
      ]) {
        const error = await refused().catch((e: unknown) => e);
        expect(isAuditArchiveError(error) && error.code).toBe('INVALID_ARGUMENT');
      }
      expect(await store.get(account)).toBeNull();
      // Account names carry the client id the user typed, which may be any text but a control character.
      const typed = `genesys-client-secret:clé-${randomBytes(4).toString('hex')}`;
      await store.set(typed, 'third');
      expect(await store.get(typed)).toBe('third');
      expect(await store.delete(typed)).toBe(true);
      const control = await store.set('genesys-client-secret:a\nb', 'x').catch((e: unknown) => e);
      expect(isAuditArchiveError(control) && control.code).toBe('INVALID_ARGUMENT');
    },
  );
});

describe('a machine where the keychain cannot be used', () => {
  /** Stores `secret` under `account` in a child with no D-Bus session: what the caller got, and all it printed. */
  function storeWithoutSessionBus(secret: string, account?: string) {
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.XDG_RUNTIME_DIR;
    const fixture = fileURLToPath(new URL('./fixtures/keychain-without-session-bus.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture, secret, ...(account ? [account] : [])], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const outcome = JSON.parse(r.stdout) as { code?: string; message?: string; stored?: boolean };
    expect(outcome.code).toBe('SECRET_STORE_UNAVAILABLE');
    expect(outcome.message).toMatch(/libsecret/);
    expect(r.stdout + r.stderr).not.toContain(secret);
    return outcome.message ?? '';
  }

  it('without a Secret Service session the user is told what to do, the app does not crash, and the secret is not echoed', () => {
    const message = storeWithoutSessionBus(newSecret());
    expect(message).toMatch(/AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET/);
    expect(message).not.toMatch(/SIGNING_KEY/);
  });

  it("for the archive's signing key, the remedy is a key file or AUDIT_ARCHIVE_SIGNING_KEY, never the client secret's", () => {
    const message = storeWithoutSessionBus(newSecret(), `archive-signing-key:${'ab'.repeat(32)}`);
    expect(message).toMatch(/AUDIT_ARCHIVE_SIGNING_KEY_FILE/);
    expect(message).toMatch(/AUDIT_ARCHIVE_SIGNING_KEY\b/);
    expect(message).not.toMatch(/GENESYS_CLIENT_SECRET/);
  });

  it('when the keychain library cannot load, the user is told what to install, and a later call tries again', async () => {
    let attempts = 0;
    const store = new KeytarSecretStore({
      // What Node reports when libsecret is not installed (dlopen of keytar.node fails).
      loadKeytar: () => {
        attempts++;
        return Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file: No such file or directory'));
      },
    });
    for (const call of [() => store.get('a'), () => store.set('a', 'do-not-echo-me'), () => store.delete('a')]) {
      const error = await call().catch((e: unknown) => e);
      expect(isAuditArchiveError(error) && error.code).toBe('SECRET_STORE_UNAVAILABLE');
      expect((error as Error).message).toMatch(/apt-get install libsecret-1-0/);
      expect((error as Error).message).not.toContain('do-not-echo-me');
    }
    expect(attempts).toBe(3);
  });
});
