/**
 * The signing key as the archive knows it, for Settings and setup (`signing-key:status`): the key
 * the archive at the target is signed with now, whether this installation holds it, where it is
 * kept, and since when it signs; beside the fingerprint the officer recorded.
 *
 * The demo archive's key is kept in the state folder (main/engine/service/app-archive.ts
 * `appSigningKeys`), not the keychain: its status is read from there, so Settings names the key the
 * demo archive and its reports are really signed with (it used to say "No key yet" whenever the
 * keychain was unreachable). A keychain that cannot be reached is said in the key's own terms.
 */
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import { SIGNING_KEY_KEYCHAIN_REMEDY, type SigningKeyStatus } from '../../../shared/setup-checks';
import { Archive } from '../archive/archive';
import type { SigningKeyStore } from '../archive/signing-keys';
import { openArchiveStore } from '../archive/stores/open-store';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsFile } from '../settings/settings-file';
import { appArchiveTarget, appSigningKeys, stateDirIn } from '../archive/app-archive';

interface SigningKeyStatusDeps {
  readonly userDataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: SecretStore;
  readonly settingsFile: Pick<SettingsFile, 'load'>;
}

/**
 * The status for the archive settings being edited (`archive`): of the demo archive while the app is
 * in demo mode and no target is entered, else of the archive at the target.
 */
export async function readSigningKeyStatus(
  archive: Settings['archive'],
  deps: SigningKeyStatusDeps,
): Promise<SigningKeyStatus> {
  const saved = (await deps.settingsFile.load()).settings;
  // The demo archive's key, while the app is in demo mode and no other target is being set up.
  const demo = saved.demo && !archive.target;
  const settings: Settings = { ...saved, demo, archive };
  const store = appSigningKeys(settings, deps.userDataDir, deps.secrets);
  const recordedFingerprint = archive.signingKeyFingerprint ?? null;
  const recorded = recordedFingerprint
    ? { fingerprint: recordedFingerprint, held: (await keyHeld(store, recordedFingerprint, true)) === true }
    : null;
  const atTarget = await keyAtTarget(settings, store, deps);
  return {
    recorded,
    archive: atTarget,
    keptIn: settings.demo ? `${store.description} (the demo archive's key)` : store.description,
  };
}

/** The key the archive at the target signs with now, and since when; null when there is no archive yet or it cannot be read. */
async function keyAtTarget(
  settings: Settings,
  store: SigningKeyStore,
  deps: SigningKeyStatusDeps,
): Promise<SigningKeyStatus['archive']> {
  try {
    const reader = new Archive({
      store: openArchiveStore(appArchiveTarget(settings, deps.userDataDir), settings.archive.s3, deps.env),
      stateDir: stateDirIn(deps.userDataDir),
      keys: store,
      policy: { lockMode: settings.archive.lockMode, retentionDays: settings.archive.retentionDays },
      lease: { ttlMs: 60_000, waitMs: 0, program: 'the Audit Archive app (signing key status)' },
      toolVersion: 'check',
    });
    const { root, keys: history } = (await reader.read({ scope: 'layout' })).assessment;
    if (root.status !== 'ok') return null;
    const current = history.current;
    const fingerprint = current?.fingerprint ?? root.root.signingKey.fingerprint;
    const sinceRoot = !current || current.via === 'root';
    return {
      fingerprint,
      held: (await keyHeld(store, fingerprint, false)) === true,
      signsSince: sinceRoot ? root.root.createdAt : null,
      viaRotation: !sinceRoot,
    };
  } catch {
    // Unreachable or not set up yet: "Check bucket" says why; the key status stands without it.
    return null;
  }
}

/** Whether `store` holds the key; a keychain that cannot be reached throws in the key's terms when `strict`. */
async function keyHeld(store: SigningKeyStore, fingerprint: string, strict: boolean): Promise<boolean | null> {
  try {
    return (await store.get(fingerprint)) !== null;
  } catch (e) {
    if (!strict) return null;
    if (isAuditArchiveError(e) && e.code !== 'SECRET_STORE_UNAVAILABLE') throw e;
    throw new AuditArchiveError('SECRET_STORE_UNAVAILABLE', SIGNING_KEY_KEYCHAIN_REMEDY, { cause: e });
  }
}
