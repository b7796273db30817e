/**
 * The archive calendar: the state of every day in a range, computed from ONE listing of the archive.
 *
 * Pure over an ArchiveIndex (one version listing: 7 years is a handful of LIST requests) plus the
 * local run journal for what a listing cannot show cheaply (event counts, the last failure, the last
 * verification's findings). No request per day: event counts come from the journal, which records
 * them when a day is exported and when verify reads the manifests; a day archived by another
 * machine shows without a count until verify has run here.
 */
import { dayFromMs, eachDay, firstRecoverableDay, isSettled, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { isFailingProblem } from '../../../shared/verify';
import { dataFolder, manifestFolder } from '../../../shared/archive-layout';
import type { ArchiveIndex } from './archive-index';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';
import { readArchiveIndex } from './read-archive-index';
import type { RunJournalSnapshot } from './run-journal';

export interface DayStatusInput {
  readonly index: ArchiveIndex;
  readonly from: Day;
  readonly to: Day;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly settlementMinutes: number;
  /** Days Genesys keeps audit events (older gaps are unrecoverable). */
  readonly genesysRetentionDays: number;
  /** Days before it are `not-required`. */
  readonly policyStartDate?: Day;
  readonly journal?: RunJournalSnapshot;
}

/**
 * The state of each day of [from, to], ascending.
 *
 * Precedence, most alarming first: a delete marker over any key of the day, or a failing problem the
 * last verification recorded for an archived day, is `tampered`; a live manifest is `archived`;
 * otherwise `not-required` before the policy start, `pending` until settled, `failed` when the
 * journal's last attempt failed and Genesys still holds the day, `unrecoverable` beyond Genesys
 * retention, else `missing`.
 */
export function computeDayStatuses(input: DayStatusInput): DayStatus[] {
  const { index, journal } = input;
  const firstRecoverable = firstRecoverableDay(input.now, input.genesysRetentionDays);
  const out: DayStatus[] = [];
  for (const day of eachDay(input.from, input.to)) {
    const entry = index.days.get(day);
    const record = journal?.day(day);
    const marker = entry?.deleteMarkers[0];
    if (marker) {
      out.push({ day, state: 'tampered', ...events(record), error: `A delete marker hides ${marker.key}: run verify for details.` });
      continue;
    }
    if (entry && entry.manifests.length > 0) {
      const problem = journal?.verifyProblems(day).find((p) => isFailingProblem(p.kind));
      if (problem) out.push({ day, state: 'tampered', ...events(record), error: `${problem.kind}: ${problem.detail}` });
      else out.push({ day, state: 'archived', ...events(record) });
      continue;
    }
    if (input.policyStartDate && day < input.policyStartDate) {
      out.push({ day, state: 'not-required' });
    } else if (!isSettled(day, input.now, input.settlementMinutes)) {
      out.push({ day, state: 'pending' });
    } else if (day < firstRecoverable) {
      out.push({ day, state: 'unrecoverable', ...(record?.failure ? { error: failureText(record.failure) } : {}) });
    } else if (record?.failure) {
      out.push({ day, state: 'failed', error: failureText(record.failure) });
    } else {
      out.push({ day, state: 'missing' });
    }
  }
  return out;
}

function events(record: { events?: number } | undefined): { events?: number } {
  return record?.events === undefined ? {} : { events: record.events };
}

function failureText(f: { code: string; message: string; at: string }): string {
  return `${f.code}: ${f.message} (at ${f.at})`;
}

/** Counts per state, for summaries (CLI, demo, the calendar header). */
export function countStates(statuses: readonly DayStatus[]): Record<DayStatus['state'], number> {
  const counts = { archived: 0, missing: 0, unrecoverable: 0, pending: 0, failed: 0, tampered: 0, 'not-required': 0 };
  for (const s of statuses) counts[s.state] += 1;
  return counts;
}

/**
 * The default calendar range: from the earliest of (policy start, first day in the archive, start
 * of the Genesys window) to today (today shows `pending`).
 */
export function defaultStatusRange(
  index: ArchiveIndex,
  now: number,
  genesysRetentionDays: number,
  policyStartDate?: Day,
): { from: Day; to: Day } {
  let from = policyStartDate ?? firstRecoverableDay(now, genesysRetentionDays);
  for (const day of index.days.keys()) if (day < from) from = day;
  return { from, to: dayFromMs(now) };
}

/** The default catch-up range: the start of the Genesys window (or the policy start, if later) to the last settled day. */
export function defaultCatchUpFrom(now: number, genesysRetentionDays: number, policyStartDate?: Day): Day {
  const first = firstRecoverableDay(now, genesysRetentionDays);
  return policyStartDate && policyStartDate > first ? policyStartDate : first;
}

/**
 * The listing the calendar needs, with the manifest and data folders listed concurrently: the same
 * requests as one listing of the prefix (S3 pages through each folder 1,000 keys at a time), in about
 * half the wall time. Keys outside the two layout folders are not listed (verify reports those).
 */
export function readCalendarIndex(store: ArchiveStore): Promise<ArchiveIndex> {
  const view: ArchiveStore = {
    kind: store.kind,
    url: store.url,
    prefix: store.prefix,
    get requestCount() {
      return store.requestCount;
    },
    checkReady: (policy) => store.checkReady(policy),
    putObject: (input) => store.putObject(input),
    headObject: (key, versionId) => store.headObject(key, versionId),
    getObject: (key, versionId) => store.getObject(key, versionId),
    listVersions: () => listLayoutFolders(store),
  };
  return readArchiveIndex(view);
}

async function* listLayoutFolders(store: ArchiveStore): AsyncIterable<ObjectVersionEntry> {
  const folders = [manifestFolder(store.prefix), dataFolder(store.prefix)];
  const listed = await Promise.all(
    folders.map(async (folder) => {
      const entries: ObjectVersionEntry[] = [];
      for await (const entry of store.listVersions(folder)) entries.push(entry);
      return entries;
    }),
  );
  for (const entries of listed) yield* entries;
}
