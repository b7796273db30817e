/**
 * buildReport: an audit response report, from the cited results and the archive, in plain Node
 * (the CLI, the app's service and the tests all call it).
 *
 *   1. refuse what the report cannot answer for, before anything is written (a query that cannot
 *      run, a result outside the period or claiming a saved query it is not, an --out folder that
 *      cannot be written);
 *   2. run each cited result at report time, verify the archive over the period, compare each
 *      engine's events per day with the manifests, take each cited event's line from the archive
 *      (report-prepare.ts), checking every cited row against it;
 *   3. write the report folder: report.pdf, events.ndjson (the archive's lines), event-lines.ndjson,
 *      events.csv, evidence.json, each result's rows and metadata, the archive's own files and public
 *      key, README.txt, verify_bundle.py, SHA256SUMS and its signature by the archive's key; zip it
 *      reproducibly; leave a receipt with the bundle's SHA-256 beside it;
 *   4. optionally keep a copy in the archive (archive-copy.ts).
 *
 * A report over days whose verification fails is still written, and says so on its cover: the
 * receipt's `verified` is false (the CLI exits 1). Nothing is ever written over: the report
 * folder, bundle and receipt must not exist, and a failure removes what was begun (the --out
 * folder too, when this run made it). With a fixed generation time (`generatedAt`) the same archive
 * and inputs give the same bytes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileQuery } from '../../../shared/discovery/compile-query';
import type { SavedQuery } from '../../../shared/discovery/saved-query';
import { eachDay, type Day } from '../../../shared/day';
import { AuditArchiveError } from '../../../shared/errors';
import type { EventRow } from '../../../shared/reports/event-row';
import type { ReportPreview, ReportSummary } from '../../../shared/reports/report-contract';
import type { ArchiveFile, ReportEvidence, ResultEvidence } from '../../../shared/reports/report-evidence';
import { REPORT_RECEIPT_FORMAT, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import type { LeaseHolder } from '../archive/writer-lease';
import { writeArchiveCopy } from './archive-copy';
import { bundleReadme } from './bundle-readme';
import { SIGNATURE_NAME, writeSumsSignature } from './bundle-signature';
import { VERIFY_SCRIPT, VERIFY_SCRIPT_NAME } from './bundle-verify-script';
import { checkRecordedQuery, checkSavedQueryClaim } from './cited-results';
import { readEventRows, writeEventsNdjson } from './event-lines';
import { EventSummary } from './event-summary';
import { resolveFonts } from './pdf/fonts';
import { writeReportPdf } from './pdf/report-pdf';
import { writeBundleZip, writeSha256Sums, SUMS_NAME } from './report-bundle';
import { buildEvidence } from './report-evidence';
import {
  EVENT_LINES_NAME,
  eventFlagOf,
  writeArchiveCopyFiles,
  writeEventFiles,
  writeResultFiles,
} from './report-files';
import { checkReportOutDir, makeReportOutDir, removeReportOutDir } from './report-out-dir';
import { clockOf, prepareReport, type Prepared } from './report-prepare';

export { DEFAULT_FULL_VERIFY_LIMIT_BYTES, DEFAULT_OBJECTS_LIMIT_BYTES } from './report-prepare';
const PREVIEW_EVENTS = 25;

export { verificationPolicyOf } from './report-build-options';
export type { ReportBuildOptions, ReportInputs, VerificationPolicy } from './report-build-options';
import type { ReportBuildOptions, ReportInputs } from './report-build-options';
import { formatCount } from '../../../shared/format-count';

export interface GenerateReportOptions extends ReportBuildOptions {
  /** The report folder, its bundle and its receipt go here. */
  readonly outDir: string;
  readonly archiveCopy: boolean;
  /** Called while another writer holds the archive (archive copy). */
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
}

/** The id of a report: the UTC day it was generated and a hash of what it was made from and when. */
function reportIdFor(inputs: ReportInputs, archiveUrl: string, generatedAt: string): string {
  const sources = inputs.sources.map((s) =>
    s.kind === 'result'
      ? { result: s.metadata.resultId, sql: s.metadata.query.sql, parameters: s.metadata.query.positionalParameters }
      : { query: s.query, saved: s.savedQuery },
  );
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        request: inputs.request,
        period: inputs.period,
        sources,
        engine: inputs.engine ?? null,
        archiveUrl,
        generatedAt,
      }),
    )
    .digest('hex');
  return `AR-${generatedAt.slice(0, 10).replaceAll('-', '')}-${hash.slice(0, 8)}`;
}

