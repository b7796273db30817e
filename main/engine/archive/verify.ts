/**
 * verifyArchive: proves the archive is complete and unaltered, the way CloudTrail's validate-logs
 * walks its digest chain, without its blind spots.
 *
 * - The archive is read whole and fresh (every key and version under the prefix, every manifest
 *   from the store) and judged by the same assessment the calendar and the writer use
 *   (assessment.ts): one version per referenced key, signatures against the root's key, one chain
 *   walked from its head, no fork, nothing unexpected.
 * - This installation's record catches what the archive alone cannot show: a head that went
 *   backwards, a root swapped, an archive that vanished; `expectKey` and `expectHead` check the
 *   fingerprint and head the officer recorded. Without either, the result says the key and head
 *   were trusted on first use (verify-trust.ts).
 * - Every object it relies on (root, manifests, data parts) is read back for its lock, which must
 *   be in force, as strong as the policy and as long as recorded; in full mode every data part is
 *   hashed (stored and uncompressed bytes) and its events counted.
 * - Expected days are counted independently of the chain (aws-cli #7054: two consecutive deleted
 *   digests went unnoticed), and an empty or unmounted target is never "OK".
 * Work is bounded by the listing (never by a number read from a key), streams object bytes, and
 * stops when the signal aborts.
 */
import type { ArchiveOrganisation, ArchivePurpose } from '../../../shared/archive-root';
import { eachDay, firstRecoverableDay, isSettled, lastSettledDay, type Day } from '../../../shared/day';
import type { LockMode } from '../../../shared/manifest';
import { isFailingProblem, type VerifyProblem, type VerifyTrust } from '../../../shared/verify';
import type { Archive, ArchiveSnapshot } from './archive';
import { compareProblems, type Assessment, type ChainHead } from './assessment';
import { objectChecks, runLimited, type CheckContext } from './verify/object-checks';
import { expectedHeadProblems, judgeTrust, type ExpectedHead } from './verify-trust';
import { checkHolds } from './holds/hold-check';
import type { HeldInRange } from './holds/hold-ledger';

interface VerifyOptions {
  readonly archive: Archive;
  /** First day to check (default: the policy start, else the first archived day). */
  readonly from?: Day;
  /** Last day to check (default: the last settled day). */
  readonly to?: Day;
  /** Also download every data part and compare SHA-256 and event counts. */
  readonly full: boolean;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly settlementMinutes: number;
  /** A missing day is reported whether or not Genesys still has it; this only changes the advice. */
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  /** The retention policy locks are judged against. */
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
  /** The signing key fingerprint the officer recorded (hex). */
  readonly expectKey?: string;
  /** The head the officer recorded: the chain must reach it. */
  readonly expectHead?: ExpectedHead;
  /** Reads in flight at once. */
  readonly concurrency?: number;
  readonly onProgress?: (p: VerifyProgress) => void;
  readonly signal?: AbortSignal;
}

export interface VerifyProgress {
  readonly phase: 'listing' | 'objects';
  readonly done: number;
  readonly total: number;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Sorted by day (archive-wide ones first), then kind and key. */
  readonly problems: VerifyProblem[];
  readonly from: Day | null;
  readonly to: Day | null;
  readonly manifestsChecked: number;
  readonly objectsChecked: number;
  /** The day's event total from its newest manifest on the chain (feeds the calendar's counts). */
  readonly eventCounts: ReadonlyMap<Day, number>;
  readonly archive: {
    readonly archiveId: string;
    readonly purpose: ArchivePurpose;
    readonly organisation: ArchiveOrganisation;
    /** The key the root names. */
    readonly keyFingerprint: string;
    /** The key in effect now (the root's, or the last valid key-succession record's). */
    readonly currentKeyFingerprint: string;
    readonly head: ChainHead | null;
  } | null;
  /** What the key and the head were checked against (null: no valid root to trust). */
  readonly trust: VerifyTrust | null;
  /** Store requests the verification made. */
  readonly requests: number;
  /** The archive as this verification read it (whole and fresh): what a report states is taken from it. */
  readonly assessment: Assessment;
  /** Legal holds whose period overlaps the range verified (holds/hold-check.ts). */
  readonly holds?: readonly HeldInRange[];
}

