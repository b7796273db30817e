/**
 * Verify's legal-hold checker: every version the manifests vouch for on a day a matter holds (and
 * the root, while any matter holds anything) must read back with its legal hold ON; each one that
 * does not is `hold-missing`, naming the day, the key and the matters. Records under `holds/` that
 * do not count are named too (hold-ledger.ts). A local folder holds nothing and has no records.
 */
import type { Day } from '../../../../shared/day';
import type { VerifyProblem } from '../../../../shared/verify';
import type { ArchiveStore } from '../archive-store';
import type { Assessment } from '../assessment';
import { readHoldLedger } from './hold-ledger';
import { dayVersions, rootVersion, type HeldVersion } from './hold-versions';

export interface HoldCheckInput {
  readonly store: ArchiveStore;
  readonly assessment: Assessment;
  /** Whether a day is in the range verified. */
  readonly inRange: (day: Day | null) => boolean;
  readonly signal?: AbortSignal;
}

export async function holdProblems(input: HoldCheckInput): Promise<VerifyProblem[]> {
  const { store, assessment } = input;
  if (store.kind === 'local') return [];
  const ledger = await readHoldLedger(store, assessment, input.signal);
  const problems = [...ledger.problems];
  if (ledger.matters.size === 0) return problems;
  const heldDays = [...assessment.days.keys()].filter((d) => input.inRange(d) && ledger.mattersOf(d).length > 0);
  const versions: HeldVersion[] = [...rootVersion(assessment), ...dayVersions(assessment, heldDays)];
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      input.signal?.throwIfAborted();
      const v = versions[next++] as HeldVersion;
      const info = await store.headObject(v.key, v.versionId);
      if (!info || info.legalHold) continue; // a missing version is named by the listing already
      const matters = v.day ? ledger.mattersOf(v.day) : [...ledger.matters.keys()].sort();
      problems.push({
        day: v.day,
        kind: 'hold-missing',
        key: v.key,
        detail: `${v.key} is held for ${matters.join(', ')}, but its legal hold is not ON: it could be deleted once its retention ends. Place the hold again (audit-archive hold place) with the officer's credentials.`,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, versions.length) }, worker));
  return problems;
}
