/**
 * Where the CLI keeps an archive's private signing key (its custody), and the move out of the state
 * folder where earlier versions kept it.
 *
 * The threat model lets an attacker hold the state folder (caches, head records, the run journal),
 * so the private key never lives there. In order:
 * - `AUDIT_ARCHIVE_SIGNING_KEY` (PEM text in the environment): used for the archive whose key it is,
 *   and to sign a new archive. The environment cannot keep anything, so keys made here (a new
 *   archive's, a rotation's) go to the custody below.
 * - The signing key file, when `archive.signingKeyFile` is set (config file < environment
 *   `AUDIT_ARCHIVE_SIGNING_KEY_FILE` < flag `--signing-key-file`): outside the state folder, mode
 *   0600 (key-file.ts). Setting it is how a machine without a keychain is told where the key lives.
 * - Otherwise the OS keychain (service `audit-archive`, account `archive-signing-key:<fingerprint>`),
 *   the same entry the app uses. Without a usable keychain the run stops, saying to set the key file.
 *
 * A demo archive (simulated events, never evidence) keeps its key in `<state>/keys/`, as the `demo`
 * command and the app's demo do. A real archive's key still in `<state>/keys/` is never used: a
 * command that needs it stops with
 * ARCHIVE_KEY_MISSING naming `audit-archive key migrate`, which moves it into the custody above, reads
 * it back, and deletes it from the state folder. An officer decides when key material moves, and
 * learns that the state folder (and its backups) held it.
 */
import { readdir, rmdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatFingerprint } from '../../../shared/archive-root';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import { keychainAdvice, KeytarSecretStore } from '../secrets/keytar-secret-store';
import type { SecretStore } from '../secrets/secret-store';
import { KeyFileSigningKeyStore, parsePemKeys, readPrivateFile } from './key-file';
import { signingKeyFromPem, type SigningKey } from './signing';
import type { ArchivePurpose } from '../../../shared/archive-root';
import { FileSigningKeyStore, SecretSigningKeyStore, SIGNING_KEY_ENV, type SigningKeyStore } from './signing-keys';

const SIGNING_KEY_FILE_ENV = 'AUDIT_ARCHIVE_SIGNING_KEY_FILE';

interface CliKeyCustodyOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The state folder: the key file must stay out of it, and earlier versions' keys are found in it. */
  readonly stateDir: string;
  /** `archive.signingKeyFile` as resolved from the config file, environment and flags. */
  readonly keyFile?: string | undefined;
  /** The OS keychain (default: keytar, loaded on first use). */
  readonly keychain?: SecretStore;
}

const HEADLESS_ADVICE =
  `On a machine without an OS keychain, set ${SIGNING_KEY_FILE_ENV} (or --signing-key-file, or archive.signingKeyFile ` +
  'in the --config file) to a path outside the state folder, such as /etc/audit-archive/signing-key.pem: the key is kept ' +
  'there with mode 0600.';

/** The CLI's signing keys: the environment, then the key file or the OS keychain (see the module comment). */
export class CliSigningKeys implements SigningKeyStore {
  readonly description: string;
  /** Where keys made or imported here are kept. */
  readonly custody: 'key-file' | 'keychain';
  private readonly store: KeyFileSigningKeyStore | SecretSigningKeyStore;
  /** Demo archives' keys, in the state folder like the `demo` command's. */
  private readonly demoKeys: FileSigningKeyStore;

  constructor(private readonly options: CliKeyCustodyOptions) {
    this.demoKeys = new FileSigningKeyStore(options.stateDir);
    if (options.keyFile) {
      this.custody = 'key-file';
      this.store = new KeyFileSigningKeyStore(options.keyFile, options.stateDir);
    } else {
      this.custody = 'keychain';
      this.store = new SecretSigningKeyStore(options.keychain ?? new KeytarSecretStore());
    }
    this.description =
      (this.custody === 'key-file' ? this.store.description : 'the OS keychain (service audit-archive)') +
      (options.env[SIGNING_KEY_ENV] ? ` or ${SIGNING_KEY_ENV}` : '');
  }

  /** Where keys are kept, without the environment ("the OS keychain …", "the signing key file …"). */
  get custodyDescription(): string {
    return this.custody === 'key-file' ? this.store.description : 'the OS keychain (service audit-archive)';
  }