export async function verifyArchive(options: VerifyOptions): Promise<VerifyResult> {
  const { archive, now } = options;
  const store = archive.store;
  const before = store.requestCount;
  options.onProgress?.({ phase: 'listing', done: 0, total: 1 });
  const snapshot = await archive.read({
    scope: 'whole',
    fresh: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { assessment } = snapshot;
  options.onProgress?.({ phase: 'listing', done: 1, total: 1 });

  const chainDays = assessment.chain.map((c) => c.manifest.day).sort();
  const from = options.from ?? options.policyStartDate ?? chainDays[0] ?? null;
  const to = options.to ?? lastSettledDay(now, options.settlementMinutes);
  const inRange = rangeOf(options);
  const problems = archiveFindings(options, snapshot, inRange);

  // Locks of everything relied on, and (full) the bytes of every data part.
  const ctx: CheckContext = { store, full: options.full, now, policy: options.policy, problems, objectsChecked: 0 };
  const chainInRange = assessment.chain.filter((c) => inRange(c.manifest.day));
  const checks = objectChecks(ctx, assessment, chainInRange);
  await runLimited(checks, options.concurrency ?? 16, options.signal, (done) =>
    options.onProgress?.({ phase: 'objects', done, total: checks.length }),
  );
  const holds = await checkHolds({
    store,
    assessment,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  problems.push(...holds.problems);
  if (from !== null) problems.push(...missingDays(options, assessment, from, to));

  problems.sort(compareProblems);
  const ok = !problems.some((p) => isFailingProblem(p.kind));
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  const headRecorded = ok && root !== null && assessment.keys.current !== null && archive.options.stateDir !== null;
  if (ok && root && assessment.keys.current)
    await archive.recordHead(root.root, assessment.head, assessment.keys.current.fingerprint);
  return {
    ok,
    problems,
    from,
    to: from === null ? null : to,
    manifestsChecked: chainInRange.length,
    objectsChecked: ctx.objectsChecked,
    eventCounts: eventCountsOf(assessment),
    archive: archiveFacts(assessment),
    trust: judgeTrust(
      snapshot,
      {
        ...(options.expectKey ? { key: options.expectKey } : {}),
        ...(options.expectHead ? { head: options.expectHead } : {}),
      },
      headRecorded,
    ),
    requests: store.requestCount - before,
    assessment,
    holds: holds.matters,
  };
}

/**
 * An explicit range limits what is checked; without one, every finding counts, wherever its day
 * lies (a junk manifest filed under 2099 included).
 */
function rangeOf(options: Pick<VerifyOptions, 'from' | 'to'>): (d: Day | null) => boolean {
  return (d) =>
    d === null || ((options.from === undefined || d >= options.from) && (options.to === undefined || d <= options.to));
}

/** What the assessment, this installation's records and the officer's expectations find. */
function archiveFindings(
  options: VerifyOptions,
  snapshot: ArchiveSnapshot,
  inRange: (d: Day | null) => boolean,
): VerifyProblem[] {
  const { assessment } = snapshot;
  const problems: VerifyProblem[] = assessment.problems.filter((p) => inRange(p.day));
  problems.push(...options.archive.installationProblems(snapshot, options.expectKey));
  if (options.expectHead) problems.push(...expectedHeadProblems(assessment, options.expectHead));
  if (
    assessment.root.status === 'absent' &&
    !assessment.hasContent &&
    !problems.some((p) => p.kind === 'archive-missing')
  ) {
    problems.push({
      day: null,
      kind: 'archive-missing',
      detail: `${options.archive.store.url} holds no archive (no root object, no manifest, no data). If the archive should be here, check that the folder or bucket is mounted and the prefix is right; if nothing was archived yet, run catch-up first.`,
    });
  }
  return problems;
}

/** Expected days, counted independently of the chain. */
function missingDays(options: VerifyOptions, assessment: Assessment, from: Day, to: Day): VerifyProblem[] {
  const { now } = options;
  const firstRecoverable = firstRecoverableDay(now, options.genesysRetentionDays);
  const problems: VerifyProblem[] = [];
  for (const day of eachDay(from, to)) {
    if (options.policyStartDate && day < options.policyStartDate) continue;
    if (!isSettled(day, now, options.settlementMinutes)) continue;
    const evidence = assessment.days.get(day);
    if (evidence && evidence.manifests.length > 0) continue;
    const advice =
      day < firstRecoverable
        ? 'It is older than the Genesys retention window: it cannot be recovered from Genesys any more.'
        : 'Run catch-up while Genesys still holds it.';
    problems.push({
      day,
      kind: 'day-missing',
      detail: `No manifest on the chain for ${day}: the day was never archived or its manifests are gone. ${advice}`,
    });
  }
  return problems;
}

function eventCountsOf(assessment: Assessment): Map<Day, number> {
  const eventCounts = new Map<Day, number>();
  for (const c of assessment.chain) eventCounts.set(c.manifest.day, c.manifest.dayEventsTotal);
  return eventCounts;
}

function archiveFacts(assessment: Assessment): VerifyResult['archive'] {
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  return root
    ? {
        archiveId: root.root.archiveId,
        purpose: root.root.purpose,
        organisation: root.root.organisation,
        keyFingerprint: root.root.signingKey.fingerprint,
        currentKeyFingerprint: assessment.keys.current?.fingerprint ?? root.root.signingKey.fingerprint,
        head: assessment.head,
      }
    : null;
}
