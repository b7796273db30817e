/**
 * The CLI's signing key in the real OS keychain (gnome-keyring on a private D-Bus session, started
 * by scripts/with-keyring.sh): with no key file set, the first export keeps the archive's private
 * key in the keychain and nowhere under the state folder; a rotation puts the new key there and
 * deletes the old one; `key migrate` moves a key an earlier version left in the state folder into
 * it. What the keyring holds is read back with `secret-tool`, not through our own code.
 * Without gnome-keyring these tests skip; with CI=true they fail instead.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession } from '../../../main/engine/archive/archive-session';
import { signingKeyFromPem } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore, signingKeyAccount } from '../../../main/engine/archive/signing-keys';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { SECRET_SERVICE } from '../../../main/engine/secrets/secret-store';
import { cliInProcess as cli, privateKeysUnder } from '../../unit/cli/cli-in-process';

const keyringReady = process.env.AUDIT_ARCHIVE_TEST_KEYRING === '1';
const inCi = process.env.CI === 'true';
const yesterday = lastSettledDay(Date.now(), 120);
const dayBefore = addDays(yesterday, -1);

/** What the OS keyring holds for an account, asked with `secret-tool` (null: nothing). */
function keyringLookup(account: string): string | null {
  const r = spawnSync('secret-tool', ['lookup', 'service', SECRET_SERVICE, 'account', account], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? r.stdout : null;
}

describe.skipIf(!keyringReady && !inCi)('the CLI keeps the signing key in the real OS keychain', () => {
  let sim: GenesysSimulator;
  let dir: string;
  const accounts: string[] = [];

  beforeAll(async () => {
    if (!keyringReady) {
      throw new Error(
        'CI=true but no test keyring: run the tests with `npm test` (scripts/with-keyring.sh) so keychain tests cannot silently skip.',
      );
    }
    sim = await startGenesysSimulator({ eventsPerDay: 20 });
    dir = await fs.mkdtemp(path.join(tmpdir(), 'aa-cli-keychain-'));
  });
  afterAll(async () => {
    for (const account of accounts) spawnSync('secret-tool', ['clear', 'service', SECRET_SERVICE, 'account', account]);
    await sim?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  function machine(name: string) {
    const state = path.join(dir, name, 'state');
    // No key file and no key in the environment: the keychain is where the key lives.
    const env: NodeJS.ProcessEnv = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(path.join(dir, name, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: state,
      AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
      AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
      AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
      AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
      AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
    };
    return { state, env };
  }

  async function fingerprint(env: NodeJS.ProcessEnv): Promise<string> {
    const shown = JSON.parse((await cli(['key', 'show', '--json'], env)).stdout);
    accounts.push(signingKeyAccount(shown.fingerprint));
    return shown.fingerprint;
  }

  it('export keeps the key in the keychain, not the state folder; rotate swaps it there; verify is OK', async () => {
    const m = machine('keychain');
    const exported = await cli(['export', '--day', dayBefore], m.env);
    expect(exported.code, exported.stderr).toBe(0);
    const first = await fingerprint(m.env);
    const stored = keyringLookup(signingKeyAccount(first));
    expect(stored).not.toBeNull();
    expect(signingKeyFromPem(stored as string, 'the keyring').fingerprint).toBe(first);
    expect(await privateKeysUnder(m.state)).toEqual([]);
    expect((await cli(['key', 'show'], m.env)).stdout).toContain(
      'This installation holds its private key (the OS keychain',
    );

    const rotated = await cli(['key', 'rotate', '--reason', 'keychain test'], m.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const second = await fingerprint(m.env);
    expect(second).not.toBe(first);
    expect(keyringLookup(signingKeyAccount(first))).toBeNull();
    expect(signingKeyFromPem(keyringLookup(signingKeyAccount(second)) as string, 'the keyring').fingerprint).toBe(
      second,
    );

    expect((await cli(['export', '--day', yesterday], m.env)).code).toBe(0);
    const verified = await cli(['verify', '--from', dayBefore, '--to', yesterday, '--expect-key', first], m.env);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain('key-rotated');
    expect(await privateKeysUnder(m.state)).toEqual([]);
  });

  it('key migrate moves a key an earlier version left in the state folder into the keychain', async () => {
    const m = machine('migrate');
    const earlier = await openArchiveSession(
      SettingsSchema.parse({
        demo: false,
        genesys: { apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, clientId: sim.clientId, statusPollMs: 20 },
        archive: { target: m.env.AUDIT_ARCHIVE_TARGET },
      }),
      { genesysClientSecret: sim.clientSecret },
      { env: {}, stateDir: m.state, keys: new FileSigningKeyStore(m.state) },
    );
    await earlier.exportDay(dayBefore);
    await earlier.close();
    const fp = await fingerprint(m.env);
    expect(keyringLookup(signingKeyAccount(fp))).toBeNull();

    expect((await cli(['export', '--day', yesterday], m.env)).stderr).toContain('audit-archive key migrate');
    const moved = await cli(['key', 'migrate'], m.env);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain('into the OS keychain');
    expect(await privateKeysUnder(m.state)).toEqual([]);
    expect(signingKeyFromPem(keyringLookup(signingKeyAccount(fp)) as string, 'the keyring').fingerprint).toBe(fp);
    expect((await cli(['export', '--day', yesterday], m.env)).code).toBe(0);
  });
});
