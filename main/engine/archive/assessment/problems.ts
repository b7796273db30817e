/**
 * How the assessment's checkers report: each finding goes to one sink, which bounds its detail, and
 * the findings are sorted once at the end (by day, kind and key), so the order the checkers run in
 * never shows.
 */
import type { Day } from '../../../../shared/day';
import type { VerifyProblem } from '../../../../shared/verify';
import { deleteMarkers, liveVersions, originalVersion, type KeyVersions } from '../archive-listing';

/** Where a checker reports a finding. */
export type ProblemSink = (
  day: Day | null,
  kind: VerifyProblem['kind'],
  key: string | undefined,
  detail: string,
) => void;

/** A list of findings and the sink that fills it. */
export function collectProblems(): { readonly problems: VerifyProblem[]; readonly problem: ProblemSink } {
  const problems: VerifyProblem[] = [];
  const problem: ProblemSink = (day, kind, key, detail) =>
    problems.push({ day, kind, ...(key !== undefined ? { key } : {}), detail: detail.slice(0, 2000) });
  return { problems, problem };
}

/** A key the archive references: one version, no delete marker. */
export function checkVersions(k: KeyVersions, day: Day | null, problem: ProblemSink, what: string): void {
  for (const dm of deleteMarkers(k)) {
    problem(
      day,
      'delete-marker',
      k.key,
      `A delete marker (${dm.lastModified}) hides the ${what} ${k.key}; the locked version survives but a plain listing no longer shows it. Investigate who deleted it.`,
    );
  }
  const live = liveVersions(k);
  if (live.length > 1) {
    const original = originalVersion(k);
    problem(
      day,
      'version-added',
      k.key,
      `The ${what} ${k.key} has ${live.length} versions; the archive wrote one (${original?.versionId ?? 'unversioned'} at ${original?.lastModified ?? '?'}) and only that one is trusted. Someone wrote over it.`,
    );
  }
}

export function compareProblems(a: VerifyProblem, b: VerifyProblem): number {
  const da = a.day ?? '';
  const db = b.day ?? '';
  if (da !== db) return da < db ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  const ka = a.key ?? '';
  const kb = b.key ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
