/**
 * ReportReceipt: what the builder leaves beside each report (`<out>/<report-id>.receipt.json`) and
 * the app lists as a past report: where its files are, the bundle's SHA-256 (which cannot be inside
 * the bundle itself), the verdict, and the archive copy's keys and versions when one was written.
 */
import * as z from 'zod';
import { ReportGapSchema } from './report-evidence';
import { ReportPeriodSchema } from './report-request';
import { ReportFileSchema, ReportIdSchema } from './report-record';

export const REPORT_RECEIPT_FORMAT = 'audit-archive/report-receipt@1';

export const ReportReceiptSchema = z.strictObject({
  format: z.literal(REPORT_RECEIPT_FORMAT),
  reportId: ReportIdSchema,
  reference: z.string(),
  generatedAt: z.string().datetime({ offset: false }),
  period: ReportPeriodSchema,
  archive: z.string(),
  /** The report's folder (the bundle's contents, unzipped). */
  folder: z.string(),
  pdf: z.string(),
  bundle: z.string(),
  bundleSha256: z.string(),
  bundleSize: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  verified: z.boolean(),
  headline: z.string(),
  /** Each finding that makes the verdict fail, as the cover lists them. */
  findings: z.array(z.string()),
  /** The days of the period that are not archived. */
  gaps: z.array(ReportGapSchema),
  /** Whether SHA256SUMS is signed with the archive's key (SHA256SUMS.sig). */
  signed: z.boolean(),
  files: z.array(ReportFileSchema),
  archiveCopy: z
    .strictObject({
      bundleKey: z.string(),
      bundleVersionId: z.string().nullable(),
      recordKey: z.string(),
      recordVersionId: z.string().nullable(),
    })
    .nullable(),
  /** Why the archive copy was not written, when it was asked for. */
  archiveCopyError: z.string().nullable(),
});
export type ReportReceipt = z.infer<typeof ReportReceiptSchema>;
