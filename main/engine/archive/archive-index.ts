/**
 * ArchiveIndex: what the archive holds, per day, read from ONE version listing of the prefix
 * (7 years is a handful of LIST requests), never a request per day.
 *
 * It is the single source of "what is there" for the exporter (next part number, earlier manifests),
 * the calendar status and the verifier.
 */
import type { Day } from '../../../shared/day';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';

export interface DayIndexEntry {
  readonly day: Day;
  /** Live (not delete-marked) manifest versions, ascending by sequence. */
  readonly manifests: ReadonlyArray<ObjectVersionEntry & { sequence: number }>;
  /** Live data object versions, ascending by part. */
  readonly dataObjects: ReadonlyArray<ObjectVersionEntry & { part: number }>;
  /** Delete markers over any key of the day (data or manifest): tampering evidence. */
  readonly deleteMarkers: readonly ObjectVersionEntry[];
  /** Highest part number ever used for the day (including delete-marked and orphan parts). */
  readonly maxPart: number;
}

export interface ArchiveIndex {
  readonly days: ReadonlyMap<Day, DayIndexEntry>;
  /** Highest manifest sequence in the archive (0 when empty), including delete-marked ones. */
  readonly maxSequence: number;
  /** Keys under the layout that are not data or manifests (reported by verify). */
  readonly unexpectedKeys: readonly string[];
  /** Requests the listing took. */
  readonly requests: number;
}

export type ReadArchiveIndex = (store: ArchiveStore) => Promise<ArchiveIndex>;
