/**
 * ReportEvidence: `evidence.json` in every report bundle, and what the PDF's cover and evidence
 * appendix print. It states, for machines:
 * - the request and the period; the archive (id, root, signing-key fingerprint, chain head);
 * - each cited result: its exact query and parameters, engine, run, row count, and what running it
 *   again at report time gave; the events it names and how many of its ids name none;
 * - the population (PCAOB AS 15): every archived day of the period with its manifests and objects
 *   (key, version id, SHA-256, size, events, lock mode, retain-until), so a row count can be set
 *   against what was there to find, and nothing can have been truncated unseen;
 * - the verification run at report time, and the objects read back for the cited events (their
 *   SHA-256, size and lock as read back);
 * - what the bundle holds to prove itself offline: the archive's public key, the root object and
 *   manifests byte for byte, whether SHA256SUMS is signed (and why not), the cited objects;
 * - the days of the period that are not archived, and why (gaps are part of every answer);
 * - how each cited result's rows were checked: against the cited rows (by content), and row by row
 *   against the archived event lines (field by field), and the engine's events per day against the
 *   manifests;
 * - the verdict in words, and notes (what Genesys never records, what the PDF cannot show).
 */
import * as z from 'zod';
import { DaySchema } from '../day';
import { DayStateSchema } from '../day-status';
import { ResultEngineSchema, ResultMetadataSchema } from '../discovery/result-metadata';
import { ERROR_CODES } from '../errors';
import { LockModeSchema } from '../manifest';
import { VerifyProblemSchema, VerifyTrustSchema } from '../verify';
import { ReportPeriodSchema, ReportRequestSchema } from './report-request';
import { ReportIdSchema } from './report-record';

export const REPORT_EVIDENCE_FORMAT = 'audit-archive/report-evidence@1';

const Instant = z.string().datetime({ offset: false });
const Sha256 = z.string();

const ObjectEvidenceSchema = z.strictObject({
  key: z.string(),
  versionId: z.string().nullable(),
  /** SHA-256 of the stored (gzip) bytes, as the manifest recorded it. */
  sha256: Sha256,
  /** SHA-256 of the uncompressed NDJSON, as recorded. */
  sha256Raw: Sha256,
  size: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  /** The lock as its manifest recorded it when the object was written (null: none, a local folder). */
  lockMode: LockModeSchema.nullable(),
  retainUntil: Instant.nullable(),
});