/** Refuses what a report cannot answer for before anything runs. */
function checkInputs(inputs: ReportInputs, archiveUrl: string, library: readonly SavedQuery[]): void {
  const { from, to } = inputs.period;
  inputs.sources.forEach((s, i) => {
    // A query that cannot run as written (not one SELECT, a parameter missing) is bad input, not a finding.
    if (s.kind === 'query') {
      compileQuery(s.query, 'local'); // the text after the table definition is the same on every engine
      return;
    }
    const range = s.metadata.range;
    if (!range)
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `Result ${i + 1} was run over every day the archive holds; a report answers for a period. Run the query again with a date range inside ${from} to ${to}.`,
      );
    if (range.from < from || range.to > to)
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `Result ${i + 1} read ${range.from} to ${range.to}, outside the report's period ${from} to ${to}: choose a period that covers it.`,
      );
    if (s.metadata.archive !== archiveUrl)
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `Result ${i + 1} was run over ${s.metadata.archive.slice(0, 300)}, not over ${archiveUrl}, the archive this report reads: cite results of this archive.`,
      );
    checkRecordedQuery(s.metadata, i + 1);
    checkSavedQueryClaim(s.metadata, library, i + 1);
  });
}

interface Written {
  readonly summary: ReportSummary;
  readonly citedByDay: ReadonlyMap<Day, number>;
  readonly results: ResultEvidence[];
  readonly archiveFiles: ArchiveFile[];
  readonly bundleFindings: string[];
  readonly publicKey: string | null;
}

function resultEvidence(p: Prepared, rowsFile: (index: number) => string | null): ResultEvidence[] {
  return p.results.map((r) => ({
    ...r.evidence,
    rowsFile: rowsFile(r.evidence.index),
    eventsFound: r.evidence.idColumn ? r.eventsLocated : 0,
    fieldCheck: r.fieldCheck,
  }));
}

function evidenceOf(
  p: Prepared,
  o: ReportBuildOptions,
  w: Written,
  files: string[],
  rightToLeft: boolean,
): ReportEvidence {
  return buildEvidence({
    reportId: p.reportId,
    generatedAt: p.generatedAt,
    clock: p.clock,
    toolVersion: o.toolVersion,
    request: o.inputs.request,
    period: o.inputs.period,
    archiveUrl: o.archive.store.url,
    storage: { kind: o.archive.store.kind, worm: o.archive.store.kind !== 'local' },
    assessment: p.assessment,
    results: w.results,
    events: { count: p.collected.count, notFound: p.collected.notFound, files },
    citedByDay: w.citedByDay,
    verification: p.verify,
    signature: {
      signed: p.signer.signed,
      keyFingerprint: p.signer.fingerprint,
      reason: p.signer.signed ? null : p.signer.reason,
    },
    bundle: {
      publicKey: w.publicKey,
      archiveFiles: w.archiveFiles,
      objects: p.objectsPlan,
      eventLines: EVENT_LINES_NAME,
    },
    gaps: p.gaps,
    citedObjects: p.citedObjects,
    engineDays: p.engineDays,
    bundleFindings: w.bundleFindings,
    rightToLeft,
  });
}

