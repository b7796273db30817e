/**
 * Which object versions a held day's hold covers: every version the chain's manifests of that day
 * vouch for (the manifests themselves and each data part they record), and the root, which every
 * day relies on. Read from the assessment: no I/O.
 */
import type { Day } from '../../../../shared/day';
import type { Assessment } from '../assessment';

export interface HeldVersion {
  readonly day: Day | null;
  readonly key: string;
  readonly versionId: string | null;
}

/** The versions the manifests of `days` vouch for, day by day (no root). */
export function dayVersions(assessment: Assessment, days: Iterable<Day>): HeldVersion[] {
  const out: HeldVersion[] = [];
  for (const day of days) {
    for (const c of assessment.days.get(day)?.manifests ?? []) {
      out.push({ day, key: c.key, versionId: c.versionId });
      for (const o of c.manifest.objects) out.push({ day, key: o.key, versionId: o.versionId });
    }
  }
  return out;
}

/** The root's version, when the archive has a valid one. */
export function rootVersion(assessment: Assessment): HeldVersion[] {
  const root = assessment.root;
  return root.status === 'ok' ? [{ day: null, key: root.key, versionId: root.versionId }] : [];
}

/** Archived days: those with a manifest on the chain. */
export function isArchived(assessment: Assessment, day: Day): boolean {
  return (assessment.days.get(day)?.manifests.length ?? 0) > 0;
}

/**
 * Sets the hold of every version, the first one alone (a refusal by the policy then changes
 * nothing), the rest a few at a time.
 */
export async function setHolds(
  setLegalHold: (key: string, versionId: string | null, on: boolean) => Promise<void>,
  versions: readonly HeldVersion[],
  on: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const [first, ...rest] = versions;
  if (!first) return;
  await setLegalHold(first.key, first.versionId, on);
  let next = 0;
  const worker = async () => {
    while (next < rest.length) {
      signal?.throwIfAborted();
      const v = rest[next++] as HeldVersion;
      await setLegalHold(v.key, v.versionId, on);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, rest.length) }, worker));
}
