/**
 * ArchiveListing: every version of every key of the archive, from version listings only (no
 * request per object), grouped by what the key is.
 *
 * The listing is the part of the evidence a reader cannot be lied to about cheaply: a second
 * version of a key, a delete marker, a missing key or a key nobody wrote all show here without
 * reading a byte. Versions of a key keep the store's own order (newest first, as S3 lists them);
 * the oldest is the one the archive wrote.
 *
 * Two scopes: `layout` lists only the root key, the two layout folders and the key-succession
 * records (what the calendar and a writer need: about seven requests for seven years); `whole` lists
 * everything under the prefix, so that verify also sees keys outside the layout.
 */
import {
  archiveFolder,
  dataFolder,
  keySuccessionFolder,
  manifestFolder,
  parseKey,
  rootKey,
  type ParsedKey,
} from '../../../shared/archive-layout';
import type { Day } from '../../../shared/day';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';

export interface KeyVersions {
  readonly key: string;
  /** Newest first, as listed; delete markers included. */
  readonly versions: readonly ObjectVersionEntry[];
}

export interface ManifestKeyVersions extends KeyVersions {
  readonly day: Day;
  readonly sequence: number;
}

export interface DataKeyVersions extends KeyVersions {
  readonly day: Day;
  readonly part: number;
}

export interface SuccessionKeyVersions extends KeyVersions {
  readonly index: number;
}

/** A monthly checkpoint's key (`checkpoints/YYYY/MM/<sequence>.json`). */
export interface CheckpointKeyVersions extends KeyVersions {
  readonly month: string;
  readonly sequence: number;
}

/** The two keys of one report copy (`reports/<id>/bundle.zip` and `record.json`), either possibly absent. */
export interface ReportKeys {
  readonly reportId: string;
  readonly bundle: KeyVersions | null;
  readonly record: KeyVersions | null;
}

export interface ArchiveListing {
  readonly root: KeyVersions | null;
  /** Manifest-shaped keys, by key. */
  readonly manifests: ReadonlyMap<string, ManifestKeyVersions>;
  /** Data-shaped keys, by key. */
  readonly data: ReadonlyMap<string, DataKeyVersions>;
  /** Key-succession records (changes of signing key), by key. */
  readonly successions: ReadonlyMap<string, SuccessionKeyVersions>;
  /** Report copies under `reports/`, by report id (only seen with scope `whole`). */
  readonly reports: ReadonlyMap<string, ReportKeys>;
  /** Monthly checkpoints, by key (only seen with scope `whole`; the calendar lists them apart, checkpoint-reader.ts). */
  readonly checkpoints: ReadonlyMap<string, CheckpointKeyVersions>;
  /**
   * Keys that are neither (only seen with scope `whole`, plus junk inside the layout folders), and
   * entries the store never reads (`unreadable`), whatever their key.
   */
  readonly other: readonly KeyVersions[];
  readonly scope: 'layout' | 'whole';
  /** Requests the listing took. */
  readonly requests: number;
}

export async function readArchiveListing(store: ArchiveStore, scope: 'layout' | 'whole'): Promise<ArchiveListing> {
  const before = store.requestCount;
  const grouped = new Map<string, ObjectVersionEntry[]>();
  const add = (entry: ObjectVersionEntry) => {
    const list = grouped.get(entry.key);
    if (list) list.push(entry);
    else grouped.set(entry.key, [entry]);
  };
  if (scope === 'whole') {
    for await (const entry of store.listVersions(archiveFolder(store.prefix))) add(entry);
  } else {
    // The listing of a key prefix also lists keys that merely start with it: kept only if exactly the root.
    const root = rootKey(store.prefix);
    const lists = await Promise.all(
      [root, manifestFolder(store.prefix), dataFolder(store.prefix), keySuccessionFolder(store.prefix)].map(
        async (prefix) => {
          const entries: ObjectVersionEntry[] = [];
          for await (const entry of store.listVersions(prefix))
            if (prefix !== root || entry.key === root) entries.push(entry);
          return entries;
        },
      ),
    );
    for (const entries of lists) for (const entry of entries) add(entry);
  }
  return { ...classify(store.prefix, grouped), scope, requests: store.requestCount - before };
}

/** Each listed key, by what its name says it is. */
function classify(
  prefix: string,
  grouped: ReadonlyMap<string, ObjectVersionEntry[]>,
): Omit<ArchiveListing, 'scope' | 'requests'> {
  let root: KeyVersions | null = null;
  const manifests = new Map<string, ManifestKeyVersions>();
  const data = new Map<string, DataKeyVersions>();
  const reports = new Map<string, ReportKeys>();
  const successions = new Map<string, SuccessionKeyVersions>();
  const checkpoints = new Map<string, CheckpointKeyVersions>();
  const other: KeyVersions[] = [];
  for (const [key, versions] of grouped) {
    // Something the store will not read (a FIFO at a manifest's key) is never taken for what its key says.
    const parsed: ParsedKey = versions.some((v) => v.unreadable) ? { kind: 'other' } : parseKey(prefix, key);
    switch (parsed.kind) {
      case 'root':
        root = { key, versions };
        break;
      case 'manifest':
        manifests.set(key, { key, versions, day: parsed.day, sequence: parsed.sequence });
        break;
      case 'data':
        data.set(key, { key, versions, day: parsed.day, part: parsed.part });
        break;
      case 'key-succession':
        successions.set(key, { key, versions, index: parsed.index });
        break;
      case 'lease':
        break; // bookkeeping of the writer lease, never evidence
      case 'hold':
        break; // legal-hold records: read and judged by holds/hold-ledger.ts
      case 'checkpoint':
        checkpoints.set(key, { key, versions, month: parsed.month, sequence: parsed.sequence });
        break;
      case 'report': {
        const known = reports.get(parsed.reportId) ?? { reportId: parsed.reportId, bundle: null, record: null };
        reports.set(parsed.reportId, { ...known, [parsed.file]: { key, versions } });
        break;
      }
      case 'other':
        other.push({ key, versions });
        break;
    }
  }
  return { root, manifests, data, successions, reports, checkpoints, other };
}

/** The version the archive wrote: the oldest one that is not a delete marker. */
export function originalVersion(k: KeyVersions): ObjectVersionEntry | null {
  for (let i = k.versions.length - 1; i >= 0; i--) {
    const v = k.versions[i] as ObjectVersionEntry;
    if (!v.isDeleteMarker) return v;
  }
  return null;
}

/** Versions that are not delete markers. */
export function liveVersions(k: KeyVersions): ObjectVersionEntry[] {
  return k.versions.filter((v) => !v.isDeleteMarker);
}

export function deleteMarkers(k: KeyVersions): ObjectVersionEntry[] {
  return k.versions.filter((v) => v.isDeleteMarker);
}
