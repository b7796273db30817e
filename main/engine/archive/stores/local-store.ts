/**
 * LocalFolderStore: the archive layout in a folder on disk (the embedded default and the demo).
 *
 * A local folder is NOT WORM storage unless it sits on WORM storage (e.g. a NetApp SnapLock share):
 * it records no lock (lock null, versionId null) and checkReady says so. What it does guarantee is
 * what a filesystem can: a file is created exclusively and never replaced, is made read-only and
 * fsynced, and appears under its key only once complete (written in `{root}/.staging/`, outside the
 * layout, then hard-linked into place; link() fails with EEXIST where rename() would replace), so a
 * crash leaves no half file and nothing but data under `audit-logs/`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type Dirent, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalisePrefix } from '../../../../shared/archive-layout';
import { AuditArchiveError } from '../../../../shared/errors';
import { LockFileLease } from './local-lease';
import type { LeaseMechanism } from '../writer-lease';
import type {
  ArchiveStore,
  ObjectLock,
  ObjectInfo,
  ObjectVersionEntry,
  PutObjectInput,
  PutObjectResult,
  RetentionPolicy,
  StoreReadiness,
} from '../archive-store';

export const LOCAL_NOT_WORM_WARNING =
  'A local folder is not WORM storage unless it sits on WORM storage (e.g. a NetApp SnapLock share)';

/** Where files are written before they are linked into the layout. */
export const STAGING_FOLDER = '.staging';

/** Age after which a temp file in staging is a crashed write's leftover. */
const STALE_STAGING_MS = 60 * 60 * 1000;

export interface LocalFolderStoreOptions {
  /** The folder that holds the archive (made absolute). */
  readonly root: string;
  readonly prefix?: string;
}

export class LocalFolderStore implements ArchiveStore {
  readonly kind = 'local' as const;
  readonly url: string;
  readonly prefix: string;
  readonly root: string;
  private requests = 0;

  constructor(options: LocalFolderStoreOptions) {
    this.root = path.resolve(options.root);
    this.prefix = normalisePrefix(options.prefix ?? '');
    const rootUrl = pathToFileURL(this.root).href;
    this.url = this.prefix ? `${rootUrl}/${this.prefix}` : rootUrl;
  }

  get requestCount(): number {
    return this.requests;
  }

