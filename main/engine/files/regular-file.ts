/**
 * Opening a file only when it is a regular file, reached without a symbolic link at its own name:
 * every file the engine reads from a folder others can write to (a local archive, the state folder,
 * the app's settings and reports folders, the discovery cache).
 *
 * Anyone who can write into the folder can plant a named pipe (FIFO), a socket, a device node or a
 * symbolic link where a manifest, a part, the writer lease or a record is expected. A plain `open` of
 * a FIFO blocks until someone writes to it (verify hung for ten minutes and SIGTERM did not stop it);
 * a device may do anything when opened; a link reads bytes from elsewhere. So the entry is looked at
 * first (`lstat`, which follows no link) and never opened unless it is a regular file; then it is
 * opened with O_NOFOLLOW | O_NONBLOCK (a FIFO swapped in meanwhile opens at once instead of
 * blocking, and a link swapped in is refused) and checked again on the open descriptor, which must
 * be the very file that was looked at.
 *
 * `followLinks` is for a file the user may keep elsewhere on purpose (the app's settings file): a link
 * is followed, but what it reaches must still be a regular file, checked the same way.
 */
import { constants, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';

type RegularFileOpen =
  | { readonly ok: true; readonly handle: fs.FileHandle; readonly stats: Stats }
  /** `what` says what the entry is instead ("a named pipe (FIFO)"), for messages. */
  | { readonly ok: false; readonly what: string };

/** O_NOFOLLOW and O_NONBLOCK where the platform has them (Windows has neither, and no FIFOs in folders). */
const SAFE_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const FOLLOWING_READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

interface FollowLinks {
  /** Follow a symbolic link at the file's own name (what it reaches must be a regular file). */
  readonly followLinks?: boolean;
}

/**
 * Opens `file` for reading if it is a regular file; otherwise says what it is. Errors of the
 * filesystem (ENOENT, EACCES, …) are thrown as they are, for the caller to word.
 */
export async function openRegularFile(file: string, options: FollowLinks = {}): Promise<RegularFileOpen> {
  const before = options.followLinks ? await fs.stat(file) : await fs.lstat(file);
  if (!before.isFile()) return { ok: false, what: describeEntry(before) };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, options.followLinks ? FOLLOWING_READ_FLAGS : SAFE_READ_FLAGS);
  } catch (e) {
    // ELOOP: O_NOFOLLOW met a link swapped in after the lstat; ENXIO: a socket.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, what: 'a symbolic link' };
    if (code === 'ENXIO') return { ok: false, what: 'a socket' };
    throw e;
  }
  const stats = await handle.stat().catch(async (e: unknown) => {
    await handle.close();
    throw e;
  });
  if (!stats.isFile() || stats.ino !== before.ino || stats.dev !== before.dev) {
    await handle.close();
    return { ok: false, what: stats.isFile() ? 'a file swapped while it was opened' : describeEntry(stats) };
  }
  return { ok: true, handle, stats };
}

/** Reads a small regular file whole (a lease record, a head record); null with what it is otherwise. */
export async function readRegularFile(
  file: string,
  maxBytes: number,
  options: FollowLinks = {},
): Promise<{ ok: true; text: string; stats: Stats } | { ok: false; what: string }> {
  const opened = await openRegularFile(file, options);
  if (!opened.ok) return opened;
  try {
    if (opened.stats.size > maxBytes) return { ok: false, what: `a file of ${opened.stats.size} bytes (too large)` };
    const buffer = Buffer.alloc(Math.min(opened.stats.size, maxBytes));
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
    return { ok: true, text: buffer.subarray(0, bytesRead).toString('utf8'), stats: opened.stats };
  } finally {
    await opened.handle.close();
  }
}

/** What a directory entry is, in words, from `lstat` (never following a link). */
export function describeEntry(
  st: Pick<
    Stats,
    'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'
  >,
): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isDirectory()) return 'a folder';
  if (st.isFile()) return 'a file';
  return 'an entry of unknown type';
}
