/**
 * The signing key as the archive knows it (main/engine/service/signing-key-status.ts): in demo mode
 * the demo archive's own key, kept in the state folder, even when the keychain cannot be reached;
 * a keychain that cannot be reached is said in the key's terms, never with the Genesys secret's advice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rootKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay } from '../../../shared/day';
import { SettingsSchema, type Settings } from '../../../shared/settings';
import { SIGNING_KEY_KEYCHAIN_REMEDY } from '../../../shared/setup-checks';
import { readSigningKeyStatus } from '../../../main/engine/service/signing-key-status';
import type { SecretStore } from '../../../main/engine/secrets/secret-store';
import { demoArchiveDirIn } from '../../../main/engine/archive/app-archive';
import { fillAppArchive } from './archive-status-fixture';

let userDataDir: string;
beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-key-status-'));
});
afterEach(async () => {
  await rm(userDataDir, { recursive: true, force: true });
});

/** A keychain that cannot be reached, as keytar's store fails without a Secret Service. */
const unreachable: SecretStore = {
  get: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  set: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  delete: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
};

const deps = (settings: Settings) => ({
  userDataDir,
  env: {},
  secrets: unreachable,
  settingsFile: { load: async () => ({ settings, warnings: [] }) },
});

describe('the signing key status', () => {
  it("in demo mode names the demo archive's key, where it is kept and since when, without a keychain", async () => {
    await fillAppArchive(userDataDir, { archive: [addDays(lastSettledDay(Date.now(), 120), -1)] });
    const settings = SettingsSchema.parse({});
    const status = await readSigningKeyStatus(settings.archive, deps(settings));
    expect(status.recorded).toBeNull();
    expect(status.archive).toMatchObject({
      fingerprint: await rootFingerprint(),
      held: true,
      signsSince: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(status.keptIn).toMatch(/\(the demo archive's key\)$/);
  });

  it("for a recorded key, says in the key's terms that the keychain cannot be reached", async () => {
    const settings = SettingsSchema.parse({ demo: false });
    const archive = {
      ...settings.archive,
      target: `file://${path.join(userDataDir, 'a')}`,
      signingKeyFingerprint: 'a'.repeat(64),
    };
    await expect(readSigningKeyStatus(archive, deps(settings))).rejects.toMatchObject({
      code: 'SECRET_STORE_UNAVAILABLE',
      message: SIGNING_KEY_KEYCHAIN_REMEDY,
    });
    expect(SIGNING_KEY_KEYCHAIN_REMEDY).not.toMatch(/GENESYS_CLIENT_SECRET/);
  });
});

/** The fingerprint the demo archive's root names, read from the file itself. */
async function rootFingerprint(): Promise<string> {
  const root = JSON.parse(
    await readFile(path.join(demoArchiveDirIn(userDataDir), ...rootKey('').split('/')), 'utf8'),
  ) as {
    signingKey: { fingerprint: string };
  };
  return root.signingKey.fingerprint;
}
