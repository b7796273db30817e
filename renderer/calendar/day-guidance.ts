/**
 * What a day that is not simply archived means for the officer, in plain words: what happened,
 * what it means for the evidence, and what to do next (the steps the product can take from there
 * first). Shown at the top of the day panel for tampered, failed and unrecoverable days, and for a
 * day whose second locked copy the last copy check found wrong; pure, so the words are unit-tested
 * (test/unit/renderer/day-guidance.test.ts, test/unit/renderer/calendar-copy.test.ts).
 */
import { COPY_PROBLEM_KINDS, isCopyProblemKind, type CopyProblemKind, type DayCopy } from '../../shared/copy-check';
import { addDays, type Day } from '../../shared/day';
import type { DayDetails } from '../../shared/day-details';
import { isFailingProblem, type VerifyProblem } from '../../shared/verify';

export interface DayGuidance {
  readonly tone: 'alarm' | 'warning' | 'info';
  readonly title: string;
  readonly happened: string;
  readonly meaning: string;
  readonly steps: readonly string[];
}

/** What each finding says happened to the stored evidence. */
const FINDING_WORDS: Partial<Record<VerifyProblem['kind'], string>> = {
  'hash-mismatch': 'a stored file no longer has the bytes its manifest recorded: it was changed after it was written',
  'object-missing': 'a stored file its manifest recorded is gone',
  'delete-marker': 'a delete marker now hides a stored file (its locked version is still there underneath)',
  'version-added': 'a stored file has a second version that the manifest did not record',
  'lock-not-in-force': 'a stored file is no longer locked as the policy requires',
  'signature-invalid': "the day's manifest is not signed by the archive's key",
  'manifest-missing': "the day's manifest is gone",
  'manifest-invalid': "the day's manifest cannot be read as a manifest of this archive",
  'chain-broken': "the day's manifest no longer links to the one before it",
  'source-mismatch': 'the events came from another organisation than the archive records',
  'event-duplicated': "an event is in the day's files more than once",
  'event-invalid':
    "a line of the day's files is not an audit event of this day (not JSON, not an event, or dated another day)",
};

/** Findings about the events inside files that match their signed manifests (verify --full reads every line). */
const EVENT_FINDINGS: ReadonlySet<VerifyProblem['kind']> = new Set(['event-duplicated', 'event-invalid']);

export function dayGuidance(details: DayDetails, retentionDays: number): DayGuidance | null {
  const { status } = details;
  if (status.state === 'tampered') return tamperedGuidance(details);
  if (status.state === 'failed') return failedGuidance(status.day, status.error, retentionDays);
  if (status.state === 'unrecoverable') return unrecoverableGuidance();
  return null;
}

function tamperedGuidance(details: DayDetails): DayGuidance {
  const found = details.problems.map((p) => FINDING_WORDS[p.kind]).filter((w): w is string => Boolean(w));
  const what = found.length > 0 ? [...new Set(found)].join('; ') : 'the archive no longer matches what was recorded';
  const failing = details.problems.filter((p) => isFailingProblem(p.kind));
  if (failing.length > 0 && failing.every((p) => EVENT_FINDINGS.has(p.kind))) return eventGuidance(what);
  return {
    tone: 'alarm',
    title: 'This day was changed after it was archived',
    happened: `Verification found that ${what}.`,
    meaning:
      'The copy of this day in the archive can no longer be relied on as written: an examiner would be told that its evidence was altered. The manifest and the finding below are the record of it; earlier locked versions may still hold the original.',
    steps: [
      'Keep the evidence: do not delete, re-export or overwrite anything for this day; the findings below name each file.',
      "Export this day's report (Reports, period this day to this day) to record the finding, signed with the archive's key.",
      'Tell your information-security team and your compliance lead now, with the day, the file and the finding; they decide whether the regulator must be told.',
      'Verify this day again in full once the storage has been investigated, to record what it shows then.',
    ],
  };
}

/**
 * Every file of the day matches its signed manifest (verify names lines only then), yet its lines
 * break "every event exactly once": whoever held a signing key of the archive wrote them so.
 */
function eventGuidance(what: string): DayGuidance {
  return {
    tone: 'alarm',
    title: "This day's archived events are not each there once",
    happened: `Verification read every event of the day and found that ${what}.`,
    meaning:
      "The day's files match their manifests, and the manifests are signed with the archive's key, so they were written this way by whoever held that key: a fault in the exporter, or someone else who has the key. Either way the archive cannot show each of this day's events exactly once, and an examiner would be told.",
    steps: [
      'Keep the evidence: do not delete, re-export or overwrite anything for this day; the findings below name each file and line.',
      "Export this day's report (Reports, period this day to this day) to record the finding, signed with the archive's key.",
      "Tell your information-security team and your compliance lead now, with the day and the findings: who holds the signing key, and the exporter's own logs of this day's runs, tell a fault from a forgery; they decide whether the regulator must be told.",
      'Verify this day again in full once it has been investigated, to record what it shows then.',
    ],
  };
}

