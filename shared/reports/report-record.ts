/**
 * ReportRecord: what the archive keeps beside an audit response report's bundle
 * (`{prefix}/reports/<report-id>/record.json`), so the answer an officer gave an examiner is
 * preserved with the evidence and a forged one is detectable.
 *
 * Like a manifest, it is canonical JSON signed (Ed25519) with the archive's key: it names the
 * bundle by key, version id, SHA-256 and size, and lists every file inside the bundle with its
 * SHA-256 (the bundle's own SHA256SUMS). Verify checks that both keys have exactly one version,
 * that the record is this archive's and signed, that the bundle is the one it names, and (full)
 * that the bundle's bytes hash to what it says.
 *
 * A record is read from the archive, so it is outside input: every string is bounded.
 */
import * as z from 'zod';
import { DaySchema } from '../day';
import { LockModeSchema, ManifestSignatureSchema, Sha256HexSchema } from '../manifest';

export const REPORT_RECORD_FORMAT = 'audit-archive/report-record@1';

/** A report id: `AR-` + the UTC day it was generated + 8 hex digits of its inputs' hash. */
export const ReportIdSchema = z
  .string()
  .regex(/^AR-\d{8}-[0-9a-f]{8}$/, 'must be a report id such as AR-20260320-1a2b3c4d');

export const ReportFileSchema = z.strictObject({
  /** Path inside the bundle's report folder (`report.pdf`, `results/result-1.csv`). */
  name: z.string().min(1).max(300),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
});
export type ReportFile = z.infer<typeof ReportFileSchema>;

export const ReportRecordSchema = z.strictObject({
  format: z.literal(REPORT_RECORD_FORMAT),
  archiveId: z.uuid(),
  reportId: ReportIdSchema,
  /** When the report was generated (its PDF says the same). */
  generatedAt: z.string().datetime({ offset: false }),
  /** When the copy was written into the archive. */
  createdAt: z.string().datetime({ offset: false }),
  reference: z.string().max(200),
  period: z.strictObject({ from: DaySchema, to: DaySchema }),
  bundle: z.strictObject({
    key: z.string().min(1).max(1024),
    versionId: z.string().max(1024).nullable(),
    sha256: Sha256HexSchema,
    size: z.number().int().nonnegative(),
    lockMode: LockModeSchema.nullable(),
    retainUntil: z.string().datetime({ offset: false }).nullable(),
  }),
  files: z.array(ReportFileSchema).max(1000),
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string().max(50) }),
  signature: ManifestSignatureSchema,
});
export type ReportRecord = z.infer<typeof ReportRecordSchema>;
export type UnsignedReportRecord = Omit<ReportRecord, 'signature'>;
