/**
 * The Reports page's IPC channels (request -> response schemas), merged into shared/ipc/contract.ts.
 *
 * A report is generated in main as a job: the page starts it, follows its progress (the phases and
 * the PDF's pages) as `report` events pushed from main (`reports:status` answers the same on
 * demand), and gets its receipt (paths, bundle SHA-256, verdict). Before that it may ask
 * for a preview: the same report model the PDF is drawn from (cover, results, summary and the first
 * events), which the page shows as HTML (the renderer's CSP forbids embedding a PDF).
 */
import * as z from 'zod';
import { ERROR_CODES } from '../errors';
import { EventRowSchema } from './event-row';
import { ReportEvidenceSchema } from './report-evidence';
import { ReportReceiptSchema } from './report-receipt';
import { ReportIdSchema } from './report-record';
import { ReportSpecSchema } from './report-request';

const JobId = z.string().regex(/^[0-9a-f-]{36}$/, 'must be a job id returned by reports:generate');

const ReportProgressSchema = z.strictObject({
  phase: z.enum(['queries', 'locating', 'verifying', 'events', 'writing', 'pdf', 'bundle', 'archive-copy']),
  message: z.string(),
  done: z.number().optional(),
  total: z.number().optional(),
});
export type ReportProgress = z.infer<typeof ReportProgressSchema>;

/** Counts by one field, most first, for the summary (the rest as one "others" entry). */
const CountsSchema = z.array(z.strictObject({ label: z.string(), count: z.number().int() }));

const ReportSummarySchema = z.strictObject({
  events: z.number().int().nonnegative(),
  byAction: CountsSchema,
  byUser: CountsSchema,
  byEntityType: CountsSchema,
  byService: CountsSchema,
  byDay: CountsSchema,
  failures: z.number().int().nonnegative(),
});
export type ReportSummary = z.infer<typeof ReportSummarySchema>;

const ReportPreviewSchema = z.strictObject({
  evidence: ReportEvidenceSchema,
  summary: ReportSummarySchema,
  /** The first events of the table, as the PDF's first events page shows them. */
  firstEvents: z.array(EventRowSchema),
});
export type ReportPreview = z.infer<typeof ReportPreviewSchema>;

/** Where a report job is: its last progress while running, its receipt or error once it ended. */
const ReportJobStatusSchema = z.object({
  state: z.enum(['running', 'succeeded', 'failed']),
  progress: ReportProgressSchema.nullable(),
  receipt: ReportReceiptSchema.nullable(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).nullable(),
});
export type ReportJobStatus = z.infer<typeof ReportJobStatusSchema>;

/** The `report` event: a report job's status, pushed on each new phase, at most a few times a second within one, and at its end. */
export const ReportJobEventSchema = ReportJobStatusSchema.extend({ jobId: z.string() });

export const reportsContract = {
  'reports:preview': {
    request: ReportSpecSchema,
    response: ReportPreviewSchema,
  },
  'reports:generate': {
    request: ReportSpecSchema.extend({
      /** Also write the bundle and a signed record into the archive under reports/<id>/, locked. */
      archiveCopy: z.boolean().default(false),
      /** Put the cited archived objects into the bundle (unset: when they weigh at most 100 MiB). */
      includeObjects: z.boolean().optional(),
    }),
    response: z.object({ jobId: z.string() }),
  },
  'reports:status': {
    request: z.strictObject({ jobId: JobId }),
    response: ReportJobStatusSchema,
  },
  'reports:list': {
    request: z.strictObject({}),
    response: z.object({ folder: z.string(), reports: z.array(ReportReceiptSchema) }),
  },
  'reports:check': {
    request: z.strictObject({ reportId: ReportIdSchema }),
    response: z.object({
      ok: z.boolean(),
      checks: z.array(z.object({ what: z.string(), ok: z.boolean(), detail: z.string() })),
    }),
  },
  'reports:open-folder': {
    request: z.strictObject({ reportId: ReportIdSchema }),
    /** `opened`: the desktop's file manager shows it; otherwise (dev:web) the page shows `path`. */
    response: z.object({ opened: z.boolean(), path: z.string() }),
  },
} as const;