const ManifestEvidenceSchema = z.strictObject({
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

const DayEvidenceSchema = z.strictObject({
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

const ResultEvidenceSchema = z.strictObject({
  /** 1-based, as the PDF numbers results. */
  index: z.number().int().positive(),
  /** The saved or starter query's name, else what kind of query it is. */
  label: z.string(),
  /** `cited-result`: a result run before (its metadata as it was); `run-for-report`: run now. */
  origin: z.enum(['cited-result', 'run-for-report']),
  metadata: ResultMetadataSchema,
  /** A cited result's query and parameters, run again at report time. */
  rerun: z
    .strictObject({
      startedAt: Instant,
      finishedAt: Instant,
      /** Null in a reproducible report (its time is fixed: durations are not recorded). */
      runTimeMs: z.number().nonnegative().nullable(),
      rowCount: z.number().int().nonnegative(),
      engine: ResultEngineSchema,
      population: ResultMetadataSchema.shape.population,
      /**
       * The SQL it ran, when not the recorded one: the same query after another definition of
       * `audit_events` (another engine's, shared/discovery/audit-events-table.ts). Absent: the recorded SQL.
       */
      sql: z.string().optional(),
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
  /**
   * The order of the rows in the rows file and the PDF: `query` as the query's ORDER BY gave them,
   * `sorted` by every column in turn (the query states no order, so the engine's order would vary
   * from run to run), `engine` as the engine returned them (too many to sort; no stated order).
   */
  order: z.enum(['query', 'sorted', 'engine']),
  /** A cited result's rows at report time against the rows it was cited with (null: run for the report). */
  comparison: z
    .strictObject({
      /** `content`: every row compared by its content (the cited rows were at hand); `count`: only the row count. */
      method: z.enum(['content', 'count']),
      /** Where the cited rows came from (a file name, the Discovery page's result). */
      source: z.string().nullable(),
      /** Cited rows not returned at report time, and rows returned that were not cited. */
      missing: z.number().int().nonnegative(),
      extra: z.number().int().nonnegative(),
      /** Up to ten of those, by event id where the result has one, else as the row's text. */
      missingExamples: z.array(z.string()),
      extraExamples: z.array(z.string()),
    })
    .nullable(),
  /** Each row naming an event, compared field by field with that event's archived line. */
  fieldCheck: z.strictObject({
    /** Columns compared (named like an event field), and columns that are not event fields. */
    columns: z.array(z.string()),
    notCompared: z.array(z.string()),
    rows: z.number().int().nonnegative(),
    mismatches: z.number().int().nonnegative(),
    /** Up to twenty differing values. */
    examples: z.array(z.strictObject({ id: z.string(), column: z.string(), result: z.string(), archived: z.string() })),
  }),
});
export type ResultEvidence = z.infer<typeof ResultEvidenceSchema>;

/** A lock as read back from the store at report time. */
const LockReadSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('locked'), mode: LockModeSchema, retainUntil: Instant }),
  /** The store reports no lock on it now. */
  z.strictObject({ state: z.literal('none') }),
  /** A local folder: not WORM storage, it has no locks, and none was checked. */
  z.strictObject({ state: z.literal('not-checked') }),
]);
export type LockRead = z.infer<typeof LockReadSchema>;

/** An archive file the bundle holds byte for byte under `archive/<key>`. */
const ArchiveFileSchema = z.strictObject({
  /**
   * `root`: archive.json; `manifest`: one the report relies on; `chain`: one linking the period to
   * the head; `succession`: a key-succession record linking the root's key to the key in effect;
   * `object`: a cited archived object.
   */
  role: z.enum(['root', 'manifest', 'chain', 'succession', 'object']),
  key: z.string(),
  versionId: z.string().nullable(),
  /** Its path in the bundle. */
  file: z.string(),
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  lock: LockReadSchema,
});
export type ArchiveFile = z.infer<typeof ArchiveFileSchema>;

/** An archived object cited events were taken from, read back at report time. */
const CitedObjectSchema = z.strictObject({
  day: DaySchema,
  key: z.string(),
  versionId: z.string().nullable(),
  /** The manifest that names it. */
  manifestKey: z.string(),
  /** As its manifest recorded them. */
  recorded: z.strictObject({
    sha256: Sha256,
    sha256Raw: Sha256,
    size: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
  }),
  /** As read back at report time (events -1, raw hash empty: not valid gzip). */
  readBack: z.strictObject({
    sha256: Sha256,
    sha256Raw: Sha256,
    size: z.number().int().nonnegative(),
    events: z.number().int(),
  }),
  matches: z.boolean(),
  lock: LockReadSchema,
  /** Its bytes in the bundle (null: not included). */
  file: z.string().nullable(),
});
export type CitedObject = z.infer<typeof CitedObjectSchema>;

/** A day of the period that is not archived, and why (as the archive calendar says it). */
export const ReportGapSchema = z.strictObject({
  day: DaySchema,
  state: DayStateSchema,
  detail: z.string(),
});
export type ReportGap = z.infer<typeof ReportGapSchema>;

export const ReportEvidenceSchema = z.strictObject({
  format: z.literal(REPORT_EVIDENCE_FORMAT),
  reportId: ReportIdSchema,
  generatedAt: Instant,
  /** `fixed`: the generation time was given (SOURCE_DATE_EPOCH, --generated-at) for a reproducible report. */
  clock: z.enum(['system', 'fixed']),
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
    /**
     * SHA-256 of the public DER of the key in effect at report time (the root's, or its successor
     * after a rotation or restart): archive-public-key.pem, and the key that signs SHA256SUMS.
     */
    keyFingerprint: Sha256.nullable(),
    /**
     * The archive's keys, oldest first: the root's, then each one a key-succession record brought
     * in (`rotation`: signed by the key before it; `restart`: a lost key replaced, signed by the new
     * key only). Manifests after `afterSequence` (up to the next key's) are signed by that key.
     * Absent in bundles made before key succession: the root's key alone.
     */
    keys: z
      .array(
        z.strictObject({
          fingerprint: Sha256,
          via: z.enum(['root', 'rotation', 'restart']),
          afterSequence: z.number().int().nonnegative(),
          /** The key-succession record that brought it in (null for the root's key), in the bundle. */
          record: z.string().nullable(),
          /** When that record says the key changed (null for the root's key). */
          changedAt: Instant.nullable(),
        }),
      )
      .default([]),
    head: z.strictObject({ key: z.string(), sequence: z.number().int(), sha256: Sha256 }).nullable(),
    /** Where the archive is kept: only S3 with Object Lock (or Azure immutable blob) is WORM storage. */
    storage: z.strictObject({ kind: z.enum(['s3', 'local', 'azure']), worm: z.boolean() }),
  }),
  /** SHA256SUMS.sig: the archive key's Ed25519 signature of SHA256SUMS, or why there is none. */
  signature: z.strictObject({
    signed: z.boolean(),
    keyFingerprint: Sha256.nullable(),
    reason: z.string().nullable(),
  }),
  /** What the bundle holds so it proves itself without the app. */
  bundle: z.strictObject({
    /** The archive's public key (SPKI PEM), null when the archive has no valid root. */
    publicKey: z.string().nullable(),
    archiveFiles: z.array(ArchiveFileSchema),
    /** Whether the cited objects themselves are in the bundle, and why (or why not). */
    objects: z.strictObject({
      included: z.boolean(),
      bytes: z.number().int().nonnegative(),
      limitBytes: z.number().int().nonnegative(),
      reason: z.string(),
    }),
    /** One line per event of events.ndjson: its SHA-256 and where it sits in the archive. */
    eventLines: z.string(),
  }),
  /** Days of the period that are not archived, with their state (missing, failed, pending, …). */
  gaps: z.array(ReportGapSchema),
  /** Legal holds (signed hold records) whose period overlaps the report's; absent: none. */
  holds: z
    .array(z.strictObject({ matter: z.string(), from: DaySchema, to: DaySchema, reference: z.string() }))
    .optional(),
  /**
   * The second locked copy (archive.copy.target), checked over the period at report time: every
   * object the manifests vouch for read in the copy and hashed, its lock read. Absent: no copy is
   * set, and the report says nothing about one.
   */
  secondCopy: z
    .strictObject({
      target: z.string(),
      mode: z.enum(['write', 'check']),
      at: Instant,
      objectsChecked: z.number().int().nonnegative(),
      matched: z.boolean(),
      problems: z.array(VerifyProblemSchema),
    })
    .optional(),
  citedObjects: z.array(CitedObjectSchema),
  /** The query engine's events per day against the manifests' counts (each engine the results ran on). */
  engineDays: z.array(
    z.strictObject({
      engine: z.enum(['local', 'athena']),
      days: z.number().int().nonnegative(),
      mismatches: z.array(
        z.strictObject({
          day: DaySchema,
          engine: z.number().int().nonnegative(),
          archived: z.number().int().nonnegative(),
        }),
      ),
      /** Why it could not be compared (the count query failed). */
      error: z.string().nullable(),
    }),
  ),
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
    /** `full`: every object of the period hashed and every event read (main/engine/archive/verify/day-events.ts); `standard`: listing, versions, signatures, chain, locks (plus every object cited events came from, read back). */
    mode: z.enum(['full', 'standard']),
    ok: z.boolean(),
    from: DaySchema.nullable(),
    to: DaySchema.nullable(),
    manifestsChecked: z.number().int().nonnegative(),
    objectsChecked: z.number().int().nonnegative(),
    problems: z.array(VerifyProblemSchema),
    /** Objects read back for the cited events, and how many matched their manifests. */
    readBack: z.strictObject({ objects: z.number().int().nonnegative(), matched: z.number().int().nonnegative() }),
    /**
     * What the key and the head were checked against: the fingerprint and head the officer gave
     * (`expected`), this installation's head record (`recorded`), or nothing (`first-use`). Null
     * when the archive has no valid root; absent in bundles made before it was stated.
     */
    trust: VerifyTrustSchema.nullable().default(null),
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
