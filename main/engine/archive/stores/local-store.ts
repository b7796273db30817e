/**
 * LocalFolderStore: the archive layout in a folder on disk (the embedded default and the demo).
 *
 * A local folder is NOT WORM storage unless it sits on WORM storage (e.g. a NetApp SnapLock share):
 * it records no lock (lock null, versionId null) and checkReady says so. What it does guarantee is
 * what a filesystem can: a file is created exclusively and never replaced, is made read-only and
 * fsynced, and appears under its key only once complete (written in `{root}/.staging/`, outside the
 * layout, then hard-linked into place; link() fails with EEXIST where rename() would replace), so a
 * crash leaves no half file and nothing but data under `audit-logs/`.
 *
 * It reads regular files only (main/engine/files/regular-file.ts): a named pipe, socket, device, symbolic link or dot
 * file under the archive is listed with what it is (`unreadable`, which verify names as an
 * unexpected object) and never opened, and no file is read through a linked folder, so verify,
 * status and export end in bounded time whatever is planted there. Its own bookkeeping (the
 * staging folder and the writer lease's files) is left out of listings while it is what the store
 * writes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalisePrefix } from '../../../../shared/archive-layout';
import { AuditArchiveError } from '../../../../shared/errors';
import { LEASE_FILE_NAME, LEASE_TAKEOVER_NAME, LockFileLease } from './local-lease';
import { heartbeatState, type LeaseMechanism } from '../writer-lease';
import { describeEntry, openRegularFile } from '../../files/regular-file';
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
const STAGING_FOLDER = '.staging';

/** Bytes per read of a stored object. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Age after which a temp file in staging is a crashed write's leftover. */
const STALE_STAGING_MS = 60 * 60 * 1000;

interface LocalFolderStoreOptions {
  /** The folder that holds the archive (made absolute). */
  readonly root: string;
  readonly prefix?: string;
  /**
   * How long a listing's synchronous calls may take before the rest goes through libuv's thread
   * pool (ListingReader; default SYNC_LISTING_BUDGET). Tests set both to 0 to walk that path.
   */
  readonly syncListingBudget?: SyncListingBudget;
}

export class LocalFolderStore implements ArchiveStore {
  readonly kind = 'local' as const;
  readonly url: string;
  readonly prefix: string;
  readonly root: string;
  private requests = 0;
  private readonly syncListingBudget: SyncListingBudget;

  constructor(options: LocalFolderStoreOptions) {
    this.root = path.resolve(options.root);
    this.prefix = normalisePrefix(options.prefix ?? '');
    const rootUrl = pathToFileURL(this.root).href;
    this.url = this.prefix ? `${rootUrl}/${this.prefix}` : rootUrl;
    this.syncListingBudget = options.syncListingBudget ?? SYNC_LISTING_BUDGET;
  }

  get requestCount(): number {
    return this.requests;
  }

