/**
 * assessArchive: what the archive proves, from its listing, its root and its manifests, with no
 * I/O. The calendar, the verifier and the writer all judge the archive through this one function,
 * so they can never disagree about which manifest is the head or whether a day is archived.
 *
 * The rules, as an auditor hiding something with the exporter's own credentials would test them:
 * - Every key the archive references (root, manifests, data parts) has exactly one version, the
 *   one recorded; a second version, a delete marker or a missing version is a problem naming the
 *   day and the key. Only the original (oldest) version of a key is ever trusted.
 * - A manifest counts only when it is valid, belongs to this archive and is signed with the key
 *   the root names. Anything else manifest-shaped is reported and ignored, never followed.
 * - One chain, walked from its head (the valid manifest with the highest sequence) back through
 *   each `previous` link (key, sequence and SHA-256). A break is reported where it is and the walk
 *   resumes below it; a valid manifest the walk does not reach (a fork, a branch nobody links to)
 *   is reported, as is a sequence number claimed twice.
 * - A data part counts when a chain manifest names it at its version; a part left by an
 *   interrupted run and declared by a later manifest is an informational orphan; any other key is
 *   unexpected (Athena would read it as data).
 * - A monthly checkpoint (`checkpoints/YYYY/MM/<sequence>.json`) counts when it has one version, is
 *   valid, this archive's, signed by the key in effect at its head and agrees with the chain
 *   (checkpoints.ts); anything else is `checkpoint-invalid`. It is never evidence of a day.
 * - A report copy (`reports/<id>/bundle.zip` + `record.json`) counts when both keys have exactly
 *   one version, the record is valid, this archive's and signed, and names that bundle at its
 *   version; anything else under `reports/` is reported (`report-invalid`, `version-added`, …).
 * - Nothing loops to a number read from a key: all work is bounded by what the listing holds.
 */
import type { Day } from '../../../shared/day';
import type { VerifyProblem } from '../../../shared/verify';
import type { ArchiveListing } from './archive-listing';
import type { CheckpointRead } from './checkpoints';
import type { KeyHistory, KeySuccessionRead } from './key-succession';
import type { ManifestRead } from './manifest-catalog';
import type { ReportRecordRead } from './report-records';
import { checkCheckpoints } from './assessment/checkpoint-check';
import { checkSequences, walkChain, type ChainHead, type ChainManifest } from './assessment/chain-walk';
import { ARCHIVE_CHECKERS, type JudgedArchive } from './assessment/checkers';
import { nextPartOf, recordedParts } from './assessment/data-parts';
import { assessKeys } from './assessment/key-check';
import { checkManifests } from './assessment/manifest-check';
import { collectProblems, compareProblems } from './assessment/problems';
import { assessReports, type ReportCopy } from './assessment/report-copies';
import { checkRoot, type RootState } from './assessment/root-check';

export type { ChainHead, ChainManifest } from './assessment/chain-walk';
export { compareProblems } from './assessment/problems';
export { assessKeys } from './assessment/key-check';
export type { ReportCopy } from './assessment/report-copies';
export { checkRootBytes, type RootState } from './assessment/root-check';

export interface DayEvidence {
  readonly day: Day;
  /** The day's manifests on the chain, ascending by sequence. */
  readonly manifests: ChainManifest[];
  /** Problems naming this day (failing and informational). */
  readonly problems: VerifyProblem[];
}

export interface Assessment {
  readonly root: RootState;
  /** The chain's head; null when no valid manifest exists. */
  readonly head: ChainHead | null;
  /** Manifests on the chain, ascending by sequence. */
  readonly chain: readonly ChainManifest[];
  readonly days: ReadonlyMap<Day, DayEvidence>;
  /** Every problem found, the day-less (archive-wide) ones included. */
  readonly problems: readonly VerifyProblem[];
  /** Report copies with a valid, signed record (listed with scope `whole` only; absent: none). */
  readonly reports?: readonly ReportCopy[];
  /** Which signing key is in effect for which manifests (key-succession.ts). */
  readonly keys: KeyHistory;
  /** True when the listing holds any manifest- or data-shaped key. */
  readonly hasContent: boolean;
  /** The next unused part number of a day (above every part a manifest names, skipping keys that exist). */
  nextPart(day: Day): number;
}

/**
 * The stages, in order: the root, the keys, the manifests, the chain, then every checker in
 * `ARCHIVE_CHECKERS`, the checkpoints and the report copies; the findings sorted and grouped by day.
 */
export function assessArchive(
  prefix: string,
  listing: ArchiveListing,
  root: RootState,
  reads: ReadonlyMap<string, ManifestRead>,
  reportReads: ReadonlyMap<string, ReportRecordRead> = new Map(),
  successionReads: ReadonlyMap<string, KeySuccessionRead> = new Map(),
  checkpointReads: ReadonlyMap<string, CheckpointRead> = new Map(),
): Assessment {
  const { problems, problem } = collectProblems();
  const hasContent = listing.manifests.size > 0 || listing.data.size > 0;
  checkRoot(listing, root, hasContent, problem);
  const rootRecord = root.status === 'ok' ? root.root : null;
  const keys = assessKeys(listing, root, successionReads, problem);
  const valid = checkManifests(listing, rootRecord, keys, reads, problem);
  checkSequences(valid, problem);
  const { head, chain } = walkChain(prefix, listing, valid, problem);
  const judged: JudgedArchive = { prefix, listing, root, rootRecord, keys, chain, parts: recordedParts(prefix, chain) };
  for (const check of ARCHIVE_CHECKERS) check(judged, problem);
  checkCheckpoints(judged, checkpointReads, problem);
  const reports = assessReports(listing, rootRecord, keys, reportReads, problem);
  problems.sort(compareProblems);
  return {
    root,
    head,
    chain,
    days: evidenceByDay(chain, problems),
    problems,
    reports,
    keys,
    hasContent,
    nextPart: nextPartOf(prefix, listing, judged.parts.maxPart),
  };
}

/** The chain's manifests and the (sorted) problems, by the day they name. */
function evidenceByDay(chain: readonly ChainManifest[], problems: readonly VerifyProblem[]): Map<Day, DayEvidence> {
  const days = new Map<Day, DayEvidence>();
  const dayOf = (day: Day): DayEvidence => {
    let d = days.get(day);
    if (!d) days.set(day, (d = { day, manifests: [], problems: [] }));
    return d;
  };
  for (const c of chain) dayOf(c.manifest.day).manifests.push(c);
  for (const p of problems) if (p.day) dayOf(p.day).problems.push(p);
  return days;
}
