/**
 * The archive copy of a report (`--archive-copy`, the Reports page's "keep a copy in the archive"):
 * the bundle, then its record, written into the archive under `{prefix}/reports/<report-id>/` with
 * the lock every archived object gets, through the archive's one writer (the lease: an export and a
 * report never write at once). The record names the bundle by key, version id, SHA-256 and size,
 * lists the bundle's files and their SHA-256, and is signed with the archive's key like a manifest,
 * so a forged or swapped report is detectable; verify checks both (assessment.ts).
 */
import * as fs from 'node:fs/promises';
import { reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import { AuditArchiveError } from '../../../shared/errors';
import {
  REPORT_RECORD_FORMAT,
  ReportRecordSchema,
  type ReportFile,
  type UnsignedReportRecord,
} from '../../../shared/reports/report-record';
import type { ReportPeriod } from '../../../shared/reports/report-request';
import type { Archive } from '../archive/archive';
import { canonicalJsonBytes, sha256Hex } from '../archive/signing';
import type { LeaseHolder } from '../archive/writer-lease';

interface ArchiveCopyInput {
  readonly reportId: string;
  readonly generatedAt: string;
  readonly reference: string;
  readonly period: ReportPeriod;
  readonly bundleFile: string;
  readonly files: readonly ReportFile[];
  readonly toolVersion: string;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
}

interface ArchiveCopy {
  readonly bundleKey: string;
  readonly bundleVersionId: string | null;
  readonly recordKey: string;
  readonly recordVersionId: string | null;
}

export async function writeArchiveCopy(archive: Archive, input: ArchiveCopyInput): Promise<ArchiveCopy> {
  const snapshot = await archive.read({ scope: 'layout', ...(input.signal ? { signal: input.signal } : {}) });
  const root = snapshot.assessment.root;
  if (root.status !== 'ok') {
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `${archive.store.url} has no valid root object, so a report copy cannot be signed as this archive's. The report itself was written; run verify.`,
    );
  }
  const prefix = archive.store.prefix;
  const bundleKey = reportBundleKey(prefix, input.reportId);
  const recordKey = reportRecordKey(prefix, input.reportId);
  // The bundle is read whole: the stores write one body per object (a report is megabytes, not gigabytes).
  const body = await fs.readFile(input.bundleFile);
  return archive.withWriter(
    {
      purpose: root.root.purpose,
      organisation: root.root.organisation,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onWait ? { onWait: input.onWait } : {}),
    },
    async (writer) => {
      const bundle = await writer.putLocked({ key: bundleKey, body, contentType: 'application/zip' });
      const unsigned: UnsignedReportRecord = {
        format: REPORT_RECORD_FORMAT,
        archiveId: writer.root.archiveId,
        reportId: input.reportId,
        generatedAt: input.generatedAt,
        createdAt: new Date(input.now()).toISOString(),
        reference: input.reference.slice(0, 200),
        period: input.period,
        bundle: {
          key: bundleKey,
          versionId: bundle.versionId,
          sha256: sha256Hex(body),
          size: body.length,
          lockMode: bundle.lock?.mode ?? null,
          retainUntil: bundle.lock?.retainUntil ?? null,
        },
        files: [...input.files],
        tool: { name: 'audit-archive', version: input.toolVersion },
      };
      const record = ReportRecordSchema.parse(writer.sign(unsigned));
      const recordPut = await writer.putLocked({
        key: recordKey,
        body: canonicalJsonBytes(record),
        contentType: 'application/json',
      });
      return { bundleKey, bundleVersionId: bundle.versionId, recordKey, recordVersionId: recordPut.versionId };
    },
  );
}
