/**
 * CacheSeal: how this installation trusts, at each use, what it derived from the archive and keeps
 * in folders someone else may hold: the manifest catalogue (state folder) and the discovery cache's
 * columnar months (cache folder). Derived data is never evidence, so every use checks it against a
 * seal: HMAC-SHA256 under a secret that is never in those folders (the OS keychain for the app; for
 * the CLI a 0600 key file outside the state folder). Whoever holds the folders can delete or damage
 * derived files, which is noticed and rebuilt from the archive; they cannot make a changed file pass.
 *
 * The secret comes from a CacheSealKey the composition root supplies (app-runtime: the keychain;
 * the CLI: a key file). When none can be read, the seal lives only as long as the process: nothing
 * an earlier run derived is trusted, so manifests are checked again one by one against the
 * archive's key and columnar months are rebuilt (slower, never wrong), and a warning says why.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAuditArchiveError } from '../../../shared/errors';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import { readRegularFile } from '../files/regular-file';

/** Where the seal's secret is kept. */
export interface CacheSealKey {
  /** For messages: "the OS keychain", "/etc/audit-archive/cache-seal.key". */
  readonly description: string;
  /** The secret (32 random bytes), created and kept on first use. Throws when it cannot be read or kept. */
  secret(): Promise<Uint8Array>;
}

const SECRET_BYTES = 32;

export class CacheSeal {
  private constructor(
    private readonly key: Buffer,
    /** True when the secret outlives this process (an earlier run's seals can be checked). */
    readonly kept: boolean,
    /** Names the secret without revealing it: which key a seal was made with. */
    readonly keyId: string,
  ) {}

  /**
   * The seal for this process. A key that cannot be read becomes a key of this process only, and
   * `onWarning` says so (what derived data costs then, and where the key was looked for).
   */
  static async open(source: CacheSealKey | null | undefined, onWarning: (m: string) => void): Promise<CacheSeal> {
    if (source) {
      try {
        const secret = Buffer.from(await source.secret());
        if (secret.length >= SECRET_BYTES) return new CacheSeal(secret, true, keyIdOf(secret));
        onWarning(`The cache seal key in ${source.description} is too short; ${WITHOUT_KEPT_KEY}`);
      } catch (e) {
        onWarning(`The cache seal key cannot be read from ${source.description} (${reason(e)}); ${WITHOUT_KEPT_KEY}`);
      }
    }
    return CacheSeal.forThisProcess();
  }

  /** A seal whose key dies with the process: nothing derived earlier is trusted. */
  static forThisProcess(): CacheSeal {
    const secret = randomBytes(SECRET_BYTES);
    return new CacheSeal(secret, false, keyIdOf(secret));
  }

  /** HMAC-SHA256 (hex) of `parts` for `purpose` (each part length-prefixed, so parts cannot shift). */
  mac(purpose: string, ...parts: ReadonlyArray<string | Uint8Array>): string {
    const h = createHmac('sha256', this.key);
    for (const part of [purpose, ...parts]) {
      // A long text (the manifest cache, megabytes) is hashed as it is, never copied first.
      const length = Buffer.alloc(8);
      length.writeBigUInt64BE(BigInt(typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.length));
      h.update(length);
      if (typeof part === 'string') h.update(part, 'utf8');
      else h.update(part);
    }
    return h.digest('hex');
  }

  /** Whether `mac` is this key's seal of `parts` (compared in constant time). */
  matches(mac: string, purpose: string, ...parts: ReadonlyArray<string | Uint8Array>): boolean {
    const expected = Buffer.from(this.mac(purpose, ...parts), 'hex');
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

const WITHOUT_KEPT_KEY =
  'derived data from earlier runs cannot be checked, so this run checks every cached manifest against the archive key again and rebuilds the discovery months it reads (slower, never less sure).';

function keyIdOf(secret: Buffer): string {
  return createHmac('sha256', secret).update('audit-archive cache seal key id').digest('hex').slice(0, 16);
}

function reason(e: unknown): string {
  if (isAuditArchiveError(e)) return e.code;
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message ?? 'error';
}

/** Keychain account of the app's cache seal key. */
export const CACHE_SEAL_ACCOUNT = SECRET_ACCOUNTS.cacheSealKey;

/** The secret in the OS keychain (the app), created there on first use. */
export function keychainCacheSealKey(secrets: SecretStore): CacheSealKey {
  let secret: Promise<Uint8Array> | null = null;
  return {
    description: 'the OS keychain',
    secret: () => {
      secret ??= (async () => {
        const kept = await secrets.get(CACHE_SEAL_ACCOUNT);
        if (kept) return Buffer.from(kept, 'base64');
        const made = randomBytes(SECRET_BYTES);
        await secrets.set(CACHE_SEAL_ACCOUNT, made.toString('base64'));
        // Another process may have made one meanwhile: the keychain's copy is the one.
        return Buffer.from((await secrets.get(CACHE_SEAL_ACCOUNT)) ?? made.toString('base64'), 'base64');
      })();
      secret.catch(() => (secret = null));
      return secret;
    },
  };
}

/**
 * The secret in a key file (the CLI, headless), created on first use with mode 0600 in a 0700
 * folder. A file other users may read or write is refused: its secret could be known.
 */
export function fileCacheSealKey(file: string): CacheSealKey {
  let secret: Promise<Uint8Array> | null = null;
  return {
    description: file,
    secret: () => {
      secret ??= readOrCreateKeyFile(file);
      secret.catch(() => (secret = null));
      return secret;
    },
  };
}

async function readOrCreateKeyFile(file: string): Promise<Uint8Array> {
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(SECRET_BYTES).toString('base64')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      return readOrCreateKeyFile(file);
    }
    if (code !== 'EEXIST') throw e;
  }
  const info = await stat(file);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new Error(
      `the file may be read or written by other users (mode ${(info.mode & 0o777).toString(8)}; chmod 600 it)`,
    );
  }
  // Only a regular file is read: a named pipe in its place would hold every query until written to.
  const read = await readRegularFile(file, MAX_KEY_FILE_BYTES);
  if (!read.ok) throw new Error(`it is ${read.what}, not a file`);
  return Buffer.from(read.text.trim(), 'base64');
}

/** The key file holds one line of base64; anything much larger is not one this installation wrote. */
const MAX_KEY_FILE_BYTES = 4096;

/**
 * The CLI's key file: AUDIT_ARCHIVE_CACHE_KEY_FILE, else `$XDG_CONFIG_HOME/audit-archive/cache-seal.key`
 * (`~/.config/…`), a folder apart from the state folder. Null without a home to put it in.
 */
export function cliCacheSealKeyFile(env: NodeJS.ProcessEnv): string | null {
  if (env.AUDIT_ARCHIVE_CACHE_KEY_FILE) return env.AUDIT_ARCHIVE_CACHE_KEY_FILE;
  const config = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : '');
  return config ? `${config}/audit-archive/cache-seal.key` : null;
}