  async get(fingerprint: string, purpose?: ArchivePurpose): Promise<SigningKey | null> {
    const fromEnv = this.given();
    if (fromEnv?.fingerprint === fingerprint) return fromEnv;
    if (purpose === 'demo') return this.demoKeys.get(fingerprint);
    let held: SigningKey | null;
    try {
      held = await this.kept(() => this.store.get(fingerprint));
    } catch (e) {
      await this.refuseStateFolderKey(fingerprint, e);
      throw e;
    }
    if (!held) await this.refuseStateFolderKey(fingerprint);
    return held;
  }

  given(): SigningKey | null {
    const fromEnv = this.options.env[SIGNING_KEY_ENV];
    return fromEnv ? signingKeyFromPem(fromEnv, SIGNING_KEY_ENV) : null;
  }

  async save(key: SigningKey, purpose?: ArchivePurpose): Promise<void> {
    if (purpose === 'demo') return this.demoKeys.save(key);
    await this.kept(() => this.store.save(key));
  }

  async retire(fingerprint: string): Promise<boolean> {
    return this.kept(() => this.store.retire(fingerprint));
  }

  /** Private key files an earlier version left in the state folder. */
  stateFolderKeyFiles(): Promise<string[]> {
    return stateFolderKeyFiles(this.options.stateDir);
  }

  /** Runs a custody operation, turning "no keychain here" into advice about the key file. */
  private async kept<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (this.custody === 'keychain' && isAuditArchiveError(e) && e.code === 'SECRET_STORE_UNAVAILABLE') {
        throw new AuditArchiveError(
          'SECRET_STORE_UNAVAILABLE',
          `The OS keychain cannot keep the archive's signing key here: ${e.message.replace(keychainAdvice('archive-signing-key'), '').trim()} ${HEADLESS_ADVICE} Nothing was written.`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  /** Never uses a key left in the state folder: says how to move it (with why custody failed, if it did). */
  private async refuseStateFolderKey(fingerprint: string, custodyError?: unknown): Promise<void> {
    const files = await stateFolderKeyFiles(this.options.stateDir);
    const file = files.find((f) => basename(f) === `${fingerprint}.pem`);
    if (!file) return;
    const first = custodyError instanceof Error ? ` First: ${custodyError.message}` : '';
    throw new AuditArchiveError(
      'ARCHIVE_KEY_MISSING',
      `The signing key ${formatFingerprint(fingerprint)} is in the state folder (${file}), where anyone who holds that folder can read it; it is no longer used from there. Run \`audit-archive key migrate\` to move it into ${this.custodyDescription} (it is then deleted from the state folder), then run this again. Nothing was written.${first}`,
    );
  }
}

/** The folder where earlier CLI versions kept private keys. */
export function stateFolderKeyDir(stateDir: string): string {
  return join(stateDir, 'keys');
}

/** Private key files earlier versions left in `<state>/keys/` (regular `.pem` files only). */
export async function stateFolderKeyFiles(stateDir: string): Promise<string[]> {
  const dir = stateFolderKeyDir(stateDir);
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.pem'))
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** What `key migrate` moved. */
interface MigratedKey {
  readonly file: string;
  readonly fingerprint: string;
}

/**
 * Moves every key in `<state>/keys/` into the custody of `keys`: each is saved, read back, and only
 * then its file is deleted (the folder too, once empty). A file that is not a key stops the move
 * before it is deleted, naming it; keys moved before it stay moved.
 */
export async function migrateStateFolderKeys(stateDir: string, keys: CliSigningKeys): Promise<MigratedKey[]> {
  const moved: MigratedKey[] = [];
  for (const file of await stateFolderKeyFiles(stateDir)) {
    const policy = { stateDir: null, what: `The state folder key file ${file}`, checkMode: false };
    const text = await readPrivateFile(file, policy);
    if (text === null) continue;
    const found = parsePemKeys(text, file, policy.what);
    for (const key of found) {
      await keys.save(key);
      const back = await keys.get(key.fingerprint).catch(() => null);
      if (back?.fingerprint !== key.fingerprint) {
        throw new AuditArchiveError(
          'SECRET_STORE_UNAVAILABLE',
          `The key ${formatFingerprint(key.fingerprint)} from ${file} could not be read back from ${keys.custodyDescription}; ${file} was kept.`,
        );
      }
      moved.push({ file, fingerprint: key.fingerprint });
    }
    await unlink(file);
  }
  await rmdir(stateFolderKeyDir(stateDir)).catch(() => undefined);
  return moved;
}
