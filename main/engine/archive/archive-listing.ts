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
 *
 * A reader that needs the data parts of a few months only (discovery over one month) may ask for
 * `dataDays`: the data folder is then listed for those months alone, and the listing says so
 * (`dataDays`), so that the assessment judges data parts only there. Such a listing is never a
 * writer's (a writer must see every part) nor the calendar's or verify's.
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

interface SuccessionKeyVersions extends KeyVersions {
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
  /** null: every data key is listed; otherwise only those of the months of these days (the range is month-aligned). */
  readonly dataDays?: { readonly from: Day; readonly to: Day } | null;
  /** Requests the listing took. */
  readonly requests: number;
}

/** Months a range may span and still have its data folder listed month by month (beyond: the whole folder). */
const MAX_DATA_MONTHS = 3;

export async function readArchiveListing(
  store: ArchiveStore,
  scope: 'layout' | 'whole',
  dataDays: { from: Day; to: Day } | null = null,
): Promise<ArchiveListing> {
  const before = store.requestCount;
  const grouped = new Map<string, ObjectVersionEntry[]>();
  const add = (entry: ObjectVersionEntry) => {
    const list = grouped.get(entry.key);
    if (list) list.push(entry);
    else grouped.set(entry.key, [entry]);
  };
  const months = scope === 'layout' && dataDays ? monthsOf(dataDays) : null;
  if (scope === 'whole') {
    for await (const entry of store.listVersions(archiveFolder(store.prefix))) add(entry);
  } else {
    for (const entries of await listLayout(store, months)) for (const entry of entries) add(entry);
  }
  return {
    ...groupListing(store.prefix, grouped),
    scope,
    dataDays: months && monthSpan(months),
    requests: store.requestCount - before,
  };
}

/** The layout's folders (the data folder whole, or month by month), listed concurrently. */
async function listLayout(store: ArchiveStore, months: string[] | null): Promise<ObjectVersionEntry[][]> {
  // The listing of a key prefix also lists keys that merely start with it: kept only if exactly the root.
  const root = rootKey(store.prefix);
  const data = months
    ? months.map((m) => `${dataFolder(store.prefix)}${m.slice(0, 4)}/${m.slice(5, 7)}/`)
    : [dataFolder(store.prefix)];
  return Promise.all(
    [root, manifestFolder(store.prefix), keySuccessionFolder(store.prefix), ...data].map(async (prefix) => {
      const entries: ObjectVersionEntry[] = [];
      for await (const entry of store.listVersions(prefix))
        if (prefix !== root || entry.key === root) entries.push(entry);
      return entries;
    }),
  );
}

/** The months (YYYY-MM) of a range, or null when it spans more than MAX_DATA_MONTHS. */
function monthsOf(range: { from: Day; to: Day }): string[] | null {
  const out: string[] = [];
  let y = Number(range.from.slice(0, 4));
  let m = Number(range.from.slice(5, 7));
  const last = range.to.slice(0, 7);
  for (;;) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (month > last) return out;
    if (out.length === MAX_DATA_MONTHS) return null;
    out.push(month);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
}

/** The days the listed months hold: first of the first month to the last of the last. */
function monthSpan(months: string[]): { from: Day; to: Day } | null {
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) return null;
  const [y, m] = [Number(last.slice(0, 4)), Number(last.slice(5, 7))];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${first}-01` as Day, to: `${last}-${String(lastDay).padStart(2, '0')}` as Day };
}

/** Groups listed versions by what their key is. */
function groupListing(
  prefix: string,
  grouped: ReadonlyMap<string, ObjectVersionEntry[]>,
): Omit<ArchiveListing, 'scope' | 'requests' | 'dataDays'> {
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
