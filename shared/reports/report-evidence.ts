/**
 * ReportEvidence: `evidence.json` in every report bundle, and what the PDF's cover and evidence
 * appendix print. It states, for machines:
 * - the request and the period; the archive (id, root, signing-key fingerprint, chain head);
 * - each cited result: its exact query and parameters, engine, run, row count, and what running it
 *   again at report time gave; the events it names and how many of its ids name none;
 * - the population (PCAOB AS 15): every archived day of the period with its manifests and objects
 *   (key, version id, SHA-256, size, events, lock mode, retain-until), so a row count can be set
 *   against what was there to find, and nothing can have been truncated unseen;
 * - the verification run at report time, and the objects read back for the cited events;
 * - the verdict in words, and notes (what Genesys never records, what the PDF cannot show).
 */
import { z } from 'zod';
import { DaySchema } from '../day';
import { ResultEngineSchema, ResultMetadataSchema } from '../discovery/result-metadata';
import { ERROR_CODES } from '../errors';
import { LockModeSchema } from '../manifest';
import { VerifyProblemSchema } from '../verify';
import { ReportPeriodSchema, ReportRequestSchema } from './report-request';
import { ReportIdSchema } from './report-record';

export const REPORT_EVIDENCE_FORMAT = 'audit-archive/report-evidence@1';

const Instant = z.string().datetime({ offset: false });
const Sha256 = z.string();

export const ObjectEvidenceSchema = z.strictObject({
  key: z.string(),
  versionId: z.string().nullable(),
  /** SHA-256 of the stored (gzip) bytes, as the manifest recorded it. */
  sha256: Sha256,
  /** SHA-256 of the uncompressed NDJSON, as recorded. */
  sha256Raw: Sha256,
  size: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  lockMode: LockModeSchema.nullable(),
  retainUntil: Instant.nullable(),
  /** Read back at report time because cited events were taken from it (null: not read). */
  readBack: z
    .strictObject({
      sha256: Sha256,
      sha256Raw: Sha256,
      events: z.number().int(),
      matches: z.boolean(),
    })
    .nullable(),
});
export type ObjectEvidence = z.infer<typeof ObjectEvidenceSchema>;

export const ManifestEvidenceSchema = z.strictObject({
  key: z.string(),
  versionId: z.string().nullable(),
  sha256: Sha256,
  sequence: z.number().int().positive(),
  kind: z.enum(['export', 'reconcile']),
  createdAt: Instant,
  events: z.number().int().nonnegative(),
  dayEventsTotal: z.number().int().nonnegative(),
  objects: z.array(ObjectEvidenceSchema),
});
export type ManifestEvidence = z.infer<typeof ManifestEvidenceSchema>;

export const DayEvidenceSchema = z.strictObject({
  day: DaySchema,
  /** The day's manifests on the signed chain, by sequence (empty: the day is not archived). */
  manifests: z.array(ManifestEvidenceSchema),
  /** Events the archive holds for the day (its newest manifest's day total). */
  events: z.number().int().nonnegative(),
  /** Events of this report taken from the day. */
  cited: z.number().int().nonnegative(),
  /** What verification found for the day. */
  problems: z.array(VerifyProblemSchema),
});
export type DayEvidence = z.infer<typeof DayEvidenceSchema>;

export const ResultEvidenceSchema = z.strictObject({
  /** 1-based, as the PDF numbers results. */
  index: z.number().int().positive(),
  /** The saved or starter query's name, else what kind of query it is. */
  label: z.string(),
  /** `cited-result`: a result run before (its metadata as it was); `run-for-report`: run now. */
  origin: z.enum(['cited-result', 'run-for-report']),
  metadata: ResultMetadataSchema,
  /** A cited result's exact SQL and parameters, run again at report time. */
  rerun: z
    .strictObject({
      startedAt: Instant,
      finishedAt: Instant,
      runTimeMs: z.number().nonnegative(),
      rowCount: z.number().int().nonnegative(),
      engine: ResultEngineSchema,
      population: ResultMetadataSchema.shape.population,
    })
    .nullable(),
  /** The query could not be run at report time. */
  error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string() }).nullable(),
  /** The rows as returned, in the bundle (null: none could be read). */
  rowsFile: z.string().nullable(),
  /** The column holding event ids (null: the result names no events, e.g. counts). */
  idColumn: z.string().nullable(),
  /** Distinct ids in that column. */
  ids: z.number().int().nonnegative(),
  /** Of those, ids of archived events in the period (their events are in this report). */
  eventsFound: z.number().int().nonnegative(),
});
export type ResultEvidence = z.infer<typeof ResultEvidenceSchema>;