  async checkReady(_policy: RetentionPolicy): Promise<StoreReadiness> {
    this.requests++;
    try {
      await fs.mkdir(this.stagingDir(), { recursive: true });
      // Prove we can create, sync and remove a file where parts are staged.
      const probe = path.join(this.stagingDir(), `probe-${randomUUID()}.tmp`);
      const handle = await fs.open(probe, 'wx', 0o600);
      await handle.sync();
      await handle.close();
      await fs.unlink(probe);
      await this.clearStaleStaging();
    } catch (e) {
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `The archive folder ${this.root} cannot be written (${errnoCode(e)}). Check that it exists and that this user may write to it.`,
        { cause: e },
      );
    }
    return { worm: false, defaultRetention: null, warnings: [LOCAL_NOT_WORM_WARNING] };
  }

  /** A folder has no locks to extend. */
  async extendRetention(_key: string, _versionId: string | null, _lock: ObjectLock): Promise<void> {}

  /** A lock file beside the layout (`{root}/{prefix}/.writer-lease`). */
  writerLease(): LeaseMechanism {
    return new LockFileLease(this.prefix ? path.join(this.root, ...this.prefix.split('/')) : this.root);
  }

  async putObject(input: PutObjectInput): Promise<PutObjectResult> {
    const target = this.pathOf(input.key);
    const actual = createHash('sha256').update(input.body).digest('hex');
    if (actual !== input.sha256) {
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `The bytes for ${input.key} do not match their SHA-256 (${input.sha256}); nothing was written. Run the export again.`,
      );
    }
    this.requests++;
    if (await exists(target)) throw objectExists(input.key);

    await fs.mkdir(this.stagingDir(), { recursive: true });
    const firstCreated = await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(this.stagingDir(), `${process.pid}-${randomUUID()}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(input.body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.chmod(temp, 0o444);
      try {
        await fs.link(temp, target);
      } catch (e) {
        if (errnoCode(e) === 'EEXIST') throw objectExists(input.key);
        throw e;
      }
      await syncDir(path.dirname(target));
      if (firstCreated) {
        // New folders (a new day) are entries in their parents: sync those too, up to the first one made.
        for (let dir = path.dirname(target); dir !== path.dirname(firstCreated); dir = path.dirname(dir)) {
          await syncDir(path.dirname(dir));
        }
      }
    } catch (e) {
      if (e instanceof AuditArchiveError) throw e;
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `Could not write ${input.key} under ${this.root} (${errnoCode(e)}). Check free space and permissions, then run the export again.`,
        { cause: e },
      );
    } finally {
      await fs.unlink(temp).catch(() => undefined);
    }
    return { key: input.key, versionId: null, size: input.body.length };
  }

  async headObject(key: string, versionId: string | null): Promise<ObjectInfo | null> {
    // A folder has no versions: a version id can only name something that is not here.
    if (versionId !== null) return null;
    this.requests++;
    try {
      const st = await fs.stat(this.pathOf(key));
      if (!st.isFile()) return null;
      return { key, versionId: null, size: st.size, lock: null, legalHold: false };
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return null;
      throw unreachable(this.root, e);
    }
  }

  async *getObject(key: string, versionId: string | null): AsyncIterable<Uint8Array> {
    const file = this.pathOf(key);
    if (versionId !== null) throw notFound(key);
    this.requests++;
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'EISDIR') throw notFound(key);
      throw unreachable(this.root, e);
    }
  }

  /**
   * Every file under `prefix` (one entry each: a folder has no versions and no delete markers).
   * Each folder read counts as one request, like one page of a cloud listing.
   */
  async *listVersions(prefix: string): AsyncIterable<ObjectVersionEntry> {
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    yield* this.walk(base, prefix);
  }

  private async *walk(relDir: string, prefix: string): AsyncGenerator<ObjectVersionEntry> {
    const dir = relDir ? path.join(this.root, ...relDir.split('/')) : this.root;
    let entries: Dirent[];
    this.requests++;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return;
      throw unreachable(this.root, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // Dot-files are never archive keys: staging, the writer lease and its takeover file live there.
      if (entry.name.startsWith('.')) continue;
      const key = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        // Descend only where keys under this folder can still match the prefix.
        if (key.startsWith(prefix) || prefix.startsWith(key + '/')) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        let st: Stats;
        try {
          st = await fs.stat(path.join(dir, entry.name));
        } catch (e) {
          if (errnoCode(e) === 'ENOENT') continue;
          throw unreachable(this.root, e);
        }
        yield {
          key,
          versionId: null,
          isDeleteMarker: false,
          isLatest: true,
          size: st.size,
          lastModified: st.mtime.toISOString(),
        };
      }
    }
  }

  /**
   * Removes temp files a crashed write left in staging (never under the layout). Only old ones: a
   * young one may belong to a write still running in another process.
   */
  private async clearStaleStaging(): Promise<void> {
    const cutoff = Date.now() - STALE_STAGING_MS;
    for (const name of await fs.readdir(this.stagingDir())) {
      if (!name.endsWith('.tmp')) continue;
      const file = path.join(this.stagingDir(), name);
      const st = await fs.stat(file).catch(() => null);
      if (st && st.mtimeMs < cutoff) await fs.unlink(file).catch(() => undefined);
    }
  }

  private stagingDir(): string {
    return path.join(this.root, STAGING_FOLDER);
  }

  /** The file for a key; a key that could escape the folder or touch staging is refused. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (
      !key ||
      key.includes('\\') ||
      key.includes('\0') ||
      segments.some((s) => s === '' || s === '.' || s === '..') ||
      segments[0] === STAGING_FOLDER
    ) {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `"${key}" is not a valid archive key (keys are relative paths like audit-logs/2026/11/27/events-0001.jsonl.gz).`,
      );
    }
    return path.join(this.root, ...segments);
  }
}

function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown error';
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}

/** Makes the new directory entry durable (a no-op where directories cannot be opened, e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function objectExists(key: string): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_OBJECT_EXISTS',
    `${key} already exists in the archive and is never replaced. Nothing was written; rerun the export, which continues with the next part number.`,
  );
}

function notFound(key: string): AuditArchiveError {
  return new AuditArchiveError(
    'NOT_FOUND',
    `${key} is missing from the archive folder. Run verify to see what else is missing.`,
  );
}

function unreachable(root: string, e: unknown): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_UNREACHABLE',
    `The archive folder ${root} cannot be read (${errnoCode(e)}). Check that it is mounted and readable.`,
    {
      cause: e,
    },
  );
}
