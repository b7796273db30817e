/**
 * Reading monthly checkpoints (checkpoints.ts): every one at its original version (verify), or, for
 * a calendar a new installation opens, the newest one of each month that counts. Only one list
 * request's worth of keys and one read per month: seven years are about 85 reads instead of 2,557.
 * A checkpoint that does not count is stepped over (the next older one of its month is tried) and
 * never used; verify names it.
 */
import { checkpointFolder, parseKey } from '../../../shared/archive-layout';
import type { ArchiveCheckpoint } from '../../../shared/checkpoint';
import { originalVersion, type ArchiveListing, type KeyVersions } from './archive-listing';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';
import { readArchivedDocument } from './archived-object';
import { checkCheckpointBytes, checkpointProblem, MAX_CHECKPOINT_BYTES, type CheckpointRead } from './checkpoints';
import type { KeyHistory } from './key-succession';

const READ_CONCURRENCY = 16;

/** One checkpoint version, read and checked for form (not yet for archive or signature). */
export async function readCheckpoint(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
): Promise<CheckpointRead> {
  const read = await readArchivedDocument(store, { key, versionId }, MAX_CHECKPOINT_BYTES);
  if (!read.ok)
    return {
      ok: false,
      key,
      versionId,
      detail:
        read.reason === 'too-large'
          ? `${key} is larger than a checkpoint can be.`
          : `${key} is listed but cannot be read at its version.`,
    };
  return checkCheckpointBytes(store.prefix, key, versionId, read.bytes);
}

/** verify: every checkpoint the (whole) listing holds, at its original version, by key. */
export async function readAllCheckpoints(
  store: ArchiveStore,
  listing: ArchiveListing,
  signal?: AbortSignal,
): Promise<Map<string, CheckpointRead>> {
  const out = new Map<string, CheckpointRead>();
  const todo = [...listing.checkpoints.values()].flatMap((k) => {
    const v = originalVersion(k);
    return v ? [{ key: k.key, versionId: v.versionId }] : [];
  });
  await eachLimited(todo, signal, async (t) => {
    out.set(t.key, await readCheckpoint(store, t.key, t.versionId));
  });
  return out;
}

export interface NewestCheckpoints {
  /** The newest checkpoint of each month that counts (valid, this archive's, signed), oldest month first. */
  readonly checkpoints: readonly ArchiveCheckpoint[];
  /** Checkpoint keys read that did not count (stepped over). */
  readonly refused: number;
}

/**
 * The calendar's first look: lists `checkpoints/` and reads, per month, the newest checkpoint that
 * counts for this archive under its key history.
 */
export async function readNewestCheckpoints(
  store: ArchiveStore,
  archiveId: string,
  history: KeyHistory,
  signal?: AbortSignal,
): Promise<NewestCheckpoints> {
  const byMonth = new Map<string, KeyVersions[]>();
  const grouped = new Map<string, ObjectVersionEntry[]>();
  for await (const v of store.listVersions(checkpointFolder(store.prefix))) {
    const list = grouped.get(v.key);
    if (list) list.push(v);
    else grouped.set(v.key, [v]);
  }
  for (const [key, versions] of grouped) {
    const parsed = versions.some((v) => v.unreadable) ? null : parseKey(store.prefix, key);
    if (parsed?.kind !== 'checkpoint') continue;
    byMonth.set(parsed.month, [...(byMonth.get(parsed.month) ?? []), { key, versions }]);
  }
  const found = new Map<string, ArchiveCheckpoint>();
  let refused = 0;
  await eachLimited([...byMonth], signal, async ([month, keys]) => {
    // Newest first: the key's sequence, which the name carries at a fixed width.
    for (const k of [...keys].sort((a, b) => (a.key < b.key ? 1 : -1))) {
      const v = originalVersion(k);
      if (!v) continue;
      const read = await readCheckpoint(store, k.key, v.versionId);
      if (read.ok && checkpointProblem(read, archiveId, history) === null) {
        found.set(month, read.checkpoint);
        return;
      }
      refused++;
    }
  });
  const checkpoints = [...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, cp]) => cp);
  return { checkpoints, refused };
}

async function eachLimited<T>(items: readonly T[], signal: AbortSignal | undefined, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      await fn(items[next++] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
}