  async checkReady(_policy: RetentionPolicy): Promise<StoreReadiness> {
    this.requests++;
    try {
      // Prove we can create, sync and remove a file where parts are staged (for a new archive, in
      // the folder that will hold it), leaving nothing behind: a command refused later has changed
      // nothing.
      const folder = await nearestExistingFolder(this.stagingDir());
      const probe = path.join(folder, `${folder === this.stagingDir() ? '' : '.'}probe-${randomUUID()}.tmp`);
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
    await this.refuseLinkedFolder(input.key, target);
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
    const file = this.pathOf(key);
    this.requests++;
    try {
      const st = await fs.lstat(file);
      if (!st.isFile() || !(await this.isInsideRoot(file))) return null;
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
    const { handle, stats } = await this.openForReading(key, file);
    try {
      // Plain reads, no stream: a manifest (a few KB) is one read, a part 256 KiB at a time.
      for (let position = 0; ;) {
        const want = Math.min(READ_CHUNK_BYTES, Math.max(stats.size - position, 0) + 1);
        const buffer = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (bytesRead > 0) yield buffer.subarray(0, bytesRead);
        position += bytesRead;
        if (bytesRead < want) break; // end of file
      }
    } catch (e) {
      throw unreachable(this.root, e);
    } finally {
      await handle.close();
    }
  }

  /** The file under `key`, open for reading, if it is a regular file reached through no link. */
  private async openForReading(key: string, file: string): Promise<{ handle: fs.FileHandle; stats: Stats }> {
    let opened: Awaited<ReturnType<typeof openRegularFile>>;
    try {
      await this.refuseLinkedFolder(key, file);
      opened = await openRegularFile(file);
    } catch (e) {
      if (e instanceof AuditArchiveError) throw e;
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw notFound(key);
      throw unreachable(this.root, e);
    }
    if (!opened.ok) throw notARegularFile(key, opened.what);
    return { handle: opened.handle, stats: opened.stats };
  }

  /** A key's folder must be the folder under the root its key names, not one reached through a link. */
  private async refuseLinkedFolder(key: string, file: string): Promise<void> {
    if (!(await this.isInsideRoot(file))) throw notARegularFile(key, 'reached through a symbolic link');
  }

  private async isInsideRoot(file: string): Promise<boolean> {
    const dir = path.dirname(file);
    const real = await fs.realpath(dir);
    return real === path.join(await this.realRoot(), path.relative(this.root, dir));
  }

  /** The root as the filesystem resolves it (the configured path may itself be a link: that is the user's choice). */
  private realRootPath: Promise<string> | null = null;
  private realRoot(): Promise<string> {
    this.realRootPath ??= fs.realpath(this.root).catch((e: unknown) => {
      this.realRootPath = null;
      throw e;
    });
    return this.realRootPath;
  }

  /**
   * Every file under `prefix` (one entry each: a folder has no versions and no delete markers), in
   * key order. Each folder read counts as one request, like one page of a cloud listing.
   */
  async *listVersions(prefix: string): AsyncIterable<ObjectVersionEntry> {
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    yield* await this.listFolder(new ListingReader(this.syncListingBudget), base, prefix);
  }

  /**
   * The files under one folder, in key order, read through `reader` (see ListingReader). Its
   * subfolders and its files' metadata are asked for together: when the reader goes through libuv's
   * thread pool, they are read concurrently (a seven-year archive holds thousands of day folders, and
   * one at a time would leave a slow disk idle between calls); the pool bounds how many are in flight.
   */
  private async listFolder(reader: ListingReader, relDir: string, prefix: string): Promise<ObjectVersionEntry[]> {
    const dir = relDir ? path.join(this.root, ...relDir.split('/')) : this.root;
    let entries: Dirent[];
    this.requests++;
    try {
      entries = await reader.readdir(dir);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
      throw unreachable(this.root, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const listed = await Promise.all(entries.map((entry) => this.listEntry(reader, relDir, dir, entry, prefix)));
    return listed.flat();
  }

  /** One folder entry: a folder descended into where keys under it can still match the prefix, or a file. */
  private async listEntry(
    reader: ListingReader,
    relDir: string,
    dir: string,
    entry: Dirent,
    prefix: string,
  ): Promise<ObjectVersionEntry[]> {
    const key = relDir ? `${relDir}/${entry.name}` : entry.name;
    const hidden = entry.name.startsWith('.');
    if (entry.isDirectory() && !hidden) {
      return key.startsWith(prefix) || prefix.startsWith(key + '/') ? this.listFolder(reader, key, prefix) : [];
    }
    if (!key.startsWith(prefix)) return [];
    let st: Stats;
    try {
      st = await reader.lstat(dir + path.sep + entry.name); // dir is already resolved: no join per file
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return [];
      throw unreachable(this.root, e);
    }
    const own = this.ownBookkeeping(relDir, entry.name, st);
    if (own === 'skip') return [];
    const unreadable = st.isFile() && !hidden ? undefined : (own ?? describeListed(st, hidden));
    return [
      {
        key,
        versionId: null,
        isDeleteMarker: false,
        isLatest: true,
        size: st.size,
        lastModified: st.mtime.toISOString(),
        ...(unreadable ? { unreadable } : {}),
      },
    ];
  }

  /**
   * The staging folder and the writer lease's files are skipped while they are what this store
   * writes: a folder, and regular files. A lease file whose heartbeat lies in the future is no
   * claim (writer-lease.ts): it is listed, saying so, for verify to name.
   */
  private ownBookkeeping(relDir: string, name: string, st: Stats): 'skip' | string | null {
    if (relDir === '' && name === STAGING_FOLDER) return st.isDirectory() ? 'skip' : null;
    if (relDir !== this.prefix || (name !== LEASE_FILE_NAME && name !== LEASE_TAKEOVER_NAME) || !st.isFile())
      return null;
    if (heartbeatState(st.mtimeMs, Infinity, Date.now()) !== 'future') return 'skip';
    return `the writer lease's file, its heartbeat dated in the future (${st.mtime.toISOString()}): no claim, and the next writer replaces it`;
  }

  /**
   * Removes temp files a crashed write left in staging (never under the layout). Only old ones: a
   * young one may belong to a write still running in another process.
   */
  private async clearStaleStaging(): Promise<void> {
    const cutoff = Date.now() - STALE_STAGING_MS;
    let names: string[];
    try {
      names = await fs.readdir(this.stagingDir());
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return; // nothing staged yet: made by the first write
      throw e;
    }
    for (const name of names) {
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

/** The main thread's time a listing may take at once, synchronously, before it lets the event loop run. */
const LISTING_SLICE_MS = 10;

interface SyncListingBudget {
  /** What a synchronous call may take on average (ms). */
  readonly perCallMs: number;
  /** Time to spare beyond that (ms): one call held up by the scheduler is not a slow disk. */
  readonly spareMs: number;
}

/**
 * Cached metadata on a local disk answers in microseconds; a network share's round trip or a cold
 * disk's seek takes a quarter of a millisecond and more, where calls that overlap finish sooner.
 */
const SYNC_LISTING_BUDGET: SyncListingBudget = { perCallMs: 0.25, spareMs: 10 };

/**
 * How one listing reads folders and files' metadata. A call through libuv's thread pool and a
 * promise costs Node's main thread several times what the system call itself costs when the
 * metadata is in the kernel's cache (a local disk, read recently): a year's archive, some 800
 * folders and 800 files, took 79-92 ms that way against 33-43 ms synchronously (Node 24, 2 cores).
 * So the reader calls synchronously while the calls stay within the budget, letting the event loop
 * run every LISTING_SLICE_MS (the app's main process stays responsive); past it (a network share,
 * a cold disk) it goes through the thread pool for the rest of the listing, where calls overlap.
 * The entries and errors are the same either way.
 */
class ListingReader {
  private sync = true;
  private calls = 0;
  private spent = 0;
  private sliceStarted = performance.now();

  constructor(private readonly budget: SyncListingBudget) {}

  readdir(dir: string): Promise<Dirent[]> {
    return this.sync
      ? this.timed(() => readdirSync(dir, { withFileTypes: true }))
      : fs.readdir(dir, { withFileTypes: true });
  }

  lstat(file: string): Promise<Stats> {
    return this.sync ? this.timed(() => lstatSync(file)) : fs.lstat(file);
  }

  private async timed<T>(call: () => T): Promise<T> {
    if (performance.now() - this.sliceStarted > LISTING_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.sliceStarted = performance.now();
    }
    const started = performance.now();
    try {
      return call();
    } finally {
      this.calls++;
      this.spent += performance.now() - started;
      if (this.spent >= this.calls * this.budget.perCallMs + this.budget.spareMs) this.sync = false;
    }
  }
}

function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown error';
}

/** `folder` if it exists, else its nearest ancestor that does (ENOTDIR when that is not a folder). */
async function nearestExistingFolder(folder: string): Promise<string> {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    let st: Stats;
    try {
      st = await fs.stat(dir);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT' || path.dirname(dir) === dir) throw e;
      continue;
    }
    if (st.isDirectory()) return dir;
    throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
  }
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

/** What the listing says of an entry it never reads. */
function describeListed(st: Stats, hidden: boolean): string {
  if (st.isFile()) return 'a hidden (dot) file';
  if (st.isDirectory()) return 'a hidden (dot) folder';
  const what = describeEntry(st);
  return hidden ? `${what}, hidden (dot)` : what;
}

/** An entry that is no object: a reader is told it is not there (NOT_FOUND), and what it is. */
function notARegularFile(key: string, what: string): AuditArchiveError {
  return new AuditArchiveError(
    'NOT_FOUND',
    `${key} is ${what}, not a file the archive wrote: it was not read. Run verify to see what else is under the archive folder.`,
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
