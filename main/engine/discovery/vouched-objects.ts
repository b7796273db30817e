/**
 * listVouchedObjects: the ONE door from discovery into the archive. Everything discovery reads
 * (local queries, the S3 range cache, a result's population) comes from the data objects the
 * manifests of the days in range name, never from a listing of `audit-logs/`: parts left by an
 * interrupted run sit there too, and no manifest vouches for them.
 *
 * Today it reads the manifests of each day in range (all of them: a `reconcile` manifest adds parts
 * to its day's `export` one), found in the archive index, or for a short range in each day's own
 * manifest folder (a month is 31 small listings instead of the whole archive's). The archive core is
 * being redesigned (signed manifests, a root object); when it lands, only this body changes.
 */
import { dayManifestFolder, normalisePrefix, parseKey } from '../../../shared/archive-layout';
import { daysBetween, eachDay, type Day } from '../../../shared/day';
import type { ArchiveStore, ObjectVersionEntry } from '../archive/archive-store';
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

/** Listings or manifest reads at once (each is one small request). */
const AT_ONCE = 16;
/** Up to this many days, each day's manifest folder is listed on its own. */
const PER_DAY_LISTING_MAX_DAYS = 93;

interface ManifestRef {
  readonly key: string;
  readonly versionId: string | null;
}

export async function listVouchedObjects(
  store: ArchiveStore,
  range: { from: Day; to: Day },
  options: { signal?: AbortSignal } = {},
): Promise<VouchedObject[]> {
  const manifests =
    range.to >= range.from && daysBetween(range.from, range.to) < PER_DAY_LISTING_MAX_DAYS
      ? (await inParallel([...eachDay(range.from, range.to)], (day) => dayManifests(store, day), options.signal)).flat()
      : await indexedManifests(store, range);
  options.signal?.throwIfAborted();

  const perManifest = await inParallel(
    manifests,
    async (m) => {
      const { manifest } = await readManifest(store, m.key, m.versionId);
      return manifest.objects.map((o) => ({
        day: manifest.day,
        key: o.key,
        versionId: o.versionId,
        sha256: o.sha256,
        size: o.size,
        events: o.events,
      }));
    },
    options.signal,
  );
  // A key named by two manifests (it should not happen) is one object: read it once.
  const seen = new Set<string>();
  const out: VouchedObject[] = [];
  for (const o of perManifest.flat()) {
    const id = `${o.key}\n${o.versionId ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(o);
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The live manifest versions of the days in range, from one listing of the whole archive. */
async function indexedManifests(store: ArchiveStore, range: { from: Day; to: Day }): Promise<ManifestRef[]> {
  const index = await readArchiveIndex(store);
  return [...index.days.values()]
    .filter((d) => d.day >= range.from && d.day <= range.to)
    .flatMap((d) => d.manifests.map((m) => ({ key: m.key, versionId: m.versionId })));
}

/**
 * The live manifest versions of one day, from a listing of its manifest folder: as the archive index
 * reads them, a key whose newest entry is a delete marker is not live.
 */
async function dayManifests(store: ArchiveStore, day: Day): Promise<ManifestRef[]> {
  const prefix = normalisePrefix(store.prefix);
  const entries: ObjectVersionEntry[] = [];
  for await (const e of store.listVersions(dayManifestFolder(prefix, day))) entries.push(e);
  const hidden = new Set(entries.filter((e) => e.isDeleteMarker && e.isLatest).map((e) => e.key));
  return entries
    .filter((e) => !e.isDeleteMarker && !hidden.has(e.key))
    .filter((e) => {
      const parsed = parseKey(prefix, e.key);
      return parsed.kind === 'manifest' && parsed.day === day;
    })
    .map((e) => ({ key: e.key, versionId: e.versionId }));
}

async function inParallel<T, R>(
  items: readonly T[],
  each: (item: T) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        signal?.throwIfAborted();
        out[i] = await each(items[i] as T);
      }
    }),
  );
  return out;
}
