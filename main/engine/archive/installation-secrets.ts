/**
 * InstallationSecrets: this installation's own secrets for an archive, kept where its signing key is
 * kept (the OS keychain, or beside the signing key file), never in the state folder.
 *
 * For what must be keyed by something an attacker holding the state folder cannot read: a keyed
 * index over derived data (an HMAC over cached files, so a rewritten cache is noticed at use). Each
 * secret is 32 random bytes per archive and purpose, made on first use and then the same on every
 * call. It is not evidence and never leaves the machine: losing it costs only a rebuild of what it
 * keyed. Two processes making the same secret at once may each keep their own; the later one wins,
 * and what the other keyed is rebuilt.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import { readPrivateFile, writePrivateFile, type PrivateFilePolicy } from './key-file';

export interface InstallationSecrets {
  /** Where the secrets are kept, for messages. */
  readonly description: string;
  /** 32 bytes for `purpose` ("derived-index") of archive `archiveId`: made on first use, then always the same. */
  secret(archiveId: string, purpose: string): Promise<Buffer>;
}

const SECRET_BYTES = 32;
const PurposeSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);
const ArchiveIdSchema = z.uuid();
const Base64Secret = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/)
  .transform((s) => Buffer.from(s, 'base64'));

function accountOf(archiveId: string, purpose: string): string {
  if (!PurposeSchema.safeParse(purpose).success || !ArchiveIdSchema.safeParse(archiveId).success)
    throw new AuditArchiveError('INTERNAL', `No installation secret is kept for "${purpose}" of "${archiveId}".`);
  return SECRET_ACCOUNTS.installationSecret(purpose, archiveId);
}

/** Secrets in the OS keychain (service `audit-archive`, account `installation-secret:<purpose>:<archiveId>`). */
export class KeychainInstallationSecrets implements InstallationSecrets {
  readonly description = 'the OS keychain (service audit-archive)';

  constructor(private readonly keychain: SecretStore) {}

  async secret(archiveId: string, purpose: string): Promise<Buffer> {
    const account = accountOf(archiveId, purpose);
    const kept = Base64Secret.safeParse(await this.keychain.get(account));
    if (kept.success) return kept.data;
    const made = randomBytes(SECRET_BYTES);
    await this.keychain.set(account, made.toString('base64'));
    return made;
  }
}

const SecretsFileSchema = z.strictObject({
  format: z.literal('audit-archive/installation-secrets@1'),
  secrets: z.record(z.string().max(100), z.string().max(100)),
});

/**
 * Secrets in a file beside the signing key file (`<key file>.secrets.json`), with its rules:
 * outside the state folder, mode 0600, a regular file.
 */
export class FileInstallationSecrets implements InstallationSecrets {
  readonly description: string;
  private readonly policy: PrivateFilePolicy;

  constructor(
    readonly path: string,
    stateDir: string | null,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.description = `the installation secrets file ${path}`;
    this.policy = { stateDir, platform, what: `The installation secrets file ${path} (beside the signing key file)` };
  }

  /** The secrets file beside a signing key file. */
  static besideKeyFile(keyFile: string, stateDir: string | null): FileInstallationSecrets {
    return new FileInstallationSecrets(`${keyFile}.secrets.json`, stateDir);
  }

  async secret(archiveId: string, purpose: string): Promise<Buffer> {
    const account = accountOf(archiveId, purpose);
    const secrets = await this.read();
    const kept = Base64Secret.safeParse(secrets[account]);
    if (kept.success) return kept.data;
    const made = randomBytes(SECRET_BYTES);
    const file = {
      format: 'audit-archive/installation-secrets@1',
      secrets: { ...secrets, [account]: made.toString('base64') },
    };
    await writePrivateFile(this.path, JSON.stringify(file, null, 2) + '\n', this.policy);
    return made;
  }

  private async read(): Promise<Record<string, string>> {
    const text = await readPrivateFile(this.path, this.policy);
    if (text === null) return {};
    try {
      const parsed = SecretsFileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.secrets;
    } catch {
      // reported below
    }
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `${this.policy.what} is damaged. Remove it: what it keyed (caches) is rebuilt from the archive.`,
    );
  }
}
