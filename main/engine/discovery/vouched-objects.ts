/**
 * listVouchedObjects: the ONE door from discovery into the archive. Everything discovery reads
 * (local queries, the S3 range cache, a result's population) comes from the data objects the
 * manifests of the days in range name, never from a listing of `audit-logs/`: parts left by an
 * interrupted run sit there too, and no manifest vouches for them.
 *
 * Today it reads the archive index and each day's manifests (all of them: a `reconcile` manifest adds
 * parts to its day's `export` one). The archive core is being redesigned (signed manifests, a root
 * object); when it lands, only this body changes.
 */
import type { Day } from '../../../shared/day';
import type { ArchiveStore } from '../archive/archive-store';
import { readManifest } from '../archive/manifest-chain';
import { readArchiveIndex } from '../archive/read-archive-index';

export interface VouchedObject {
  readonly day: Day;
  readonly key: string;
  readonly versionId: string | null;
  /** SHA-256 of the stored (gzip) bytes, as the manifest recorded it. */
  readonly sha256: string;
  /** Stored (compressed) size in bytes. */
  readonly size: number;
  readonly events: number;
}

/** Manifests read at once (each is one small GET). */
const MANIFEST_READS_AT_ONCE = 16;

export async function listVouchedObjects(
  store: ArchiveStore,
  range: { from: Day; to: Day },
  options: { signal?: AbortSignal } = {},
): Promise<VouchedObject[]> {
  const index = await readArchiveIndex(store);
  options.signal?.throwIfAborted();
  const manifests = [...index.days.values()]
    .filter((d) => d.day >= range.from && d.day <= range.to)
    .flatMap((d) => d.manifests.map((m) => ({ day: d.day, key: m.key, versionId: m.versionId, sequence: m.sequence })));

  const perManifest: VouchedObject[][] = new Array(manifests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(MANIFEST_READS_AT_ONCE, manifests.length) }, async () => {
      while (next < manifests.length) {
        const i = next++;
        options.signal?.throwIfAborted();
        const m = manifests[i] as (typeof manifests)[number];
        const { manifest } = await readManifest(store, m.key, m.versionId);
        perManifest[i] = manifest.objects.map((o) => ({
          day: manifest.day,
          key: o.key,
          versionId: o.versionId,
          sha256: o.sha256,
          size: o.size,
          events: o.events,
        }));
      }
    }),
  );
  // A key named by two manifests (it should not happen) is one object: read it once.
  const seen = new Set<string>();
  const out: VouchedObject[] = [];
  for (const objects of perManifest) {
    for (const o of objects) {
      const id = `${o.key}\n${o.versionId ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(o);
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
