/**
 * The checkers that judge an archive once its root, keys and chain are known: one per kind of
 * object, each reporting its findings to the sink. A new kind of check (a legal hold, say) is one
 * more function here, with what it reads added to `JudgedArchive`.
 */
import type { ArchiveRoot } from '../../../../shared/archive-root';
import type { ArchiveListing } from '../archive-listing';
import { checkSuccessionAnchors, type KeyHistory } from '../key-succession';
import type { ChainManifest } from './chain-walk';
import { checkDataParts, checkStrays, type RecordedParts } from './data-parts';
import type { ProblemSink } from './problems';
import type { RootState } from './root-check';

/** What the earlier stages established, for the checkers to judge against. */
export interface JudgedArchive {
  readonly prefix: string;
  readonly listing: ArchiveListing;
  readonly root: RootState;
  /** The root's record when it is valid; null when nothing can be judged against it. */
  readonly rootRecord: ArchiveRoot | null;
  readonly keys: KeyHistory;
  /** Manifests on the chain, ascending by sequence. */
  readonly chain: readonly ChainManifest[];
  /** What the chain's manifests say about data keys. */
  readonly parts: RecordedParts;
}

type ArchiveChecker = (archive: JudgedArchive, problem: ProblemSink) => void;

/** Run in this order after the chain is walked (findings are sorted afterwards, so the order never shows). */
export const ARCHIVE_CHECKERS: readonly ArchiveChecker[] = [
  // Each key-succession record's `lastManifest` must be on the chain.
  (a, problem) => checkSuccessionAnchors(a.keys, a.chain, problem),
  // Data parts: named by a chain manifest at their version, or declared orphans; nothing else.
  (a, problem) => checkDataParts(a.listing, a.parts, problem),
  // Keys outside the layout.
  (a, problem) => checkStrays(a.listing, problem),
];
