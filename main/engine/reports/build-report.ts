/**
 * buildReport: an audit response report, from the cited results and the archive, in plain Node
 * (the CLI, the app's service and the tests all call it).
 *
 *   1. run each cited result at report time (a recorded one with its exact SQL and parameters) and
 *      find the day of every event it names;
 *   2. verify the archive over the report's period (full: every object hashed, when the period's
 *      objects weigh at most `fullVerifyLimitBytes`; else the standard checks);
 *   3. take each cited event's line from the vouched objects of its day, by id, byte for byte,
 *      hashing every object read against its manifest;
 *   4. write the report folder: report.pdf, events.ndjson (the archive's lines), events.csv,
 *      evidence.json, each result's rows and metadata, README.txt and SHA256SUMS; zip it
 *      reproducibly; leave a receipt with the bundle's SHA-256 beside it;
 *   5. optionally keep a copy in the archive (archive-copy.ts).
 *
 * A report over days whose verification fails is still written, and says so on its cover: the
 * receipt's `verified` is false (the CLI exits 1). Bad input (a query that cannot run as written, a
 * result outside the period) stops before anything is written. Nothing is ever written over: the
 * report folder, bundle and receipt must not exist, and a failure removes what was begun.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { formatFingerprint } from '../../../shared/archive-root';
import { compileQuery } from '../../../shared/discovery/compile-query';
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import type { Day } from '../../../shared/day';
import { AuditArchiveError } from '../../../shared/errors';
import { EventTimeFormat, type EventRow } from '../../../shared/reports/event-row';
import type { ReportPreview, ReportProgress } from '../../../shared/reports/report-contract';
import type { ReportEvidence, ResultEvidence } from '../../../shared/reports/report-evidence';
import { REPORT_RECEIPT_FORMAT, type ReportReceipt } from '../../../shared/reports/report-receipt';
import type { ReportPeriod, ReportRequest } from '../../../shared/reports/report-request';
import { reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import type { LockMode } from '../../../shared/manifest';
import { calendarRulesOf, type Settings } from '../../../shared/settings';
import type { Archive } from '../archive/archive';
import { verifyArchive, type VerifyResult } from '../archive/verify';
import type { LeaseHolder } from '../archive/writer-lease';
import type { QueryEngine } from '../discovery/query-engine';
import { csvRows, ResultWriter } from '../discovery/result-export';
import { writeArchiveCopy } from './archive-copy';
import { checkRecordedQuery, runCitedResults, type CitedResult, type CitedSource } from './cited-results';
import {
  collectEventLines,
  readEventRows,
  write,
  writeEventsNdjson,
  type CollectedEvents,
  type ObjectToRead,
} from './event-lines';
import { EventSummary } from './event-summary';
import { resolveFonts, type ResolvedFonts } from './pdf/fonts';
import { writeReportPdf } from './pdf/report-pdf';
import { writeBundleZip, writeSha256Sums, SUMS_NAME } from './report-bundle';
import { buildEvidence } from './report-evidence';

/** Above this, the period's objects are not all hashed at report time (the cited ones always are). */
export const DEFAULT_FULL_VERIFY_LIMIT_BYTES = 1024 ** 3;
const PREVIEW_EVENTS = 25;

export interface ReportInputs {
  readonly request: ReportRequest;
  readonly period: ReportPeriod;
  readonly sources: readonly CitedSource[];
  /** Where the cited queries run (default: a result's own engine; queries: `defaultEngine`). */
  readonly engine?: QueryEngineKind;
}

export interface VerificationPolicy {
  readonly settlementMinutes: number;
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
}

/** The verification a report runs, as the settings describe the archive. */
export function verificationPolicyOf(settings: Settings): VerificationPolicy {
  return {
    ...calendarRulesOf(settings),
    policy: { lockMode: settings.archive.lockMode, retentionDays: settings.archive.retentionDays },
  };
}

export interface ReportBuildOptions {
  /** The archive read, verified and (archive copy) written; the caller's installation state. */
  readonly archive: Archive;
  readonly inputs: ReportInputs;
  /** Opens a query engine of a kind (closed by the builder when it is done). */
  readonly openEngine: (kind: QueryEngineKind) => QueryEngine;
  readonly defaultEngine: QueryEngineKind;
  readonly verification: VerificationPolicy;
  readonly toolVersion: string;
  readonly now?: () => number;
  readonly fonts?: ResolvedFonts;
  readonly fullVerifyLimitBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReportProgress) => void;
}

