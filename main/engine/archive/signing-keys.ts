/**
 * Where an installation keeps archives' private signing keys, looked up by fingerprint.
 *
 * The private key is a secret like the Genesys client secret: never in the archive, the settings
 * file, the state folder, logs or IPC. The app keeps it in the OS keychain (account
 * `archive-signing-key:<fingerprint>`); the CLI in the same keychain, or on a machine without one in
 * a key file outside the state folder, or takes it from the environment (`AUDIT_ARCHIVE_SIGNING_KEY`,
 * PEM text): see key-custody.ts. A second machine writing the same archive needs the same key:
 * `audit-archive key export` on the first.
 *
 * FileSigningKeyStore (`<stateDir>/keys/<fingerprint>.pem`) remains for demo archives, which sign
 * simulated events, and as the place earlier CLI versions kept real keys (`audit-archive key migrate`
 * moves them out).
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditArchiveError } from '../../../shared/errors';
import { readRegularFile } from '../files/regular-file';
import { writeFileAtomically } from '../files/write-file-atomically';
import type { ArchivePurpose } from '../../../shared/archive-root';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import { signingKeyFromPem, signingKeyToPem, type SigningKey } from './signing';

export const SIGNING_KEY_ENV = 'AUDIT_ARCHIVE_SIGNING_KEY';
/** A PEM private key is a few hundred bytes; past this the file is not one and is not read whole. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface SigningKeyStore {
  /** Where keys are kept, for messages ("the OS keychain", "/var/lib/audit-archive/keys"). */
  readonly description: string;
  /**
   * The key with this fingerprint, or null when this installation does not hold it. `purpose` is the
   * archive's, where known: a store may keep a demo archive's key (it signs simulated events) apart.
   */
  get(fingerprint: string, purpose?: ArchivePurpose): Promise<SigningKey | null>;
  /** Keeps a key (a new archive's, or one imported from another machine). */
  save(key: SigningKey, purpose?: ArchivePurpose): Promise<void>;
  /**
   * A key this installation was given for new archives, kept already (the CLI's
   * AUDIT_ARCHIVE_SIGNING_KEY; the app's key created or imported in setup, in the keychain).
   */
  given?(): SigningKey | null | Promise<SigningKey | null>;
  /**
   * Removes a key this installation no longer signs with (after a rotation is locked in the
   * archive); true when it was held. Absent: the store cannot forget keys.
   */
  retire?(fingerprint: string): Promise<boolean>;
}

/**
 * Keys as 0600 PEM files in `<stateDir>/keys/`, plus one optionally given in the environment: for demo
 * archives and tests only (the state folder is no place for a real archive's key).
 */
export class FileSigningKeyStore implements SigningKeyStore {
  readonly description: string;
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.dir = join(stateDir, 'keys');
    this.description = `${this.dir} (or ${SIGNING_KEY_ENV})`;
  }

  async get(fingerprint: string): Promise<SigningKey | null> {
    const fromEnv = this.env[SIGNING_KEY_ENV];
    if (fromEnv) {
      const key = signingKeyFromPem(fromEnv, SIGNING_KEY_ENV);
      if (key.fingerprint === fingerprint) return key;
    }
    let pem: string;
    try {
      // Only a regular file: a named pipe planted in the state folder would hang the export.
      const read = await readRegularFile(this.fileOf(fingerprint), MAX_KEY_FILE_BYTES);
      if (!read.ok) {
        throw new AuditArchiveError(
          'SECRET_STORE_UNAVAILABLE',
          `The signing key file ${this.fileOf(fingerprint)} is ${read.what}, not a key file, so the key cannot be read from it; put the key file back in its place, then run again.`,
        );
      }
      pem = read.text;
    } catch (e) {
      if (e instanceof AuditArchiveError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `The signing key file ${this.fileOf(fingerprint)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); check its permissions.`,
      );
    }
    const key = signingKeyFromPem(pem, this.fileOf(fingerprint));
    if (key.fingerprint !== fingerprint) {
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `${this.fileOf(fingerprint)} holds a different key (fingerprint ${key.fingerprint}); import the archive's key again.`,
      );
    }
    return key;
  }

  given(): SigningKey | null {
    const fromEnv = this.env[SIGNING_KEY_ENV];
    return fromEnv ? signingKeyFromPem(fromEnv, SIGNING_KEY_ENV) : null;
  }

  async save(key: SigningKey): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomically(this.fileOf(key.fingerprint), signingKeyToPem(key));
      await chmod(this.fileOf(key.fingerprint), 0o600);
    } catch (e) {
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `The signing key cannot be saved in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}); check that the state folder is writable. Nothing was written to the archive.`,
        { cause: e },
      );
    }
  }

  private fileOf(fingerprint: string): string {
    return join(this.dir, `${fingerprint}.pem`);
  }
}

/**
 * Keys in the OS keychain (the app), via the same SecretStore as the Genesys client secret.
 *
 * `forNewArchive` is the fingerprint the officer recorded in setup (created or imported there): a
 * new archive is signed with that key rather than a fresh one, so the fingerprint on record is the
 * archive's from its first manifest.
 */
export class SecretSigningKeyStore implements SigningKeyStore {
  readonly description = 'the OS keychain';

  constructor(
    private readonly secrets: SecretStore,
    private readonly forNewArchive?: string,
  ) {}

  async get(fingerprint: string): Promise<SigningKey | null> {
    const pem = await this.secrets.get(signingKeyAccount(fingerprint));
    if (!pem) return null;
    const key = signingKeyFromPem(pem, `the keychain entry ${signingKeyAccount(fingerprint)}`);
    if (key.fingerprint !== fingerprint) {
      throw new AuditArchiveError(
        'SECRET_STORE_UNAVAILABLE',
        `The keychain entry ${signingKeyAccount(fingerprint)} holds a different key (fingerprint ${key.fingerprint}); import the archive's key again.`,
      );
    }
    return key;
  }

  async given(): Promise<SigningKey | null> {
    if (!this.forNewArchive) return null;
    const key = await this.get(this.forNewArchive);
    if (!key) {
      throw new AuditArchiveError(
        'ARCHIVE_KEY_MISSING',
        `The signing key ${this.forNewArchive} recorded in Settings is not in the OS keychain. Import it again (Settings > Signing key) or create a new one before the first export. Nothing was written.`,
      );
    }
    return key;
  }

  async save(key: SigningKey): Promise<void> {
    await this.secrets.set(signingKeyAccount(key.fingerprint), signingKeyToPem(key));
  }

  async retire(fingerprint: string): Promise<boolean> {
    return this.secrets.delete(signingKeyAccount(fingerprint));
  }
}

export function signingKeyAccount(fingerprint: string): string {
  return SECRET_ACCOUNTS.archiveSigningKey(fingerprint);
}
