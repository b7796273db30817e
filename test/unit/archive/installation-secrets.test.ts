/**
 * The installation's own secrets for an archive (what a keyed index of derived data is keyed with):
 * kept where the signing key is kept, never in the state folder, the same on every call.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileInstallationSecrets,
  KeychainInstallationSecrets,
  type InstallationSecrets,
} from '../../../main/engine/archive/installation-secrets';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const d = await fs.mkdtemp(path.join(tmpdir(), 'aa-secrets-'));
  dirs.push(d);
  return d;
}

async function behavesAsAStore(secrets: () => InstallationSecrets): Promise<void> {
  const archive = randomUUID();
  const first = await secrets().secret(archive, 'derived-index');
  expect(first).toHaveLength(32);
  expect(await secrets().secret(archive, 'derived-index')).toEqual(first);
  expect(await secrets().secret(archive, 'another-use')).not.toEqual(first);
  expect(await secrets().secret(randomUUID(), 'derived-index')).not.toEqual(first);
  await expect(secrets().secret('not-an-archive-id', 'derived-index')).rejects.toMatchObject({ code: 'INTERNAL' });
}

describe('installation secrets', () => {
  it('in the keychain: one secret per archive and purpose, the same every time', async () => {
    const keychain = new MemorySecretStore();
    await behavesAsAStore(() => new KeychainInstallationSecrets(keychain));
  });

  it('beside the key file: the same rules, mode 0600, never inside the state folder', async () => {
    const dir = await folder();
    const state = path.join(dir, 'state');
    const keyFile = path.join(dir, 'secrets', 'signing-key.pem');
    await behavesAsAStore(() => FileInstallationSecrets.besideKeyFile(keyFile, state));
    expect((await fs.stat(`${keyFile}.secrets.json`)).mode & 0o777).toBe(0o600);

    await fs.chmod(`${keyFile}.secrets.json`, 0o644);
    await expect(
      FileInstallationSecrets.besideKeyFile(keyFile, state).secret(randomUUID(), 'derived-index'),
    ).rejects.toMatchObject({ code: 'INVALID_SETTINGS', message: expect.stringContaining('chmod 600') });
    await expect(
      FileInstallationSecrets.besideKeyFile(path.join(state, 'k.pem'), state).secret(randomUUID(), 'derived-index'),
    ).rejects.toMatchObject({ code: 'INVALID_SETTINGS', message: expect.stringContaining('inside the state folder') });
  });
});