export interface GenerateReportOptions extends ReportBuildOptions {
  /** The report folder, its bundle and its receipt go here. */
  readonly outDir: string;
  readonly archiveCopy: boolean;
  /** Called while another writer holds the archive (archive copy). */
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
}

interface Prepared {
  readonly reportId: string;
  readonly generatedAt: string;
  /** The cited results, their located ids dropped once the events are read (only their number is kept). */
  readonly results: ReadonlyArray<CitedResult & { readonly eventsLocated: number }>;
  readonly assessment: Awaited<ReturnType<Archive['read']>>['assessment'];
  readonly verify: { result: VerifyResult; mode: 'full' | 'standard'; at: string };
  readonly collected: CollectedEvents;
  readonly times: EventTimeFormat;
}

/** The id of a report: the UTC day it was generated and a hash of what it was made from. */
export function reportIdFor(inputs: ReportInputs, archiveUrl: string, generatedAt: string): string {
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
function checkInputs(inputs: ReportInputs, archiveUrl: string): void {
  const { from, to } = inputs.period;
  inputs.sources.forEach((s, i) => {
    // A query that cannot run as written (not one SELECT, a parameter missing) is bad input, not a finding.
    if (s.kind === 'query') {
      compileQuery(s.query);
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
  });
}

async function prepare(
  o: ReportBuildOptions,
  workDir: string,
  mode: 'generate' | 'preview',
): Promise<Prepared & { close(): Promise<void> }> {
  const now = o.now ?? Date.now;
  const { inputs, archive } = o;
  checkInputs(inputs, archive.store.url);
  const generatedAt = new Date(now()).toISOString();
  const reportId = reportIdFor(inputs, archive.store.url, generatedAt);
  const progress = o.onProgress ?? (() => undefined);
  const engines = new Map<QueryEngineKind, QueryEngine>();
  const engineFor = (kind: QueryEngineKind) => {
    let e = engines.get(kind);
    if (!e) engines.set(kind, (e = o.openEngine(kind)));
    return e;
  };
  const results: CitedResult[] = [];
  const closeEngines = async () => {
    for (const e of engines.values()) await e.close().catch(() => undefined);
    engines.clear();
  };
  const close = async () => {
    for (const r of results) await r.spool?.dispose();
    await closeEngines();
  };
  try {
    // Every engine the sources run on, opened first: one that is not configured is bad input, refused before anything runs.
    for (const s of inputs.sources)
      engineFor(inputs.engine ?? (s.kind === 'result' ? s.metadata.engine.kind : o.defaultEngine));
    results.push(
      ...(await runCitedResults(inputs.sources, {
        engineFor,
        engine: inputs.engine,
        defaultEngine: o.defaultEngine,
        archiveUrl: archive.store.url,
        spoolFolder: workDir,
        resultIdPrefix: reportId,
        now,
        ...(o.signal ? { signal: o.signal } : {}),
        onProgress: (message, done, total) => progress({ phase: 'queries', message, done, total }),
      })),
    );
    // The results are spooled: DuckDB's memory is given back before the events are read and written.
    await closeEngines();

    progress({ phase: 'locating', message: 'Reading the manifests of the period…' });
    const snapshot = await archive.read({ scope: 'layout', ...(o.signal ? { signal: o.signal } : {}) });
    const { from, to } = inputs.period;
    let periodBytes = 0;
    for (const [day, evidence] of snapshot.assessment.days)
      if (day >= from && day <= to)
        for (const c of evidence.manifests) for (const x of c.manifest.objects) periodBytes += x.size;
    const full = mode === 'generate' && periodBytes <= (o.fullVerifyLimitBytes ?? DEFAULT_FULL_VERIFY_LIMIT_BYTES);

    progress({ phase: 'verifying', message: `Verifying ${from} to ${to}${full ? ' (every object hashed)' : ''}…` });
    const verifyAt = new Date(now()).toISOString();
    const verified = await verifyArchive({
      archive,
      from,
      to,
      full,
      now: now(),
      settlementMinutes: o.verification.settlementMinutes,
      genesysRetentionDays: o.verification.genesysRetentionDays,
      ...(o.verification.policyStartDate ? { policyStartDate: o.verification.policyStartDate } : {}),
      policy: o.verification.policy,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) =>
        progress({
          phase: 'verifying',
          message: p.phase === 'listing' ? 'Listing the archive…' : 'Checking objects…',
          done: p.done,
          total: p.total,
        }),
    });

    const wanted = new Map<Day, Set<string>>();
    for (const r of results)
      for (const [day, ids] of r.located) {
        const set = wanted.get(day) ?? new Set<string>();
        for (const id of ids) set.add(id);
        wanted.set(day, set);
      }
    const objectsOf = (day: Day): ObjectToRead[] =>
      (snapshot.assessment.days.get(day)?.manifests ?? []).flatMap((c) =>
        c.manifest.objects.map((x) => ({
          day,
          key: x.key,
          versionId: x.versionId,
          sha256: x.sha256,
          sha256Raw: x.sha256Raw,
          events: x.events,
        })),
      );
    const collected = await collectEventLines(archive.store, wanted, objectsOf, path.join(workDir, 'events.spool'), {
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (done, total) =>
        progress({
          phase: 'events',
          message: `Reading the cited events from the archive: object ${done} of ${total}`,
          done,
          total,
        }),
    });
    // The located ids (a string per event) would stay live through the PDF for a count: only the
    // count is kept (here, and in the list `close` disposes the spools from).
    const lean = results.map((r) => ({
      ...r,
      located: new Map<Day, Set<string>>(),
      eventsLocated: [...r.located.values()].reduce((n, s) => n + s.size, 0),
    }));
    results.splice(0, results.length, ...lean);
    return {
      reportId,
      generatedAt,
      results: lean,
      assessment: snapshot.assessment,
      verify: { result: verified, mode: full ? 'full' : 'standard', at: verifyAt },
      collected,
      times: new EventTimeFormat(inputs.request.timeZone),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function resultEvidence(p: Prepared, rowsFile: (r: CitedResult) => string | null): ResultEvidence[] {
  return p.results.map((r) => ({
    ...r.evidence,
    rowsFile: rowsFile(r),
    eventsFound: r.evidence.idColumn ? r.eventsLocated : 0,
  }));
}

function evidenceOf(
  p: Prepared,
  o: ReportBuildOptions,
  results: ResultEvidence[],
  citedByDay: Map<Day, number>,
  files: string[],
  rightToLeft: boolean,
): ReportEvidence {
  return buildEvidence({
    reportId: p.reportId,
    generatedAt: p.generatedAt,
    toolVersion: o.toolVersion,
    request: o.inputs.request,
    period: o.inputs.period,
    archiveUrl: o.archive.store.url,
    assessment: p.assessment,
    results,
    events: { count: p.collected.count, notFound: p.collected.notFound, files },
    citedByDay,
    verification: p.verify,
    readBack: p.collected.readBack,
    rightToLeft,
  });
}

/** The report model without writing a report: cover, results, summary and the first events (the Reports page's preview). */
export async function previewReport(o: ReportBuildOptions): Promise<ReportPreview> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-archive-preview-'));
  try {
    const p = await prepare(o, workDir, 'preview');
    try {
      const summary = new EventSummary();
      const citedByDay = new Map<Day, number>();
      const firstEvents: EventRow[] = [];
      await writeEventsNdjson(p.collected, path.join(workDir, 'events.ndjson'), p.times, (row, from) => {
        summary.add(row, from.day);
        citedByDay.set(from.day, (citedByDay.get(from.day) ?? 0) + 1);
        if (firstEvents.length < PREVIEW_EVENTS) firstEvents.push(row);
      });
      const evidence = evidenceOf(
        p,
        o,
        resultEvidence(p, () => null),
        citedByDay,
        [],
        false,
      );
      return { evidence, summary: summary.result(), firstEvents };
    } finally {
      await p.close();
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

const EVENT_CSV_COLUMNS = [
  'n',
  'id',
  'day',
  'event_date',
  'time_utc',
  'time_local',
  'time_zone',
  'user_name',
  'user_id',
  'service',
  'action',
  'status',
  'entity_type',
  'entity_name',
  'entity_id',
  'property_changes',
  'remote_ip',
  'client_id',
  'application',
  'archive_object',
  'archive_version_id',
].map((name) => ({ name, type: 'varchar' }));

/** Generates the report: its folder, bundle and receipt under `outDir`; returns the receipt. */
export async function generateReport(o: GenerateReportOptions): Promise<ReportReceipt> {
  let workDir: string;
  try {
    await fs.mkdir(o.outDir, { recursive: true });
    workDir = await fs.mkdtemp(path.join(o.outDir, '.report-'));
  } catch (e) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Cannot write a report into ${o.outDir} (${(e as NodeJS.ErrnoException).code ?? 'error'}): give a folder you can write to.`,
    );
  }
  let created: string[] = [];
  try {
    const p = await prepare(o, workDir, 'generate');
    const folder = path.join(o.outDir, p.reportId);
    const zipFile = path.join(o.outDir, `${p.reportId}.zip`);
    const receiptFile = path.join(o.outDir, `${p.reportId}.receipt.json`);
    try {
      await fs.mkdir(folder).catch((e: NodeJS.ErrnoException) => {
        throw new AuditArchiveError(
          'INVALID_ARGUMENT',
          e.code === 'EEXIST'
            ? `${folder} exists already; reports are never written over.`
            : `Cannot create ${folder} (${e.code ?? e.message}).`,
        );
      });
      created = [folder, zipFile, receiptFile];
      const progress = o.onProgress ?? (() => undefined);
      const zone = o.inputs.request.timeZone;

      // Events: the archive's lines in report order, the same events as CSV, and the summary.
      progress({ phase: 'writing', message: `Writing ${p.collected.count.toLocaleString('en')} events…` });
      const summary = new EventSummary();
      const citedByDay = new Map<Day, number>();
      const csv = createWriteStream(path.join(folder, 'events.csv'), { flags: 'wx' });
      await write(csv, EVENT_CSV_COLUMNS.map((c) => c.name).join(',') + '\r\n');
      await writeEventsNdjson(p.collected, path.join(folder, 'events.ndjson'), p.times, async (row, from) => {
        summary.add(row, from.day);
        citedByDay.set(from.day, (citedByDay.get(from.day) ?? 0) + 1);
        await write(
          csv,
          csvRows([
            [
              row.n,
              row.id,
              from.day,
              row.eventDate,
              row.timeUtc,
              row.timeLocal,
              zone,
              row.userName,
              row.userId,
              row.service,
              row.action,
              row.status,
              row.entityType,
              row.entityName,
              row.entityId,
              JSON.stringify(row.changes),
              row.remoteIp.join(', '),
              row.clientId,
              row.application,
              from.key,
              from.versionId,
            ],
          ]),
        );
      });
      csv.end();
      await finished(csv);

      // Each result's rows as returned, and its metadata as cited.
      const names = ['events.csv', 'events.ndjson'];
      await fs.mkdir(path.join(folder, 'results'));
      const rowsFiles = new Map<CitedResult, string>();
      for (const r of p.results) {
        const base = `results/result-${r.evidence.index}`;
        await fs.writeFile(
          path.join(folder, `${base}.query.json`),
          JSON.stringify(r.evidence.metadata, null, 2) + '\n',
          { flag: 'wx' },
        );
        names.push(`${base}.query.json`);
        if (!r.spool) continue;
        const out = createWriteStream(path.join(folder, `${base}.csv`), { flags: 'wx' });
        const writer = new ResultWriter('csv', (text) => write(out, text));
        await writer.columns(r.columns);
        for await (const page of r.spool.pages()) await writer.rows(page);
        out.end();
        await finished(out);
        names.push(`${base}.csv`);
        rowsFiles.set(r, `${base}.csv`);
      }

      const results = resultEvidence(p, (r) => rowsFiles.get(r) ?? null);
      const archiveCopyKeys = o.archiveCopy
        ? {
            bundleKey: reportBundleKey(o.archive.store.prefix, p.reportId),
            recordKey: reportRecordKey(o.archive.store.prefix, p.reportId),
          }
        : null;
      let evidence = evidenceOf(p, o, results, citedByDay, ['events.ndjson', 'events.csv'], false);

      const pdf = await writeReportPdf(
        {
          evidence,
          summary: summary.result(),
          events: () => readEventRows(path.join(folder, 'events.ndjson'), p.times),
          rowResults: p.results
            .filter((r) => r.spool && !results[r.evidence.index - 1]?.idColumn)
            .map((r) => ({
              index: r.evidence.index,
              columns: r.columns,
              rows: async function* () {
                for await (const page of (r.spool as NonNullable<CitedResult['spool']>).pages()) yield* page;
              },
            })),
          archiveCopy: archiveCopyKeys,
          fonts: o.fonts ?? resolveFonts(),
          onPage: (done, total) =>
            progress({ phase: 'pdf', message: `Writing the PDF: page ${done} of ${total}`, done, total }),
        },
        path.join(folder, 'report.pdf'),
      );
      names.push('report.pdf');
      evidence = { ...evidence, notes: { ...evidence.notes, rightToLeft: pdf.rightToLeft } };
      await fs.writeFile(path.join(folder, 'evidence.json'), JSON.stringify(evidence, null, 2) + '\n', { flag: 'wx' });
      names.push('evidence.json');
      await fs.writeFile(path.join(folder, 'README.txt'), readme(evidence, archiveCopyKeys), { flag: 'wx' });
      names.push('README.txt');

      progress({ phase: 'bundle', message: 'Writing SHA256SUMS and the bundle…' });
      const files = await writeSha256Sums(folder, names);
      const bundle = await writeBundleZip(folder, p.reportId, [...names, SUMS_NAME], zipFile, p.generatedAt);
      let receipt: ReportReceipt = {
        format: REPORT_RECEIPT_FORMAT,
        reportId: p.reportId,
        reference: o.inputs.request.reference,
        generatedAt: p.generatedAt,
        period: o.inputs.period,
        archive: o.archive.store.url,
        folder,
        pdf: path.join(folder, 'report.pdf'),
        bundle: zipFile,
        bundleSha256: bundle.sha256,
        bundleSize: bundle.size,
        events: p.collected.count,
        pages: pdf.pages,
        verified: evidence.verdict.ok,
        headline: evidence.verdict.headline,
        files,
        archiveCopy: null,
        archiveCopyError: null,
      };
      await writeReceipt(receiptFile, receipt, 'wx');

      if (o.archiveCopy) {
        progress({ phase: 'archive-copy', message: 'Keeping a copy in the archive…' });
        try {
          const copy = await writeArchiveCopy(o.archive, {
            reportId: p.reportId,
            generatedAt: p.generatedAt,
            reference: o.inputs.request.reference,
            period: o.inputs.period,
            bundleFile: zipFile,
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
        await writeReceipt(receiptFile, receipt, 'w');
      }
      created = [];
      return receipt;
    } finally {
      await p.close();
    }
  } finally {
    for (const f of created) await removeWritable(f);
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

async function writeReceipt(file: string, receipt: ReportReceipt, flag: 'wx' | 'w'): Promise<void> {
  await fs.writeFile(file, JSON.stringify(receipt, null, 2) + '\n', { flag });
}

async function removeWritable(file: string): Promise<void> {
  await fs.rm(file, { recursive: true, force: true }).catch(() => undefined);
}

/** README.txt: what the bundle holds and how to check it, for whoever unzips it. */
function readme(e: ReportEvidence, copy: { bundleKey: string; recordKey: string } | null): string {
  const lines = [
    `Audit response report ${e.reportId}`,
    `Request: ${e.request.reference}`,
    `Period: ${e.period.from} to ${e.period.to} (UTC days)`,
    `Generated: ${e.generatedAt} (UTC) by Audit Archive ${e.tool.version}`,
    `Archive: ${e.archive.url}${e.archive.archiveId ? ` (archive id ${e.archive.archiveId})` : ''}`,
    e.archive.keyFingerprint
      ? `Signing key fingerprint: ${formatFingerprint(e.archive.keyFingerprint)}`
      : 'Signing key: none (no valid root object)',
    `Verdict: ${e.verdict.headline}`,
    ...e.verdict.findings.map((f) => `  - ${f}`),
    '',
    'Files',
    '  report.pdf          the report for people: cover and verdict, the queries, a summary, every event, the evidence',
    '  events.ndjson       every event of the report, one per line, byte for byte as the archive holds it',
    '  events.csv          the same events as a table (UTC and local time, user, action, entity, property changes as JSON)',
    '  evidence.json       the evidence for machines: the archive, every day of the period with its manifests and objects',
    '                      (key, version id, SHA-256, lock), the verification, each result and its re-run',
    '  results/            each cited result: its rows as returned (CSV) and its exact query and metadata (.query.json)',
    '  SHA256SUMS          the SHA-256 of every file above',
    '',
    'How to check',
    '  sha256sum -c SHA256SUMS        (in this folder) every file is the one the report wrote',
    `  audit-archive verify --full --from ${e.period.from} --to ${e.period.to}${e.archive.keyFingerprint ? ` --expect-key ${e.archive.keyFingerprint}` : ''}`,
    '                                 the archive is complete and unaltered, and is the archive of that signing key',
    copy
      ? `  The archive keeps a copy of this bundle: ${copy.bundleKey}, with ${copy.recordKey} (its version and SHA-256, signed with the archive's key); verify checks both.`
      : '  No copy of this bundle was written into the archive.',
    '',
    e.notes.redaction,
    '',
  ];
  return lines.join('\n');
}
