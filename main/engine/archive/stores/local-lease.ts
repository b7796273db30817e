/**
 * The writer lease on a local folder: a lock file created exclusively (`O_EXCL`, which also holds
 * on NFSv3+ and SMB shares), its modification time as the heartbeat.
 *
 * A holder that died leaves its file behind: it is stale once its heartbeat is older than its TTL,
 * or at once when its process is gone on this same host. Taking over a stale file is itself done
 * under a short-lived exclusive `takeover` file, so two waiting writers never both remove the
 * file and both create a new one.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { AuditArchiveError } from '../../../../shared/errors';
import { LeaseHolderSchema, type LeaseClaim, type LeaseHolder, type LeaseMechanism } from '../writer-lease';
import { z } from 'zod';

const LockFileSchema = z.object({ holder: LeaseHolderSchema, ttlMs: z.number().int().positive() });
/** A lock file that says nothing readable is judged by this TTL. */
const FALLBACK_TTL_MS = 5 * 60_000;
/** No claim may keep others out longer than this without a heartbeat, whatever it says. */
const MAX_TTL_MS = 60 * 60_000;
const TAKEOVER_STALE_MS = 30_000;

export class LockFileLease implements LeaseMechanism {
  private readonly file: string;
  private readonly takeover: string;

  constructor(folder: string) {
    this.file = path.join(folder, '.writer-lease');
    this.takeover = path.join(folder, '.writer-lease.takeover');
  }

  async claim(holder: LeaseHolder, ttlMs: number): Promise<LeaseClaim> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.create(holder, ttlMs)) return { mine: true, holder };
      const current = await this.read();
      if (!current) continue; // released meanwhile: try again
      if (current.holder?.id === holder.id) {
        const now = new Date();
        await fs.utimes(this.file, now, now).catch(() => undefined);
        return { mine: true, holder };
      }
      if (!(await this.isStale(current))) return { mine: false, holder: current.holder };
      await this.takeOver(current);
    }
    const current = await this.read();
    return { mine: false, holder: current?.holder ?? null };
  }

  async release(holder: LeaseHolder): Promise<void> {
    const current = await this.read();
    if (current?.holder?.id === holder.id) await fs.unlink(this.file).catch(() => undefined);
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

  private async read(): Promise<{ holder: LeaseHolder | null; ttlMs: number; mtimeMs: number; text: string } | null> {
    let text: string;
    let mtimeMs: number;
    try {
      const [content, st] = await Promise.all([fs.readFile(this.file, 'utf8'), fs.stat(this.file)]);
      text = content;
      mtimeMs = st.mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw unreachable(this.file, e);
    }
    let parsed: z.infer<typeof LockFileSchema> | null = null;
    try {
      const r = LockFileSchema.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null; // junk, or a holder killed while writing it: judged by its age alone
    }
    return {
      holder: parsed?.holder ?? null,
      ttlMs: Math.min(parsed?.ttlMs ?? FALLBACK_TTL_MS, MAX_TTL_MS),
      mtimeMs,
      text,
    };
  }

  private async isStale(current: { holder: LeaseHolder | null; ttlMs: number; mtimeMs: number }): Promise<boolean> {
    if (Date.now() - current.mtimeMs > current.ttlMs) return true;
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

  /** Removes a stale lock file, unless someone else replaced it meanwhile. */
  private async takeOver(stale: { text: string; mtimeMs: number }): Promise<void> {
    let handle;
    try {
      handle = await fs.open(this.takeover, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw unreachable(this.takeover, e);
      // Another writer is taking over; a takeover file left by one that died is cleared after a while.
      const st = await fs.stat(this.takeover).catch(() => null);
      if (st && Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) await fs.unlink(this.takeover).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      return;
    }
    try {
      await handle.writeFile(randomUUID());
      await handle.close();
      const again = await this.read();
      if (again && again.text === stale.text && again.mtimeMs === stale.mtimeMs)
        await fs.unlink(this.file).catch(() => undefined);
    } finally {
      await fs.unlink(this.takeover).catch(() => undefined);
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
