/** The signing keys: which key is in effect for which manifests (key-succession.ts), as the assessment judges them. */
import type { ArchiveListing } from '../archive-listing';
import { assessKeyHistory, type KeyHistory, type KeySuccessionRead } from '../key-succession';
import { checkVersions, type ProblemSink } from './problems';
import type { RootState } from './root-check';

/** The key history, and each key-succession record's versions (one each, like any key the archive references). */
export function assessKeys(
  listing: ArchiveListing,
  root: RootState,
  reads: ReadonlyMap<string, KeySuccessionRead>,
  problem: ProblemSink,
): KeyHistory {
  for (const k of listing.successions.values()) checkVersions(k, null, problem, 'key-succession record');
  const rootKey =
    root.status === 'ok'
      ? { archiveId: root.root.archiveId, key: root.signingKey, publicKeyBase64: root.root.signingKey.publicKey }
      : null;
  return assessKeyHistory(listing, rootKey, reads, problem);
}
