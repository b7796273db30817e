/**
 * Report copies (`reports/<id>/bundle.zip` + `record.json`): each key one version; the record
 * valid, this archive's, signed, and naming the bundle beside it at a version the archive holds.
 * Findings are archive-wide (no day).
 */
import type { ArchiveRoot } from '../../../../shared/archive-root';
import type { ReportRecord } from '../../../../shared/reports/report-record';
import {
  liveVersions,
  originalVersion,
  type ArchiveListing,
  type KeyVersions,
  type ReportKeys,
} from '../archive-listing';
import { reportRecordSigned, type KeyHistory } from '../key-succession';
import type { ReportRecordRead } from '../report-records';
import { checkVersions, type ProblemSink } from './problems';

/** A report copy whose record is valid, this archive's and signed (its keys may still have problems, reported). */
export interface ReportCopy {
  readonly reportId: string;
  readonly recordKey: string;
  readonly recordVersionId: string | null;
  readonly record: ReportRecord;
  /** Whether the bundle is in the archive at the version the record names. */
  readonly bundlePresent: boolean;
}

type ValidRead = Extract<ReportRecordRead, { ok: true }>;

export function assessReports(
  listing: ArchiveListing,
  root: ArchiveRoot | null,
  history: KeyHistory,
  reads: ReadonlyMap<string, ReportRecordRead>,
  problem: ProblemSink,
): ReportCopy[] {
  const copies: ReportCopy[] = [];
  for (const keys of listing.reports.values()) {
    if (keys.bundle) checkVersions(keys.bundle, null, problem, 'report bundle');
    if (keys.record) checkVersions(keys.record, null, problem, 'report record');
    const read = recordRead(keys, reads.get(keys.reportId), problem);
    if (!read || !root || !recordCounts(read, root, history, problem)) continue;
    const copy = checkBundle(keys, read, problem);
    if (copy) copies.push(copy);
  }
  return copies.sort((a, b) => (a.reportId < b.reportId ? -1 : 1));
}

/** The copy's record as read, when it is there and valid; otherwise reported. */
function recordRead(keys: ReportKeys, read: ReportRecordRead | undefined, problem: ProblemSink): ValidRead | null {
  if (!keys.record || !read) {
    if (!keys.record || originalVersion(keys.record)) {
      problem(
        null,
        'report-invalid',
        ((keys.record ?? keys.bundle) as KeyVersions).key,
        `The report copy ${keys.reportId} has no record (record.json) beside its bundle: the archive did not write it this way, or its record was removed. It proves nothing.`,
      );
    }
    return null;
  }
  if (!read.ok) {
    problem(null, 'report-invalid', read.key, read.detail);
    return null;
  }
  return read;
}

/** The record is this archive's and signed by a key that may sign it. */
function recordCounts(read: ValidRead, root: ArchiveRoot, history: KeyHistory, problem: ProblemSink): boolean {
  const r = read.record;
  if (r.archiveId !== root.archiveId) {
    problem(
      null,
      'report-invalid',
      read.key,
      `${read.key} belongs to another archive (${r.archiveId}), not ${root.archiveId}.`,
    );
    return false;
  }
  if (!reportRecordSigned(history, r, read.signed)) {
    problem(
      null,
      'signature-invalid',
      read.key,
      `${read.key} is not signed by this archive's key (fingerprint ${history.current?.fingerprint ?? root.signingKey.fingerprint}), nor by a retired key whose succession record lists it: the report copy was not written by this archive, or it was changed. It is ignored.`,
    );
    return false;
  }
  return true;
}

/** The record names the bundle beside it, which the archive holds at the recorded version and size. */
function checkBundle(keys: ReportKeys, read: ValidRead, problem: ProblemSink): ReportCopy | null {
  const r = read.record;
  if (r.reportId !== keys.reportId || !keys.bundle || r.bundle.key !== keys.bundle.key) {
    problem(
      null,
      keys.bundle ? 'report-invalid' : 'object-missing',
      read.key,
      keys.bundle
        ? `${read.key} names report ${r.reportId} and bundle ${r.bundle.key}, not the ones beside it.`
        : `${r.bundle.key}${r.bundle.versionId ? ` version ${r.bundle.versionId}` : ''}, the bundle ${read.key} records, is not in the archive.`,
    );
    return null;
  }
  const recorded = liveVersions(keys.bundle).find((v) => v.versionId === r.bundle.versionId);
  if (!recorded) {
    problem(
      null,
      'object-missing',
      keys.bundle.key,
      `${keys.bundle.key}${r.bundle.versionId ? ` version ${r.bundle.versionId}` : ''}, recorded by ${read.key}, is not in the archive.`,
    );
  } else if (recorded.size !== r.bundle.size) {
    problem(
      null,
      'hash-mismatch',
      keys.bundle.key,
      `${keys.bundle.key} is ${recorded.size} bytes; ${read.key} recorded ${r.bundle.size}.`,
    );
  }
  return {
    reportId: keys.reportId,
    recordKey: read.key,
    recordVersionId: read.versionId,
    record: r,
    bundlePresent: recorded !== undefined,
  };
}
