/**
 * Folders kept aside and put back: a test file builds an archive once (exports, signing, a
 * verify), keeps it, and gives each test the same archive again, instead of exporting it anew
 * before every test. Put back at the same paths (an archive and its state folder record their own
 * location: the head record and the manifest cache are keyed by the archive's URL), byte for byte,
 * with their modes (archived files are read-only) and times.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface FolderSnapshot {
  /** Replaces each folder with its kept copy (whatever a test did to it is gone). */
  restore(): Promise<void>;
  /** Removes the kept copies (the folders themselves are left as they are). */
  discard(): Promise<void>;
}

/** Keeps a copy of each folder as it is now. */
export async function snapshotFolders(folders: readonly string[]): Promise<FolderSnapshot> {
  const kept = await fs.mkdtemp(path.join(tmpdir(), 'aa-snapshot-'));
  const copies = folders.map((folder, i) => ({ folder, copy: path.join(kept, String(i)) }));
  for (const { folder, copy } of copies) await fs.cp(folder, copy, { recursive: true, preserveTimestamps: true });
  return {
    async restore() {
      for (const { folder, copy } of copies) {
        await fs.rm(folder, { recursive: true, force: true });
        await fs.cp(copy, folder, { recursive: true, preserveTimestamps: true });
      }
    },
    discard: () => fs.rm(kept, { recursive: true, force: true }),
  };
}
