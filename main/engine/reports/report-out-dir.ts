/**
 * Where a report is written (`--out DIR`, the app's reports folder), checked before anything is
 * made: the folder exists and is a folder we can write, or only its last part is missing and its
 * parent is such a folder. It is then made with one plain mkdir, never a recursive one: Node's
 * recursive mkdir can spin forever on a path the kernel answers oddly (`/proc/x` answers ENOENT
 * whatever is created above it), and a refused report must leave no folder behind.
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { AuditArchiveError } from '../../../shared/errors';

interface ReportOutDir {
  readonly dir: string;
  /** False when the folder does not exist yet: `makeReportOutDir` makes it (one level). */
  readonly exists: boolean;
}

function refuse(dir: string, why: string): AuditArchiveError {
  return new AuditArchiveError(
    'INVALID_ARGUMENT',
    `Cannot write a report into ${dir}: ${why}. Give a folder you can write to (or a new folder inside one).`,
  );
}

async function writableFolder(dir: string, what: string, reportDir: string): Promise<boolean> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw refuse(reportDir, `${what} cannot be read (${code ?? 'error'})`);
  }
  if (!stat.isDirectory()) throw refuse(reportDir, `${what} is not a folder`);
  try {
    await fs.access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(reportDir, `${what} is not writable`);
  }
  return true;
}

/** Checks `dir` (absolute) without creating anything. */
export async function checkReportOutDir(dir: string): Promise<ReportOutDir> {
  if (!path.isAbsolute(dir)) throw refuse(dir, 'the path is not absolute');
  if (await writableFolder(dir, 'it', dir)) return { dir, exists: true };
  const parent = path.dirname(dir);
  if (parent === dir || !(await writableFolder(parent, `its parent ${parent}`, dir)))
    throw refuse(dir, `its parent folder ${parent} does not exist (only the last folder of the path is created)`);
  return { dir, exists: false };
}

/** Makes the folder `checkReportOutDir` found missing (one level); returns whether it made it. */
export async function makeReportOutDir(out: ReportOutDir): Promise<boolean> {
  if (out.exists) return false;
  try {
    await fs.mkdir(out.dir);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await writableFolder(out.dir, 'it', out.dir))) return false;
    throw refuse(out.dir, `it cannot be created (${code ?? 'error'})`);
  }
}

/** Removes a folder this run made, only when it is empty (never what someone else put there). */
export async function removeReportOutDir(dir: string): Promise<void> {
  await fs.rmdir(dir).catch(() => undefined);
}
