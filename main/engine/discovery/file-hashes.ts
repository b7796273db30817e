/**
 * hashFiles: the SHA-256 and size of local files, as the discovery cache checks its months at every
 * use. Streamed (a month's file is never held in memory whole); a large batch is spread over worker
 * threads, one per core asked for, so checking seven years of cache (about 800 MB) takes the cores
 * the query would otherwise leave idle before it starts, not one core's time. A small batch (a year
 * of months) is hashed on this thread, with synchronous reads: starting workers would cost more than
 * it saves, and so would reads through libuv's thread pool, whose promise per read costs this thread
 * more than the hashing (the demo year's 14 months, 3.9 MB: 23-45 ms that way, 5-9 ms read
 * synchronously, Node 24). The cache is a local folder; the event loop runs between files and every
 * YIELD_BYTES within one.
 *
 * Every file is read only if it is a regular file (main/engine/files/regular-file.ts):
 * whoever can write the state folder could put a named pipe where a month was, and reading one waits
 * for a writer that never comes (a query that SIGTERM did not stop). Such a file is NOT_REGULAR_FILE.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { openRegularFile } from '../files/regular-file';

interface FileHash {
  readonly sha256: string;
  readonly size: number;
  /** Not a regular file (sha256 empty, size -1): never read, and never what a seal names. */
  readonly notRegularFile?: true;
}

/** The code of the error a hash of a named pipe, a socket or a device fails with. */
export const NOT_REGULAR_FILE = 'ENOTREGULARFILE';

/** `file` opened for reading if it is a regular file; NOT_REGULAR_FILE, saying what it is, otherwise. */
async function openForHash(file: string) {
  const opened = await openRegularFile(file);
  if (!opened.ok)
    throw Object.assign(new Error(`${file} is not a regular file: ${opened.what}`), { code: NOT_REGULAR_FILE });
  return opened.handle;
}

/** Bytes read at a time. */
const CHUNK_BYTES = 1024 * 1024;

/** Bytes read synchronously, within one file, before the event loop may run. */
const YIELD_BYTES = 16 * CHUNK_BYTES;

/** Below this many bytes in all, the batch is hashed on this thread. */
const WORKER_THRESHOLD_BYTES = 64 * 1024 * 1024;

/** What a worker runs: hash each file it is sent, streamed, and answer with its digest and size. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { open } = require('node:fs/promises');
const { constants } = require('node:fs');
const buffer = Buffer.allocUnsafe(${1024 * 1024});
parentPort.on('message', async ({ index, file }) => {
  let handle;
  try {
    const hash = createHash('sha256');
    let size = 0;
    // As main/engine/files/regular-file.ts: a named pipe opens at once, a link is refused.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e) => {
      throw e && (e.code === 'ELOOP' || e.code === 'ENXIO') ? { code: '${NOT_REGULAR_FILE}' } : e;
    });
    if (!(await handle.stat()).isFile()) throw { code: '${NOT_REGULAR_FILE}' };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    parentPort.postMessage({ index, sha256: hash.digest('hex'), size });
  } catch (e) {
    parentPort.postMessage({ index, error: (e && e.code) || String(e) });
  } finally {
    if (handle) await handle.close();
  }
});
`;

/** SHA-256 and size of one file, read into one reused buffer on this thread (no garbage per chunk). */
export async function hashFile(file: string): Promise<FileHash> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  const handle = await openForHash(file);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * SHA-256 and size of one file, opened as a regular file, then read synchronously into `buffer`
 * (reused from file to file).
 */
async function hashFileOnThisThread(file: string, buffer: Buffer): Promise<FileHash> {
  const hash = createHash('sha256');
  let size = 0;
  let sinceYield = 0;
  const handle = await openForHash(file);
  try {
    for (;;) {
      const bytesRead = readSync(handle.fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      sinceYield += bytesRead;
      if (sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Each file's hash, in order; null for a file that does not exist, and `notRegularFile` for a named
 * pipe, a socket or a device in its place. `expectedBytes` (the sizes the caller expects) decides
 * whether workers are worth starting.
 */
export async function hashFiles(
  files: readonly string[],
  options: { threads: number; expectedBytes: number; signal?: AbortSignal; onHashed?: () => void },
): Promise<Array<FileHash | null>> {
  const missing = (e: unknown): FileHash | null => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e === 'ENOENT') return null;
    if ((e as NodeJS.ErrnoException).code === NOT_REGULAR_FILE || e === NOT_REGULAR_FILE)
      return { sha256: '', size: -1, notRegularFile: true };
    throw e instanceof Error ? e : new Error(`a cached file could not be read (${String(e)})`);
  };
  const threads = Math.min(Math.max(1, options.threads), files.length);
  if (threads >= 2 && options.expectedBytes >= WORKER_THRESHOLD_BYTES)
    return hashOnWorkers(files, threads, options, missing);
  const out: Array<FileHash | null> = [];
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (const [i, file] of files.entries()) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    let hashed: FileHash | null;
    try {
      hashed = await hashFileOnThisThread(file, buffer);
    } catch (e) {
      hashed = missing(e);
    }
    out.push(hashed);
    options.onHashed?.();
  }
  return out;
}

async function hashOnWorkers(
  files: readonly string[],
  threads: number,
  options: { signal?: AbortSignal; onHashed?: () => void },
  missing: (e: unknown) => FileHash | null,
): Promise<Array<FileHash | null>> {
  const out: Array<FileHash | null> = new Array(files.length).fill(null);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (options.signal?.aborted) return reject(options.signal.reason);
              if (next >= files.length) return resolve();
              const index = next++;
              worker.postMessage({ index, file: files[index] });
            };
            worker.on('message', (m: { index: number; sha256?: string; size?: number; error?: string }) => {
              try {
                out[m.index] = m.error ? missing(m.error) : { sha256: m.sha256 as string, size: m.size as number };
              } catch (e) {
                return reject(e);
              }
              options.onHashed?.();
              send();
            });
            worker.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
