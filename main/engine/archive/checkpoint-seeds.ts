/**
 * What the calendar may take from monthly checkpoints (checkpoints.ts): each manifest a checkpoint
 * that counts carries, by the key it must be listed at, and whether it names a listed version. The
 * manifest catalog (manifest-catalog.ts) checks each one again as if just read.
 */
import { manifestKey } from '../../../shared/archive-layout';
import type { ArchiveCheckpoint, CheckpointEntry } from '../../../shared/checkpoint';
import type { ObjectVersionEntry } from './archive-store';
import { canonicalJsonBytes } from './signing';

/** What the calendar may take from checkpoints: each carried manifest, by the key it must be listed at. */
export type CheckpointSeeds = ReadonlyMap<string, CheckpointEntry>;

export function seedsOf(prefix: string, checkpoints: readonly ArchiveCheckpoint[]): Map<string, CheckpointEntry> {
  const seeds = new Map<string, CheckpointEntry>();
  for (const cp of checkpoints)
    for (const e of cp.manifests) seeds.set(manifestKey(prefix, e.manifest.day, e.manifest.sequence), e);
  return seeds;
}

/**
 * The carried manifest's canonical bytes when the seed names this listed version: the same version
 * id and size (a manifest's stored bytes are its canonical form, so those bytes must be that long),
 * and without version ids (a local folder) the same time too; null otherwise.
 */
export function seedBytesFor(seed: CheckpointEntry, version: ObjectVersionEntry): Buffer | null {
  if (seed.versionId !== version.versionId || seed.size !== version.size) return null;
  if (version.versionId === null && seed.lastModified !== version.lastModified) return null;
  const bytes = canonicalJsonBytes(seed.manifest);
  return bytes.length === version.size ? bytes : null;
}
