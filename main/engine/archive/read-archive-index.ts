/**
 * readArchiveIndex: what the archive holds per day, from ONE version listing of the prefix.
 *
 * Keys are classified with parseKey. A key whose newest entry is a delete marker is not live: its
 * versions still exist (WORM keeps them) but a plain listing hides them, so they are kept out of
 * `manifests`/`dataObjects` and the marker is reported in `deleteMarkers` as tampering evidence.
 * Part and sequence numbers count every key ever used, delete-marked included, so a new write never
 * reuses a key.
 */
import { normalisePrefix, parseKey } from '../../../shared/archive-layout';
import type { Day } from '../../../shared/day';
import type { ArchiveIndex, DayIndexEntry } from './archive-index';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';

interface DayBuilder {
  manifests: Array<ObjectVersionEntry & { sequence: number }>;
  dataObjects: Array<ObjectVersionEntry & { part: number }>;
  deleteMarkers: ObjectVersionEntry[];
  maxPart: number;
}

export async function readArchiveIndex(store: ArchiveStore): Promise<ArchiveIndex> {
  const before = store.requestCount;
  const prefix = normalisePrefix(store.prefix);
  const entries: ObjectVersionEntry[] = [];
  /** Keys whose latest entry is a delete marker. */
  const hidden = new Set<string>();
  for await (const entry of store.listVersions(prefix ? prefix + '/' : '')) {
    entries.push(entry);
    if (entry.isDeleteMarker && entry.isLatest) hidden.add(entry.key);
  }

  const days = new Map<Day, DayBuilder>();
  const dayOf = (day: Day): DayBuilder => {
    let b = days.get(day);
    if (!b) days.set(day, (b = { manifests: [], dataObjects: [], deleteMarkers: [], maxPart: 0 }));
    return b;
  };
  const unexpected = new Set<string>();
  let maxSequence = 0;

  for (const entry of entries) {
    const parsed = parseKey(prefix, entry.key);
    if (parsed.kind === 'other') {
      unexpected.add(entry.key);
      continue;
    }
    const b = dayOf(parsed.day);
    if (parsed.kind === 'data') b.maxPart = Math.max(b.maxPart, parsed.part);
    else maxSequence = Math.max(maxSequence, parsed.sequence);
    if (entry.isDeleteMarker) {
      b.deleteMarkers.push(entry);
      continue;
    }
    if (hidden.has(entry.key)) continue;
    if (parsed.kind === 'data') b.dataObjects.push({ ...entry, part: parsed.part });
    else b.manifests.push({ ...entry, sequence: parsed.sequence });
  }

  const result = new Map<Day, DayIndexEntry>();
  for (const day of [...days.keys()].sort()) {
    const b = days.get(day)!;
    b.manifests.sort((x, y) => x.sequence - y.sequence || x.lastModified.localeCompare(y.lastModified));
    b.dataObjects.sort((x, y) => x.part - y.part || x.lastModified.localeCompare(y.lastModified));
    result.set(day, {
      day,
      manifests: b.manifests,
      dataObjects: b.dataObjects,
      deleteMarkers: b.deleteMarkers,
      maxPart: b.maxPart,
    });
  }
  return {
    days: result,
    maxSequence,
    unexpectedKeys: [...unexpected].sort(),
    requests: store.requestCount - before,
  };
}
