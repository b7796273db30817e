/**
 * The writer lease on a local folder: a lock file created exclusively (`O_EXCL`, which also holds
 * on NFSv3+ and SMB shares), its modification time as the heartbeat.
 *
 * A holder that died leaves its file behind: it is stale once its heartbeat is older than its TTL,
 * or at once when its process is gone on this same host. A file whose heartbeat lies in the future
 * beyond the clock-skew allowance, or that cannot be read as a file (a named pipe, a link, a
 * folder, no permission), is no claim at all (writer-lease.ts): it is replaced like a stale one,
 * and it is never opened in a way that could block. Taking over is itself done under a short-lived
 * exclusive `takeover` file, so two waiting writers never both remove the file and both create a
 * new one.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as z from 'zod';
import { AuditArchiveError } from '../../../../shared/errors';
import {
  heartbeatState,
  LeaseHolderSchema,
  type LeaseClaim,
  type LeaseHolder,
  type LeaseMechanism,
} from '../writer-lease';
import { readRegularFile } from '../../files/regular-file';

/** The lock file's name in the archive folder (a dot file: never an archive key). */
export const LEASE_FILE_NAME = '.writer-lease';
export const LEASE_TAKEOVER_NAME = '.writer-lease.takeover';

const LockFileSchema = z.object({ holder: LeaseHolderSchema, ttlMs: z.number().int().positive() });
/** A lock file that says nothing readable is judged by this TTL. */
const FALLBACK_TTL_MS = 5 * 60_000;
/** No claim may keep others out longer than this without a heartbeat, whatever it says. */
const MAX_TTL_MS = 60 * 60_000;
const TAKEOVER_STALE_MS = 30_000;
/** A lock file is a few hundred bytes; anything larger is not one. */
const MAX_LOCK_FILE_BYTES = 4096;

type LockFileState =
  | { readonly kind: 'claim'; holder: LeaseHolder | null; ttlMs: number; mtimeMs: number; text: string }
  /** Not a claim: not a regular file, unreadable, or too large. `what` says which. */
  | { readonly kind: 'unusable'; what: string };

export class LockFileLease implements LeaseMechanism {
  private readonly file: string;
  private readonly takeover: string;

  constructor(folder: string) {
    this.file = path.join(folder, LEASE_FILE_NAME);
    this.takeover = path.join(folder, LEASE_TAKEOVER_NAME);
  }

  async claim(holder: LeaseHolder, ttlMs: number): Promise<LeaseClaim> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.create(holder, ttlMs)) return { mine: true, holder };
      const current = await this.read();
      if (!current) continue; // released meanwhile: try again
      if (current.kind === 'claim' && current.holder?.id === holder.id) {
        const now = new Date();
        await fs.utimes(this.file, now, now).catch(() => undefined);
        return { mine: true, holder };
      }
      if (current.kind === 'claim' && !(await this.isStale(current))) return { mine: false, holder: current.holder };
      await this.takeOver(current);
    }
    const current = await this.read();
    return { mine: false, holder: current?.kind === 'claim' ? current.holder : null };
  }

  async release(holder: LeaseHolder): Promise<void> {
    const current = await this.read();
    if (current?.kind === 'claim' && current.holder?.id === holder.id)
      await fs.unlink(this.file).catch(() => undefined);
  }

  /** True when the file was created for `holder`. */
  private async create(holder: LeaseHolder, ttlMs: number): Promise<boolean> {
    await fs.mkdir(path.dirname(this.file), { recursive: true }).catch(() => undefined);
    let handle;
    try {
      handle = await fs.open(this.file, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw unreachable(this.file, e);
    }
    try {
      await handle.writeFile(JSON.stringify({ holder, ttlMs }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  }

  private async read(): Promise<LockFileState | null> {
    let read: Awaited<ReturnType<typeof readRegularFile>>;
    try {
      read = await readRegularFile(this.file, MAX_LOCK_FILE_BYTES);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'unusable', what: 'a file this user may not read' };
      throw unreachable(this.file, e);
    }
    if (!read.ok) return { kind: 'unusable', what: read.what };
    let parsed: z.infer<typeof LockFileSchema> | null = null;
    try {
      const r = LockFileSchema.safeParse(JSON.parse(read.text));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null; // junk, or a holder still writing it (or killed while writing): judged by its age alone
    }
    return {
      kind: 'claim',
      holder: parsed?.holder ?? null,
      ttlMs: Math.min(parsed?.ttlMs ?? FALLBACK_TTL_MS, MAX_TTL_MS),
      mtimeMs: read.stats.mtimeMs,
      text: read.text,
    };
  }

  private async isStale(current: { holder: LeaseHolder | null; ttlMs: number; mtimeMs: number }): Promise<boolean> {
    if (heartbeatState(current.mtimeMs, current.ttlMs, Date.now()) !== 'live') return true;
    // The same machine can tell at once that the holder's process is gone.
    if (current.holder && current.holder.host === hostname() && current.holder.pid !== process.pid) {
      try {
        process.kill(current.holder.pid, 0);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return false;
  }

  /** Removes a stale or unusable lock file, unless someone else replaced it meanwhile. */
  private async takeOver(stale: LockFileState): Promise<void> {
    let handle;
    try {
      handle = await fs.open(this.takeover, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw unreachable(this.takeover, e);
      // Another writer is taking over; a takeover file left by one that died (or planted with a
      // date in the future, or not a file at all) is cleared after a while.
      const st = await fs.lstat(this.takeover).catch(() => null);
      if (st && (!st.isFile() || heartbeatState(st.mtimeMs, TAKEOVER_STALE_MS, Date.now()) !== 'live'))
        await fs.unlink(this.takeover).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      return;
    }
    try {
      await handle.writeFile(randomUUID());
      await handle.close();
      const again = await this.read();
      if (!again) return;
      const same =
        stale.kind === 'claim'
          ? again.kind === 'claim' && again.text === stale.text && again.mtimeMs === stale.mtimeMs
          : again.kind === 'unusable';
      if (same) await this.remove();
    } finally {
      await fs.unlink(this.takeover).catch(() => undefined);
    }
  }

  /** Removes the lock file; a folder in its place cannot be, and is said. */
  private async remove(): Promise<void> {
    try {
      await fs.unlink(this.file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `The writer lease ${this.file} is not a lock file and cannot be removed (${code ?? 'error'}). Nothing was written: remove it by hand (no writer uses it), then run again.`,
        { cause: e },
      );
    }
  }
}

function unreachable(file: string, e: unknown): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_UNREACHABLE',
    `The writer lease ${file} cannot be used (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check that the archive folder is mounted and writable.`,
    { cause: e },
  );
}
