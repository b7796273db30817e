/**
 * Data parts: a part counts when a chain manifest names it at its version; a part left by an
 * interrupted run and declared by a later manifest is an informational orphan; any other key is
 * unexpected (Athena would read it as data). Keys outside the layout are named too.
 */
import { dataKey, parseKey } from '../../../../shared/archive-layout';
import type { Day } from '../../../../shared/day';
import {
  deleteMarkers,
  liveVersions,
  type ArchiveListing,
  type DataKeyVersions,
  type KeyVersions,
} from '../archive-listing';
import type { ChainManifest } from './chain-walk';
import type { ProblemSink } from './problems';

interface RecordedPart {
  readonly versionId: string | null;
  readonly size: number;
  readonly manifestKey: string;
  readonly day: Day;
}

/** What the chain's manifests say about data keys. */
export interface RecordedParts {
  /** Parts a chain manifest names, by key. */
  readonly referenced: ReadonlyMap<string, RecordedPart>;
  /** Orphans a chain manifest declares: the versions, by key ('' for unversioned). */
  readonly declared: ReadonlyMap<string, ReadonlySet<string>>;
  /** The highest part number named or declared, by day. */
  readonly maxPart: ReadonlyMap<Day, number>;
}

export function recordedParts(prefix: string, chain: readonly ChainManifest[]): RecordedParts {
  const referenced = new Map<string, RecordedPart>();
  const declared = new Map<string, Set<string>>();
  const maxPart = new Map<Day, number>();
  const notePart = (key: string) => {
    const p = parseKey(prefix, key);
    if (p.kind === 'data') maxPart.set(p.day, Math.max(maxPart.get(p.day) ?? 0, p.part));
  };
  for (const c of chain) {
    for (const o of c.manifest.objects) {
      referenced.set(o.key, { versionId: o.versionId, size: o.size, manifestKey: c.key, day: c.manifest.day });
      notePart(o.key);
    }
    for (const o of c.manifest.orphansIgnored) {
      const versions = declared.get(o.key) ?? new Set<string>();
      versions.add(o.versionId ?? '');
      declared.set(o.key, versions);
      notePart(o.key);
    }
  }
  return { referenced, declared, maxPart };
}

/** Every data key judged against the chain, and every part the chain names that the listing lacks. */
export function checkDataParts(listing: ArchiveListing, parts: RecordedParts, problem: ProblemSink): void {
  const { referenced, declared } = parts;
  for (const k of listing.data.values()) {
    checkDeleteMarkers(k, problem);
    const ref = referenced.get(k.key);
    if (ref) checkReferencedPart(k, ref, problem);
    else checkUnreferencedPart(k, declared.get(k.key), problem);
  }
  const listed = listing.dataDays;
  for (const [key, ref] of referenced) {
    // A listing of some months' data (a reader's, archive-listing.ts) says nothing of other days' parts.
    if (listed && (ref.day < listed.from || ref.day > listed.to)) continue;
    if (!listing.data.has(key)) problem(ref.day, 'object-missing', key, missingText(key, ref));
  }
}

function missingText(key: string, ref: RecordedPart): string {
  return `${key}${ref.versionId ? ` version ${ref.versionId}` : ''}, recorded by ${ref.manifestKey}, is not in the archive.`;
}

function checkDeleteMarkers(k: DataKeyVersions, problem: ProblemSink): void {
  for (const dm of deleteMarkers(k)) {
    problem(
      k.day,
      'delete-marker',
      k.key,
      `A delete marker (${dm.lastModified}) hides ${k.key}; the locked version survives but a plain listing and Athena no longer see it. Investigate who deleted it.`,
    );
  }
}

/** A part a chain manifest names: the recorded version there (of the recorded size), and no other. */
function checkReferencedPart(k: DataKeyVersions, ref: RecordedPart, problem: ProblemSink): void {
  const live = liveVersions(k);
  const recorded = live.find((v) => v.versionId === ref.versionId);
  if (!recorded) {
    problem(k.day, 'object-missing', k.key, missingText(k.key, ref));
  } else if (ref.versionId === null && recorded.size !== ref.size) {
    problem(
      k.day,
      'hash-mismatch',
      k.key,
      `${k.key} is ${recorded.size} bytes; ${ref.manifestKey} recorded ${ref.size}.`,
    );
  }
  const extra = live.filter((v) => v !== recorded);
  if (extra.length > 0) {
    problem(
      k.day,
      'version-added',
      k.key,
      `${k.key} has ${extra.length} version(s) besides the one ${ref.manifestKey} recorded (${extra.map((v) => `${v.versionId ?? 'unversioned'} at ${v.lastModified}`).join(', ')}): a GET or Athena now reads the newest, which the archive never wrote.`,
    );
  }
}

/** A part no chain manifest names: a declared orphan, or unexpected. */
function checkUnreferencedPart(
  k: DataKeyVersions,
  declaredVersions: ReadonlySet<string> | undefined,
  problem: ProblemSink,
): void {
  const live = liveVersions(k);
  if (declaredVersions && live.length === 1 && declaredVersions.has(live[0]!.versionId ?? '')) {
    problem(
      k.day,
      'orphan',
      k.key,
      `${k.key} was left by an interrupted run and is declared by a later manifest; it is not counted. Discovery reads only what manifests name.`,
    );
  } else if (live.length > 0) {
    problem(
      k.day,
      'unexpected-object',
      k.key,
      `${k.key} is named by no manifest: the archive did not write it (or an interrupted run did and the day was never archived). Athena reads it as data; discovery here ignores it.`,
    );
  }
}

/** Keys outside the layout (or entries the store never reads), named whenever a version is live. */
export function checkStrays(listing: ArchiveListing, problem: ProblemSink): void {
  for (const k of listing.other) {
    if (liveVersions(k).length > 0) problem(null, 'unexpected-object', k.key, describeStray(k));
  }
}

/** Why a key outside the layout (or an entry the store never reads) is named. */
function describeStray(k: KeyVersions): string {
  const what = k.versions.find((v) => v.unreadable)?.unreadable;
  return what
    ? `${k.key} is ${what}, not something the archive writes: it is never opened, and otherwise ignored. Find out who put it there.`
    : `${k.key} is not part of the archive's layout: it was not written by the archive. It is ignored.`;
}

/** The next unused part number of a day: above every part the chain names or declares, skipping keys that exist. */
export function nextPartOf(
  prefix: string,
  listing: ArchiveListing,
  maxPart: RecordedParts['maxPart'],
): (day: Day) => number {
  return (day) => {
    let n = (maxPart.get(day) ?? 0) + 1;
    while (listing.data.has(dataKey(prefix, day, n))) n++;
    return n;
  };
}