function failedGuidance(day: Day, error: string | undefined, retentionDays: number): DayGuidance {
  return {
    tone: 'warning',
    title: 'The export of this day failed',
    happened: `The last attempt to archive this day did not finish${error ? `: ${error}` : ''}. Nothing of it was kept as evidence.`,
    meaning: `The archive holds no evidence for this day yet. Genesys still holds its events until ${addDays(day, retentionDays)} (UTC), so it can still be archived.`,
    steps: [
      'Retry the export (below), or use "Catch up now" on the calendar for every gap at once.',
      'If it fails again, the message above says why: fix that (connection, credentials, storage), then retry.',
    ],
  };
}

function unrecoverableGuidance(): DayGuidance {
  return {
    tone: 'info',
    title: 'This day can no longer be archived',
    happened: 'This day was never archived, and it is older than Genesys keeps audit events.',
    meaning:
      'The archive has no evidence for this day and cannot get it from Genesys any more. It is a known, accepted gap: it stays listed, apart from new problems.',
    steps: [
      'If the day was archived elsewhere, record where with your retention policy.',
      'Otherwise record the gap with your compliance records, or set the policy start date in Settings after it.',
    ],
  };
}

/**
 * A finding's detail as an officer reads it: an event count of -1 means the bytes could not be read
 * as gzip at all, which the raw text does not say.
 */
export function findingDetail(detail: string): string {
  return detail.replace(
    /(^|, )-1 events \(recorded ([\d,]+)\)/,
    '$1events could not be counted: the file is no longer valid gzip (recorded $2 events)',
  );
}

/** What each copy finding says happened to the day's objects in the second locked copy. */
const COPY_FINDING_WORDS: Record<CopyProblemKind, (n: string) => string> = {
  'copy-missing': (n) => `${n} missing from the copy`,
  'copy-different': (n) => `${n} in the copy with other bytes than the SHA-256 the primary's manifest records`,
  'copy-unlocked': (n) => `${n} in the copy not locked, or locked weaker or shorter than in the primary`,
};

/**
 * What the last copy check found wrong with the day in the second locked copy (null: nothing, or no
 * check covered the day). `checkedAt` is the check's time as shown: the words are about that check.
 */
export function copyGuidance(copy: DayCopy, checkedAt: string): DayGuidance | null {
  const problems = (copy.checked?.problems ?? []).filter((p) => isCopyProblemKind(p.kind));
  if (problems.length === 0) return null;
  const count = (kind: CopyProblemKind) => problems.filter((p) => p.kind === kind).length;
  const kinds = COPY_PROBLEM_KINDS.filter((k) => count(k) > 0);
  const found = kinds.map((k) => COPY_FINDING_WORDS[k](`${count(k)} ${count(k) === 1 ? 'object' : 'objects'}`));
  return {
    tone: 'warning',
    title: 'The second locked copy of this day does not match the primary',
    happened: `The copy check of ${checkedAt} found ${found.join('; ')} (${copy.target}). The findings below name each key.`,
    meaning:
      "The primary archive is still the evidence for this day: this finding is about the copy, not the primary (the primary's own verification says whether it is unaltered). But the backup set that SEC 17a-4(f)(2)(v) asks for, a copy that can serve if the primary is inaccessible, is incomplete for this day until the copy is repaired.",
    steps: copySteps(kinds, copy.mode),
  };
}

function copySteps(kinds: readonly CopyProblemKind[], mode: DayCopy['mode']): string[] {
  const steps: string[] = [];
  if (kinds.includes('copy-missing'))
    steps.push(
      mode === 'write'
        ? 'Run "Catch up now" on the calendar (or audit-archive catch-up): catch-up writes every object missing from the copy from the primary\'s verified bytes, never from Genesys, locked as long as in the primary, and reads it back.'
        : "The copy is filled by S3 Replication (check mode), so catch-up writes nothing there: have the replication rule and its status checked for the keys below, or set the copy to write mode in Settings so catch-up writes what is missing from the primary's verified bytes.",
    );
  if (kinds.includes('copy-different') || kinds.includes('copy-unlocked'))
    steps.push(
      "An object with other bytes or a weaker lock cannot be replaced on WORM storage, so catch-up cannot repair it: tell your information-security team and the copy bucket's owner, with the day and the keys below, and record it with your compliance records.",
    );
  steps.push('Check the copy again ("Check the copy" on the calendar) to record what it shows then.');
  return steps;
}
