/**
 * listVouchedObjects: the ONE door from discovery into the archive. Everything discovery reads
 * (local queries, the S3 range cache, a result's population) comes from the data objects the
 * manifests of the days in range name, never from a listing of `audit-logs/`: parts left by an
 * interrupted run sit there too, and no manifest vouches for them.
 *
 * The archive vouches for an object when a manifest on its signed chain names it (every manifest of
 * a day: a `reconcile` manifest adds parts to its day's `export` one), judged by the same assessment
 * as the calendar and verify. A forged or junk manifest, a manifest off the chain, a stray part:
 * none of them reaches a query. `stateDir` keeps the manifests read (each once per installation).
 */
import type { Day } from '../../../shared/day';
import { Archive } from '../archive/archive';
import type { ArchiveStore } from '../archive/archive-store';

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

export async function listVouchedObjects(
  store: ArchiveStore,
  range: { from: Day; to: Day },
  options: { signal?: AbortSignal; stateDir?: string | null } = {},
): Promise<VouchedObject[]> {
  const snapshot = await Archive.forReading(store, options.stateDir ?? null).read({
    scope: 'layout',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.signal?.throwIfAborted();
  // A key named by two manifests (it should not happen) is one object: read it once.
  const seen = new Set<string>();
  const out: VouchedObject[] = [];
  for (const [day, evidence] of snapshot.assessment.days) {
    if (day < range.from || day > range.to) continue;
    for (const c of evidence.manifests) {
      for (const o of c.manifest.objects) {
        const id = `${o.key}\n${o.versionId ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ day, key: o.key, versionId: o.versionId, sha256: o.sha256, size: o.size, events: o.events });
      }
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