/** The report model without writing a report: cover, results, summary and the first events (the Reports page's preview). */
export async function previewReport(o: ReportBuildOptions): Promise<ReportPreview> {
  const inputs = o.inputs;
  checkInputs(inputs, o.archive.store.url, o.library);
  const clock = clockOf(o);
  const reportId = reportIdFor(inputs, o.archive.store.url, clock.generatedAt);
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-archive-preview-'));
  try {
    const p = await prepareReport(o, clock, reportId, workDir, 'preview');
    try {
      const summary = new EventSummary();
      const citedByDay = new Map<Day, number>();
      const firstEvents: EventRow[] = [];
      await writeEventsNdjson(p.collected, { ndjson: path.join(workDir, 'events.ndjson') }, p.times, (row, from) => {
        summary.add(row, from.day);
        citedByDay.set(from.day, (citedByDay.get(from.day) ?? 0) + 1);
        if (firstEvents.length < PREVIEW_EVENTS) firstEvents.push(row);
      });
      const written: Written = {
        summary: summary.result(),
        citedByDay,
        results: resultEvidence(p, () => null),
        archiveFiles: [],
        bundleFindings: [],
        publicKey: null,
      };
      return { evidence: evidenceOf(p, o, written, [], false), summary: written.summary, firstEvents };
    } finally {
      await p.close();
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** Writes the report's folder (everything but SHA256SUMS and its signature); returns the evidence, the PDF's pages and the file names. */
async function writeReportFolder(
  p: Prepared,
  o: GenerateReportOptions,
  folder: string,
): Promise<{ evidence: ReportEvidence; pages: number; names: string[] }> {
  const progress = o.onProgress ?? (() => undefined);
  progress({ phase: 'writing', message: `Writing ${formatCount(p.collected.count)} events…` });
  const events = await writeEventFiles(p, folder, o.inputs.request.timeZone);
  const results = await writeResultFiles(p, folder);
  const days = [...eachDay(o.inputs.period.from, o.inputs.period.to)];
  const archived = await writeArchiveCopyFiles(p, o.archive.store, folder, days);
  const written: Written = {
    summary: events.summary,
    citedByDay: events.citedByDay,
    results: resultEvidence(p, (i) => results.rowsFiles.get(i) ?? null),
    archiveFiles: archived.files,
    bundleFindings: archived.findings,
    publicKey: archived.publicKey,
  };
  const copy = o.archiveCopy
    ? {
        bundleKey: reportBundleKey(o.archive.store.prefix, p.reportId),
        recordKey: reportRecordKey(o.archive.store.prefix, p.reportId),
      }
    : null;
  let evidence = evidenceOf(p, o, written, ['events.ndjson', 'events.csv', EVENT_LINES_NAME], false);
  const flagOf = eventFlagOf(p);
  const pdf = await writeReportPdf(
    {
      evidence,
      summary: written.summary,
      events: async function* () {
        for await (const { row, source } of readEventRows(
          path.join(folder, 'events.ndjson'),
          path.join(folder, EVENT_LINES_NAME),
          p.times,
        ))
          yield { row, flag: flagOf(source) };
      },
      rowResults: p.results
        .filter((r) => r.spool && !written.results[r.evidence.index - 1]?.idColumn)
        .map((r) => ({ index: r.evidence.index, columns: r.columns, rows: () => rowsOf(r.spool) })),
      archiveCopy: copy,
      fonts: o.fonts ?? resolveFonts(),
      onPage: (done, total) =>
        progress({ phase: 'pdf', message: `Writing the PDF: page ${done} of ${total}`, done, total }),
    },
    path.join(folder, 'report.pdf'),
  );
  evidence = { ...evidence, notes: { ...evidence.notes, rightToLeft: pdf.rightToLeft } };
  await fs.writeFile(path.join(folder, 'evidence.json'), JSON.stringify(evidence, null, 2) + '\n', { flag: 'wx' });
  await fs.writeFile(path.join(folder, 'README.txt'), bundleReadme(evidence, copy), { flag: 'wx' });
  await fs.writeFile(path.join(folder, VERIFY_SCRIPT_NAME), VERIFY_SCRIPT, { flag: 'wx', mode: 0o644 });
  const names = [
    ...events.names,
    ...results.names,
    ...archived.names,
    'report.pdf',
    'evidence.json',
    'README.txt',
    VERIFY_SCRIPT_NAME,
  ];
  return { evidence, pages: pdf.pages, names };
}

async function* rowsOf(spool: Prepared['results'][number]['spool']) {
  if (spool) for await (const page of spool.pages()) yield* page;
}

/** SHA256SUMS, its signature, the zip and the receipt; then the archive copy when asked for. */
async function finishBundle(
  p: Prepared,
  o: GenerateReportOptions,
  paths: { folder: string; zipFile: string; receiptFile: string },
  written: { evidence: ReportEvidence; pages: number; names: string[] },
): Promise<ReportReceipt> {
  (o.onProgress ?? (() => undefined))({
    phase: 'bundle',
    message: 'Writing SHA256SUMS, its signature and the bundle…',
  });
  const files = await writeSha256Sums(paths.folder, written.names);
  const signed = p.signer.signed ? p.signer : null;
  if (signed) await writeSumsSignature(paths.folder, signed.key, SUMS_NAME);
  const inZip = [...written.names, SUMS_NAME, ...(signed ? [SIGNATURE_NAME] : [])];
  const bundle = await writeBundleZip(paths.folder, p.reportId, inZip, paths.zipFile, p.generatedAt);
  let receipt: ReportReceipt = {
    format: REPORT_RECEIPT_FORMAT,
    reportId: p.reportId,
    reference: o.inputs.request.reference,
    generatedAt: p.generatedAt,
    period: o.inputs.period,
    archive: o.archive.store.url,
    folder: paths.folder,
    pdf: path.join(paths.folder, 'report.pdf'),
    bundle: paths.zipFile,
    bundleSha256: bundle.sha256,
    bundleSize: bundle.size,
    events: p.collected.count,
    pages: written.pages,
    verified: written.evidence.verdict.ok,
    headline: written.evidence.verdict.headline,
    findings: written.evidence.verdict.findings,
    gaps: written.evidence.gaps,
    signed: p.signer.signed,
    files,
    archiveCopy: null,
    archiveCopyError: null,
  };
  await fs.writeFile(paths.receiptFile, JSON.stringify(receipt, null, 2) + '\n', { flag: 'wx' });
  if (!o.archiveCopy) return receipt;
  (o.onProgress ?? (() => undefined))({ phase: 'archive-copy', message: 'Keeping a copy in the archive…' });
  try {
    const copy = await writeArchiveCopy(o.archive, {
      reportId: p.reportId,
      generatedAt: p.generatedAt,
      reference: o.inputs.request.reference,
      period: o.inputs.period,
      bundleFile: paths.zipFile,
      files,
      toolVersion: o.toolVersion,
      now: o.now ?? Date.now,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onWait ? { onWait: o.onWait } : {}),
    });
    receipt = { ...receipt, archiveCopy: copy };
  } catch (e) {
    // The report stands without its copy; the receipt (and the caller) say why.
    receipt = { ...receipt, archiveCopyError: e instanceof Error ? e.message : String(e) };
  }
  await fs.writeFile(paths.receiptFile, JSON.stringify(receipt, null, 2) + '\n', { flag: 'w' });
  return receipt;
}

/** Generates the report: its folder, bundle and receipt under `outDir`; returns the receipt. */
export async function generateReport(o: GenerateReportOptions): Promise<ReportReceipt> {
  checkInputs(o.inputs, o.archive.store.url, o.library);
  const out = await checkReportOutDir(o.outDir);
  // One clock for the whole report: its id is a hash of the inputs and the time the report states.
  const clock = clockOf(o);
  const reportId = reportIdFor(o.inputs, o.archive.store.url, clock.generatedAt);
  const paths = {
    folder: path.join(o.outDir, reportId),
    zipFile: path.join(o.outDir, `${reportId}.zip`),
    receiptFile: path.join(o.outDir, `${reportId}.receipt.json`),
  };
  for (const f of Object.values(paths))
    if (await exists(f))
      throw new AuditArchiveError('INVALID_ARGUMENT', `${f} exists already; reports are never written over.`);
  const madeOut = await makeReportOutDir(out);
  let done = false;
  let workDir: string | null = null;
  try {
    workDir = await fs.mkdtemp(path.join(o.outDir, '.report-'));
    const p = await prepareReport(o, clock, reportId, workDir, 'generate');
    try {
      await fs.mkdir(paths.folder);
      const written = await writeReportFolder(p, o, paths.folder);
      const receipt = await finishBundle(p, o, paths, written);
      done = true;
      return receipt;
    } finally {
      await p.close();
    }
  } finally {
    // A failed run leaves nothing: what it began, and the --out folder when it made it.
    if (!done)
      for (const f of Object.values(paths)) await fs.rm(f, { recursive: true, force: true }).catch(() => undefined);
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
    if (madeOut && !done) await removeReportOutDir(o.outDir);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}
