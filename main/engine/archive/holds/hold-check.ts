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
import { heldInRange, readHoldLedger, type HeldInRange, type HoldLedger } from './hold-ledger';
import { dayVersions, rootVersion, type HeldVersion } from './hold-versions';

interface HoldCheckInput {
  readonly store: ArchiveStore;
  readonly assessment: Assessment;
  /** The range verified (absent: unbounded on that side). */
  readonly from?: Day;
  readonly to?: Day;
  readonly signal?: AbortSignal;
}

interface HoldCheck {
  readonly problems: VerifyProblem[];
  /** The matters' periods that overlap the range verified: what a report over it states. */
  readonly matters: HeldInRange[];
}

export async function checkHolds(input: HoldCheckInput): Promise<HoldCheck> {
  const { store, assessment } = input;
  if (store.kind === 'local') return { problems: [], matters: [] };
  const ledger = await readHoldLedger(store, assessment, input.signal);
  const inRange = (d: Day) =>
    (input.from === undefined || d >= input.from) && (input.to === undefined || d <= input.to);
  const matters = heldInRange(ledger, input);
  return { problems: await holdProblems(store, assessment, ledger, inRange, input.signal), matters };
}

async function holdProblems(
  store: ArchiveStore,
  assessment: Assessment,
  ledger: HoldLedger,
  inRange: (d: Day) => boolean,
  signal: AbortSignal | undefined,
): Promise<VerifyProblem[]> {
  const problems = [...ledger.problems];
  if (ledger.matters.size === 0) return problems;
  const heldDays = [...assessment.days.keys()].filter((d) => inRange(d) && ledger.mattersOf(d).length > 0);
  const versions: HeldVersion[] = [...rootVersion(assessment), ...dayVersions(assessment, heldDays)];
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      signal?.throwIfAborted();
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