export const ReportEvidenceSchema = z.strictObject({
  format: z.literal(REPORT_EVIDENCE_FORMAT),
  reportId: ReportIdSchema,
  generatedAt: Instant,
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string() }),
  request: ReportRequestSchema,
  period: ReportPeriodSchema,
  archive: z.strictObject({
    url: z.string(),
    archiveId: z.string().nullable(),
    purpose: z.enum(['production', 'demo']).nullable(),
    organisation: z
      .strictObject({ id: z.string().nullable(), name: z.string().nullable(), apiHost: z.string() })
      .nullable(),
    root: z.strictObject({ key: z.string(), versionId: z.string().nullable(), sha256: Sha256 }).nullable(),
    /** SHA-256 of the signing key's public DER: every manifest is signed with it. */
    keyFingerprint: Sha256.nullable(),
    head: z.strictObject({ key: z.string(), sequence: z.number().int(), sha256: Sha256 }).nullable(),
  }),
  results: z.array(ResultEvidenceSchema),
  events: z.strictObject({
    count: z.number().int().nonnegative(),
    /** Event ids the cited results name that no vouched object of their day holds (tampering). */
    notFound: z.array(z.strictObject({ id: z.string(), day: DaySchema })),
    /** Ids the results name that are no archived event of the period. */
    idsWithoutEvent: z.number().int().nonnegative(),
    files: z.array(z.string()),
  }),
  population: z.strictObject({
    days: z.number().int().nonnegative(),
    archivedDays: z.number().int().nonnegative(),
    manifests: z.number().int().nonnegative(),
    objects: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    storedBytes: z.number().int().nonnegative(),
  }),
  days: z.array(DayEvidenceSchema),
  verification: z.strictObject({
    at: Instant,
    /** `full`: every object of the period hashed; `standard`: listing, versions, signatures, chain, locks (plus every object cited events came from, read back). */
    mode: z.enum(['full', 'standard']),
    ok: z.boolean(),
    from: DaySchema.nullable(),
    to: DaySchema.nullable(),
    manifestsChecked: z.number().int().nonnegative(),
    objectsChecked: z.number().int().nonnegative(),
    problems: z.array(VerifyProblemSchema),
    /** Objects read back for the cited events, and how many matched their manifests. */
    readBack: z.strictObject({ objects: z.number().int().nonnegative(), matched: z.number().int().nonnegative() }),
  }),
  verdict: z.strictObject({
    ok: z.boolean(),
    /** One sentence in words: what the cover says first. */
    headline: z.string(),
    /** Each finding that makes the verdict fail, in words. */
    findings: z.array(z.string()),
  }),
  notes: z.strictObject({
    /** What Genesys never records, in words. */
    redaction: z.string(),
    /** The events hold right-to-left text (Arabic, Hebrew), which the PDF shows unshaped, in logical order. */
    rightToLeft: z.boolean(),
  }),
});
export type ReportEvidence = z.infer<typeof ReportEvidenceSchema>;

/** What Genesys never records, as every report says it. */
export const REDACTION_NOTE =
  'Genesys Cloud never writes secret values into its audit trail: passwords, client secrets, tokens and similar ' +
  'values appear as [REDACTED] (or not at all) in the old and new values, by design. The record proves that the ' +
  'change happened, who made it and when, not the secret itself.';
