/**
 * The signing key file: where the CLI keeps an archive's private signing key on a machine without an
 * OS keychain (a headless server), named by the `archive.signingKeyFile` setting.
 *
 * The state folder is what the threat model lets an attacker hold, so the key never lives there:
 * the file is refused when it sits inside the state folder, when it is not a regular file, and (on
 * POSIX systems) when its group or other users have any permission on it (mode 0600 or 0400 only).
 * It holds one or more PKCS#8 PEM Ed25519 private keys (one per archive, two while a rotation is in
 * progress); it is rewritten atomically with mode 0600, never edited in place.
 */
import { constants } from 'node:fs';
import { mkdir, open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { AuditArchiveError } from '../../../shared/errors';
import { writeFileAtomically } from '../files/write-file-atomically';
import { signingKeyFromPem, signingKeyToPem, type SigningKey } from './signing';
import type { SigningKeyStore } from './signing-keys';

/** A few keys' PEM is about 120 bytes each; anything this big is not a key file. */
const MAX_PRIVATE_FILE_BYTES = 64 * 1024;
const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\r?\n?/g;

/** Where a private file must not be, and whether its mode is checked. */
export interface PrivateFilePolicy {
  /** The state folder the file must stay out of (null: none to compare with). */
  readonly stateDir: string | null;
  /** How the file is named in messages ("The signing key file /etc/k.pem (archive.signingKeyFile …)"). */
  readonly what: string;
  readonly platform?: NodeJS.Platform;
  /** False only to read a key out of a place it should never have been (the state folder), to move it. */
  readonly checkMode?: boolean;
}

export class KeyFileSigningKeyStore implements SigningKeyStore {
  readonly description: string;
  private readonly policy: PrivateFilePolicy;

  constructor(
    /** Absolute path of the key file. */
    readonly path: string,
    stateDir: string | null,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.description = `the signing key file ${path}`;
    this.policy = {
      stateDir,
      platform,
      what: `The signing key file ${path} (archive.signingKeyFile, AUDIT_ARCHIVE_SIGNING_KEY_FILE or --signing-key-file)`,
    };
  }

  async get(fingerprint: string): Promise<SigningKey | null> {
    return (await this.readKeys()).find((k) => k.fingerprint === fingerprint) ?? null;
  }

  async save(key: SigningKey): Promise<void> {
    const keys = await this.readKeys();
    if (keys.some((k) => k.fingerprint === key.fingerprint)) return;
    await writePrivateFile(this.path, keys.map(signingKeyToPem).join('') + signingKeyToPem(key), this.policy);
  }

  async retire(fingerprint: string): Promise<boolean> {
    const keys = await this.readKeys();
    const kept = keys.filter((k) => k.fingerprint !== fingerprint);
    if (kept.length === keys.length) return false;
    await writePrivateFile(this.path, kept.map(signingKeyToPem).join(''), this.policy);
    return true;
  }

  /** Every key in the file ([] when it does not exist yet), after the placement and mode checks. */
  async readKeys(): Promise<SigningKey[]> {
    const text = await readPrivateFile(this.path, this.policy);
    return text === null ? [] : parsePemKeys(text, this.path, this.policy.what);
  }
}

/** The private keys of a PEM text holding nothing else. */
export function parsePemKeys(text: string, where: string, what: string): SigningKey[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (text.replace(PEM_BLOCK, '').trim() !== '') {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `${what} holds something other than PEM private keys; it must hold only what \`audit-archive key export\` writes.`,
    );
  }
  return blocks.map((b) => signingKeyFromPem(b[0], where));
}

/**
 * A private file's text, or null when it does not exist. Refused (INVALID_SETTINGS, saying what to
 * do) when it is inside the state folder, not a regular file, or open to group or other users.
 */
export async function readPrivateFile(path: string, policy: PrivateFilePolicy): Promise<string | null> {
  await checkPlacement(path, policy);
  let handle;
  try {
    // Non-blocking, so a FIFO planted at the path cannot hang the run; it is refused just below.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw ioRefusal(policy, `cannot be read (${code ?? 'error'}); check that this user owns it`, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw refusal(policy, 'is not a regular file');
    if (policy.checkMode !== false) checkMode(path, info.mode, policy);
    if (info.size > MAX_PRIVATE_FILE_BYTES) throw refusal(policy, 'is far larger than a key file can be');
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Writes a private file atomically, mode 0600 (its folder created 0700 when missing). */
export async function writePrivateFile(path: string, text: string, policy: PrivateFilePolicy): Promise<void> {
  await checkPlacement(path, policy);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomically(path, text);
  } catch (e) {
    throw ioRefusal(
      policy,
      `cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}); check that this user may write in ${dirname(path)}. Nothing was written to the archive`,
      e,
    );
  }
}

function checkMode(path: string, mode: number, policy: PrivateFilePolicy): void {
  // Windows has no POSIX modes; there the file's ACL is the administrator's to set.
  if ((policy.platform ?? process.platform) === 'win32') return;
  if ((mode & 0o077) !== 0) {
    throw refusal(
      policy,
      `is open to other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): anyone who can read it can sign for the archive. Run \`chmod 600 ${path}\`; if others could read it, treat the key as exposed and rotate it (\`audit-archive key rotate\`)`,
    );
  }
}

/** Refuses a private file inside the state folder (symbolic links resolved). */
async function checkPlacement(path: string, policy: PrivateFilePolicy): Promise<void> {
  if (!isAbsolute(path)) throw refusal(policy, 'must be an absolute path');
  if (policy.stateDir === null) return;
  const file = await resolveExisting(path);
  const state = await resolveExisting(policy.stateDir);
  const rel = relative(state, file);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw refusal(
      policy,
      `is inside the state folder ${policy.stateDir}, which holds caches and records an attacker may read: keep it elsewhere (for example /etc/audit-archive/signing-key.pem, readable only by the service user)`,
    );
  }
}

/**
 * `path` with symbolic links resolved as far as it exists (the rest appended), so a file that does
 * not exist yet, or a state folder reached through a link, is compared where it really is.
 */
async function resolveExisting(path: string): Promise<string> {
  const absolute = resolve(path);
  let head = absolute;
  const tail: string[] = [];
  for (;;) {
    try {
      return resolve(await realpath(head), ...tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      tail.unshift(relative(parent, head));
      head = parent;
    }
  }
}

/** A misplaced file, one open to others or not a key file: a settings error (exit 2). */
function refusal(policy: PrivateFilePolicy, what: string): AuditArchiveError {
  return new AuditArchiveError('INVALID_SETTINGS', `${policy.what} ${what}.`);
}

function ioRefusal(policy: PrivateFilePolicy, what: string, cause: unknown): AuditArchiveError {
  return new AuditArchiveError('SECRET_STORE_UNAVAILABLE', `${policy.what} ${what}.`, { cause });
}
