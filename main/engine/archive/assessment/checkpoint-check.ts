/**
 * Monthly checkpoints (checkpoints.ts), as verify judges them: each one version, valid, this
 * archive's, signed by the key in effect at its head, and agreeing with the chain it vouches for.
 * Any that does not is `checkpoint-invalid` (archive-wide: the manifests themselves are judged
 * apart, so a bad checkpoint makes no day tampered). Only listed with scope `whole`.
 */
import type { ArchiveRoot } from '../../../../shared/archive-root';
import type { ArchiveListing } from '../archive-listing';
import { checkpointChainProblem, checkpointProblem, type CheckpointRead } from '../checkpoints';
import type { KeyHistory } from '../key-succession';
import type { ChainManifest } from './chain-walk';
import { checkVersions, type ProblemSink } from './problems';

export function checkCheckpoints(
  judged: {
    readonly prefix: string;
    readonly listing: ArchiveListing;
    readonly rootRecord: ArchiveRoot | null;
    readonly keys: KeyHistory;
    readonly chain: readonly ChainManifest[];
  },
  reads: ReadonlyMap<string, CheckpointRead>,
  problem: ProblemSink,
): void {
  for (const k of judged.listing.checkpoints.values()) {
    checkVersions(k, null, problem, 'checkpoint');
    const read = reads.get(k.key);
    if (!read) continue; // only delete markers: reported above
    if (!read.ok) {
      problem(null, 'checkpoint-invalid', k.key, `${read.detail} It is never used.`);
      continue;
    }
    if (!judged.rootRecord) continue; // nothing can be judged without the root; reported by the root's check
    const refused =
      checkpointProblem(read, judged.rootRecord.archiveId, judged.keys) ??
      checkpointChainProblem(judged.prefix, read, judged.chain);
    if (refused) problem(null, 'checkpoint-invalid', k.key, refused);
  }
}
