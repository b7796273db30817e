/**
 * The app's cache seal key in the real Secret Service (gnome-keyring on a private D-Bus session,
 * started by scripts/with-keyring.sh): created once, kept there (never in a file), and the same key
 * for the next process, so a cache sealed by one run is trusted by the next and by nobody without it.
 * Locally without gnome-keyring these tests skip; with CI=true they fail instead.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CACHE_SEAL_ACCOUNT, CacheSeal, keychainCacheSealKey } from '../../../main/engine/archive/cache-seal';
import { KeytarSecretStore } from '../../../main/engine/secrets/keytar-secret-store';

const keyringReady = process.env.AUDIT_ARCHIVE_TEST_KEYRING === '1';
const inCi = process.env.CI === 'true';

describe.skipIf(!keyringReady && !inCi)('the cache seal key in the OS keychain', () => {
  it('is made once, kept in the keychain, and seals alike in the next process', async () => {
    const service = `audit-archive-test-${randomBytes(6).toString('hex')}`;
    const warnings: string[] = [];
    const first = await CacheSeal.open(keychainCacheSealKey(new KeytarSecretStore({ service })), (m) =>
      warnings.push(m),
    );
    expect(warnings).toEqual([]);
    expect(first.kept).toBe(true);
    const lookup = spawnSync('secret-tool', ['lookup', 'service', service, 'account', CACHE_SEAL_ACCOUNT], {
      encoding: 'utf8',
    });
    expect(lookup.status).toBe(0);
    expect(Buffer.from(lookup.stdout.trim(), 'base64')).toHaveLength(32);

    // A new store object, as a new process opens it: the same key, so the same seal.
    const next = await CacheSeal.open(keychainCacheSealKey(new KeytarSecretStore({ service })), (m) =>
      warnings.push(m),
    );
    expect(next.keyId).toBe(first.keyId);
    const mac = first.mac('columnar-month', 'a'.repeat(64), 'b'.repeat(64), '123');
    expect(next.matches(mac, 'columnar-month', 'a'.repeat(64), 'b'.repeat(64), '123')).toBe(true);
    expect(CacheSeal.forThisProcess().matches(mac, 'columnar-month', 'a'.repeat(64), 'b'.repeat(64), '123')).toBe(
      false,
    );
    spawnSync('secret-tool', ['clear', 'service', service, 'account', CACHE_SEAL_ACCOUNT]);
  });
});
