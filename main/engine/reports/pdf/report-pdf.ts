/**
 * The report's PDF, for people: a cover (the request, the organisation, the period, who prepared it
 * and when, and the verification verdict in words), the queries cited (exact SQL, parameters,
 * engine, run, rows), a summary with a chart, every event in a readable table (time in UTC and the
 * officer's zone, user, action, entity, property changes old -> new), the rows of results that name
 * no events, an evidence appendix (manifests and objects of every day of the period with key,
 * version id, SHA-256, lock mode and retain-until, the signing key, the chain head, the
 * verification), and notes (what Genesys never records, what the PDF cannot show, how to check).
 *
 * Deterministic: pdfkit's document id derives from the info fields, which carry the generation time
 * and nothing else that varies; pages are laid out in two passes (page-flow.ts) and written as they
 * are finished. Every page's header has the report id and "Page n of m".
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { formatFingerprint } from '../../../../shared/archive-root';
import type {
  ResultColumn,
  ResultMetadata,
  ResultRow,
  ResultValue,
} from '../../../../shared/discovery/result-metadata';
import { describeChange, type EventRow } from '../../../../shared/reports/event-row';
import type { ReportSummary } from '../../../../shared/reports/report-contract';
import type { LockRead, ReportEvidence, ResultEvidence } from '../../../../shared/reports/report-evidence';
import {
  count,
  comparisonStatement,
  fieldCheckStatement,
  gapsStatement,
  organisationText,
  rowOrderStatement,
  populationStatement,
  keyHistoryStatement,
  keyTrustStatement,
  signatureStatement,
  storageStatement,
} from '../../../../shared/reports/report-words';
import { FontBook, type Line } from './font-book';
import type { FontRole, ResolvedFonts } from './fonts';
import { PAGE_BREAK, runFlow, type Block, type FlowItem } from './page-flow';
import { formatCount } from '../../../../shared/format-count';

// A4 landscape, in points.
const PAGE_W = 841.89;
const PAGE_H = 595.28;
const LEFT = 36;
const RIGHT = PAGE_W - 36;
const WIDTH = RIGHT - LEFT;
const AREA = { top: 54, bottom: PAGE_H - 40 };

const INK = '#1b2430';
const SOFT = '#5b6878';
const LINE = '#c9d1da';
const STRIPE = '#f3f5f7';
const OK_INK = '#1d6b3a';
const OK_BG = '#e9f5ee';
const FAIL_INK = '#a12622';
const FAIL_BG = '#fdecec';
const BAR = '#155e75';

/** A cell's lines beyond this are summarised, never silently dropped (the NDJSON holds every byte). */
const MAX_CELL_LINES = 24;
/** Count tables in the summary show this many entries, then one "others" line. */
const TOP_COUNTS = 20;
/** Result rows tables show at most this many columns (the CSV holds them all, and the PDF says so). */
const MAX_ROW_COLUMNS = 10;

interface ReportPdfInput {
  readonly evidence: ReportEvidence;
  readonly summary: ReportSummary;
  /** The events in table order, each with what failed its check (null: nothing); called once per pass. */
  readonly events: () => AsyncIterable<{ readonly row: EventRow; readonly flag: string | null }>;
  /** Results that name no events: their columns and rows (called once per pass). */
  readonly rowResults: ReadonlyArray<{
    readonly index: number;
    readonly columns: readonly ResultColumn[];
    readonly rows: () => AsyncIterable<ResultRow>;
  }>;
  /** Where the archive copy goes, when one was asked for (its keys). */
  readonly archiveCopy: { readonly bundleKey: string; readonly recordKey: string } | null;
  readonly fonts: ResolvedFonts;
  readonly onPage?: (done: number, total: number) => void;
}

interface ReportPdfFacts {
  readonly pages: number;
  /** Characters no available font holds (drawn as "?"). */
  readonly undrawn: number;
  readonly rightToLeft: boolean;
  readonly fontsUsed: readonly string[];
}

export async function writeReportPdf(input: ReportPdfInput, file: string): Promise<ReportPdfFacts> {
  const { evidence } = input;
  const generatedAt = new Date(evidence.generatedAt);
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    compress: true,
    pdfVersion: '1.7',
    // Shaped scripts only (see fonts.ts); a per-word cache would grow with every unique word.
    fontLayoutCache: false,
    lang: 'en',
    info: {
      Title: `Audit response report ${evidence.reportId}`,
      Subject: `Request ${evidence.request.reference}`,
      Author: evidence.request.preparedBy || 'Audit Archive',
      Keywords: `audit response; ${evidence.reportId}`,
      Creator: `Audit Archive ${evidence.tool.version}`,
      Producer: `Audit Archive ${evidence.tool.version} (pdfkit)`,
      CreationDate: generatedAt,
      ModDate: generatedAt,
    },
  });
  const book = new FontBook(doc, input.fonts);
  const layout = new Layout(book);

  // Pass 1: measure. What the notes say about fonts is known at its end (the notes come last).
  const total = await runFlow(documentItems(input, layout, null), AREA, null);
  const measured = { undrawn: book.undrawn, rightToLeft: book.rightToLeft };

  // Pass 2: draw, writing each page as it is finished.
  const out = createWriteStream(file, { flags: 'wx' });
  doc.pipe(out);
  let previous: PageDictionary | null = null;
  const startPage = async (n: number) => {
    doc.addPage();
    // addPage wrote out the page before; the document keeps its dictionary (in /Kids) only for its
    // object number, so what it held (content, resources) is let go: otherwise every page of a
    // 100,000-event table would stay in memory to the end.
    if (previous) previous.data = {};
    previous = (doc.page as unknown as { dictionary: PageDictionary }).dictionary;
    book.pageStarted();
    drawPageFrame(layout, evidence, n, total);
    input.onPage?.(n, total);
    // pdfkit pushes whatever it writes; wait for the file when it falls behind.
    if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const drawn = await runFlow(documentItems(input, layout, measured), AREA, startPage);
  doc.end();
  await finished(out);
  if (drawn !== total) throw new Error(`The report laid out ${drawn} pages after announcing ${total}.`);
  return { pages: total, ...measured, fontsUsed: book.describeUsed() };
}

/** pdfkit's reference to a page's dictionary (a PDFReference: written once, then only named). */
interface PageDictionary {
  data: object;
}

/** Text blocks: wrapped, measured and drawn with one FontBook. */
class Layout {
  constructor(readonly book: FontBook) {}

  /** Wrapped lines of a piece of text in a width, with a cap that says what it left out. */
  lines(text: string, style: Style, width: number, cap = Infinity): StyledLine[] {
    const lines = this.book.wrap(style.role, text, style.size, width);
    if (lines.length <= cap) return lines.map((line) => ({ line, style }));
    const kept = lines.slice(0, cap - 1);
    const shown = kept.reduce((n, l) => n + l.runs.reduce((m, r) => m + [...r.text].length, 0), 0);
    const rest = Math.max(0, [...text].length - shown);
    const note = this.book.wrap(
      'regular',
      `… ${formatCount(rest)} more characters: the full text is in events.ndjson and events.csv.`,
      style.size,
      width,
    );
    return [
      ...kept.map((line) => ({ line, style })),
      ...note.slice(0, 1).map((line) => ({ line, style: { ...style, role: 'regular' as FontRole, color: SOFT } })),
    ];
  }

  paragraph(
    text: string,
    style: Style,
    opts: { x?: number; width?: number; after?: number; keepWithNext?: number } = {},
  ): Block {
    const width = opts.width ?? WIDTH;
    const x = opts.x ?? LEFT;
    const lines = this.lines(text, style, width);
    const lh = lineHeight(style);
    return {
      height: lines.length * lh + (opts.after ?? 4),
      keepWithNext: opts.keepWithNext ?? 0,
      draw: (y) => lines.forEach((l, i) => this.drawLine(l, x, y + i * lh)),
    };
  }

  drawLine(l: StyledLine, x: number, top: number): void {
    this.book.drawLine(l.line, x, top + l.style.size * 0.95, l.style.size, l.style.color);
  }

  /** A table row: cells of stacked pieces, each wrapped to its column. */
  row(
    columns: readonly Column[],
    cells: ReadonlyArray<readonly Piece[]>,
    opts: { stripe?: boolean; header?: boolean } = {},
  ): Block {
    const laid = columns.map((col, i) => {
      const pieces = cells[i] ?? [];
      const lines: StyledLine[] = [];
      for (const p of pieces) {
        if (p.text === '') continue;
        lines.push(...this.lines(p.text, p.style, col.width - 6, MAX_CELL_LINES - lines.length));
        if (lines.length >= MAX_CELL_LINES) break;
      }
      return lines;
    });
    const heights = laid.map((lines) => lines.reduce((n, l) => n + lineHeight(l.style), 0));
    const height = Math.max(10, ...heights) + 6;
    return {
      height,
      draw: (y) => {
        const doc = this.doc;
        if (opts.header) doc.rect(LEFT, y, WIDTH, height).fill('#e4e9ee');
        else if (opts.stripe) doc.rect(LEFT, y, WIDTH, height).fill(STRIPE);
        this.book.pageStarted(); // the fills above changed the colour
        doc
          .moveTo(LEFT, y + height)
          .lineTo(RIGHT, y + height)
          .lineWidth(0.4)
          .strokeColor(LINE)
          .stroke();
        let x = LEFT;
        columns.forEach((col, i) => {
          let ty = y + 3;
          for (const l of laid[i] ?? []) {
            this.drawLine(l, x + 3, ty);
            ty += lineHeight(l.style);
          }
          x += col.width;
        });
      },
    };
  }

  get doc(): InstanceType<typeof PDFDocument> {
    return this.book.doc;
  }
}

interface Style {
  readonly role: FontRole;
  readonly size: number;
  readonly color: string;
}
interface StyledLine {
  readonly line: Line;
  readonly style: Style;
}
interface Piece {
  readonly text: string;
  readonly style: Style;
}
interface Column {
  readonly title: string;
  readonly width: number;
}

const S = {
  title: { role: 'bold', size: 22, color: INK },
  h1: { role: 'bold', size: 15, color: INK },
  h2: { role: 'bold', size: 11.5, color: INK },
  body: { role: 'regular', size: 9, color: INK },
  soft: { role: 'regular', size: 8, color: SOFT },
  label: { role: 'bold', size: 8.5, color: SOFT },
  value: { role: 'regular', size: 8.5, color: INK },
  mono: { role: 'mono', size: 7.5, color: INK },
  cell: { role: 'regular', size: 7, color: INK },
  cellBold: { role: 'bold', size: 7, color: INK },
  cellSoft: { role: 'regular', size: 6.5, color: SOFT },
  cellMono: { role: 'mono', size: 5.5, color: SOFT },
  hash: { role: 'mono', size: 6.4, color: INK },
  th: { role: 'bold', size: 7, color: INK },
} satisfies Record<string, Style>;

function lineHeight(style: Style): number {
  return style.size * 1.28;
}

const piece = (text: string, style: Style): Piece => ({ text, style });

function spacer(height: number): Block {
  return { height, draw: () => undefined };
}

function heading(layout: Layout, text: string, style: Style = S.h1): Block {
  return layout.paragraph(text, style, { after: style.size * 0.6, keepWithNext: 60 });
}

/** Label/value rows (the cover, each result, the evidence facts). */
function* keyValues(layout: Layout, rows: ReadonlyArray<readonly [string, string, Style?]>): Generator<Block> {
  const labelW = 170;
  for (const [label, value, style] of rows) {
    if (value === '') continue;
    const l = layout.lines(label, S.label, labelW - 8);
    const v = layout.lines(value, style ?? S.value, WIDTH - labelW);
    const h =
      Math.max(
        l.length * lineHeight(S.label),
        v.reduce((n, x) => n + lineHeight(x.style), 0),
      ) + 3;
    yield {
      height: h,
      draw: (y) => {
        l.forEach((x, i) => layout.drawLine(x, LEFT, y + i * lineHeight(S.label)));
        let ty = y;
        for (const x of v) {
          layout.drawLine(x, LEFT + labelW, ty);
          ty += lineHeight(x.style);
        }
      },
    };
  }
}

function drawPageFrame(layout: Layout, e: ReportEvidence, n: number, total: number): void {
  const book = layout.book;
  const doc = layout.doc;
  const left = book.runs('regular', `Audit response report · Ref. ${e.request.reference}`);
  const right = book.runs('bold', `${e.reportId} · Page ${n} of ${total}`);
  book.drawLine(left, LEFT, 30, 8, SOFT);
  book.drawLine(right, RIGHT - right.w * 8, 30, 8, INK);
  doc.moveTo(LEFT, 38).lineTo(RIGHT, 38).lineWidth(0.5).strokeColor(LINE).stroke();
  const org = e.archive.organisation;
  const foot = book.runs(
    'regular',
    `Generated ${e.generatedAt} (UTC) by Audit Archive ${e.tool.version}${org ? ` · ${org.name ?? org.id ?? org.apiHost}` : ''} · ${e.archive.url}`,
  );
  book.drawLine(foot, LEFT, PAGE_H - 22, 7, SOFT);
  book.pageStarted();
}

async function* documentItems(
  input: ReportPdfInput,
  layout: Layout,
  measured: { undrawn: number; rightToLeft: boolean } | null,
): AsyncGenerator<FlowItem> {
  yield* cover(input, layout);
  yield PAGE_BREAK;
  yield* queries(input, layout);
  yield PAGE_BREAK;
  yield* summary(input, layout);
  yield PAGE_BREAK;
  yield* eventsTable(input, layout);
  for (const r of input.rowResults) {
    yield PAGE_BREAK;
    yield* rowsTable(input, layout, r);
  }
  yield PAGE_BREAK;
  yield* evidenceAppendix(input, layout);
  yield PAGE_BREAK;
  yield* notes(input, layout, measured ?? { undrawn: layout.book.undrawn, rightToLeft: layout.book.rightToLeft });
}

function* cover(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const e = input.evidence;
  const r = e.request;
  yield spacer(6);
  yield layout.paragraph('Audit response report', S.title, { after: 6 });
  yield layout.paragraph(`Request ${r.reference}${r.recipient ? ` · ${r.recipient}` : ''}`, S.h1, { after: 12 });

  // The verdict, in words, in a box that cannot be missed.
  const ok = e.verdict.ok;
  const headline = layout.lines(
    e.verdict.headline,
    { role: 'bold', size: 11.5, color: ok ? OK_INK : FAIL_INK },
    WIDTH - 24,
  );
  const shown = e.verdict.findings.slice(0, 8);
  const findings = [
    ...shown,
    ...(e.verdict.findings.length > shown.length
      ? [`… and ${e.verdict.findings.length - shown.length} more findings, every one listed in Appendix A.`]
      : []),
  ].flatMap((f) => layout.lines(`• ${f}`, { role: 'regular', size: 8.5, color: INK }, WIDTH - 24));
  const boxH = [...headline, ...findings].reduce((n, l) => n + lineHeight(l.style), 0) + 18;
  yield {
    height: boxH + 12,
    draw: (y) => {
      layout.doc
        .rect(LEFT, y, WIDTH, boxH)
        .lineWidth(1.5)
        .fillAndStroke(ok ? OK_BG : FAIL_BG, ok ? OK_INK : FAIL_INK);
      layout.book.pageStarted();
      let ty = y + 9;
      for (const l of [...headline, ...findings]) {
        layout.drawLine(l, LEFT + 12, ty);
        ty += lineHeight(l.style);
      }
    },
  };

  yield* keyValues(layout, coverFacts(e));
}

/** The cover's facts under the verdict: the request, the population, the archive and its key, the verification. */
function coverFacts(e: ReportEvidence): Array<readonly [string, string, Style?]> {
  const r = e.request;
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: r.timeZone,
    dateStyle: 'long',
    timeStyle: 'long',
  }).format(new Date(e.generatedAt));
  return [
    ['Request reference', r.reference],
    ['Requested by', r.requester],
    ['Regulator or auditor', r.recipient],
    ['Due date', r.dueDate ?? ''],
    ['The question', r.question],
    ['Organisation', organisationText(e)],
    ['Period (UTC days)', `${e.period.from} to ${e.period.to}`],
    [
      'Events in this report',
      `${count(e.events.count, 'event')} from ${count(e.results.length, 'cited result')} (${e.results.map((x) => `result ${x.index}: ${count(x.rerun?.rowCount ?? x.metadata.rowCount, 'row')}`).join('; ')})`,
    ],
    ['Population', populationStatement(e)],
    ['Days not archived', gapsStatement(e)],
    ['Archive', `${e.archive.url}${e.archive.archiveId ? ` (archive id ${e.archive.archiveId})` : ''}`],
    ['Storage', storageStatement(e)],
    ...keyFacts(e),
    [
      'Verification at report time',
      `${e.verification.ok ? 'passed' : 'FAILED'} (${e.verification.mode === 'full' ? 'full: every object of the period hashed, every event read' : 'standard, plus every object the events came from hashed'})${e.clock === 'fixed' ? '' : `, ${e.verification.at}`}`,
    ],
    ['Prepared by', r.preparedBy],
    [
      'Generated',
      `${e.generatedAt} (UTC) · ${local} (${r.timeZone})${e.clock === 'fixed' ? ' · a fixed time (SOURCE_DATE_EPOCH or --generated-at), so that the report can be made again byte for byte' : ''}`,
    ],
    ['Report id', e.reportId],
  ];
}

/** The key in effect, what it was checked against, how it changed, and the bundle's signature. */
function keyFacts(e: ReportEvidence): Array<readonly [string, string, Style?]> {
  return [
    [
      'Signing key fingerprint',
      e.archive.keyFingerprint ? formatFingerprint(e.archive.keyFingerprint) : 'none (no valid root object)',
      S.mono,
    ],
    [
      'Key checked against',
      keyTrustStatement(e),
      e.verification.trust?.key === 'first-use' ? { ...S.value, role: 'bold' } : S.value,
    ],
    ['Key changes', keyHistoryStatement(e) ?? ''],
    ['Signature', signatureStatement(e), e.signature.signed ? S.value : { ...S.value, role: 'bold', color: FAIL_INK }],
  ];
}

function resultLabel(r: ResultEvidence): string {
  return `Result ${r.index}: ${r.label}`;
}

function engineText(m: ResultMetadata): string {
  if (m.engine.kind === 'local')
    return `local (${m.engine.version}, reading ${m.engine.reads === 'verified-parquet-cache' ? 'Parquet built from objects whose SHA-256 matched their manifests' : 'the archived NDJSON.gz'})`;
  const cost = m.cost ? `; ${formatCount(m.cost.bytesScanned)} bytes scanned, $${m.cost.costUsd.toFixed(4)}` : '';
  return `Amazon Athena (${m.engine.region}, workgroup ${m.engine.workgroup}, ${m.engine.database}.${m.engine.table}, query ${m.engine.queryExecutionId}${cost})`;
}

function* queries(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const e = input.evidence;
  yield heading(layout, '1. The request and the queries that answer it');
  if (e.request.question) yield layout.paragraph(`The question: ${e.request.question}`, S.body, { after: 8 });
  for (const r of e.results) {
    yield heading(layout, resultLabel(r), S.h2);
    yield* keyValues(layout, resultFacts(r, e.clock === 'fixed'));
    yield* resultQueryText(r, layout);
    yield* parameterTable(r.metadata.query.positionalParameters, layout);
    yield spacer(10);
  }
}

/** One cited result's facts: where and when it ran, again at report time, and what was checked. */
function resultFacts(r: ResultEvidence, fixed: boolean): Array<[string, string]> {
  const m = r.metadata;
  const rerun = r.rerun
    ? `${count(r.rerun.rowCount, 'row')}${fixed ? '' : ` at ${r.rerun.finishedAt}`} on ${engineText({ ...m, engine: r.rerun.engine })}${r.rerun.sql ? ", after that engine's own definition of audit_events (its SQL is printed below the result's)" : ''}`
    : '';
  const run =
    fixed && r.origin === 'run-for-report'
      ? 'at report time (a reproducible report records no times or durations of its own)'
      : `${m.startedAt} to ${m.finishedAt} (${(m.runTimeMs / 1000).toFixed(2)} s)`;
  return [
    [
      'Origin',
      r.origin === 'cited-result'
        ? `a discovery result (id ${m.resultId}), cited as it was run`
        : 'run for this report',
    ],
    ['Engine', engineText(m)],
    ['Archive', m.archive],
    ['Days read', m.range ? `${m.range.from} to ${m.range.to} (UTC)` : 'every day'],
    ['Run', run],
    ['Rows', count(m.rowCount, 'row')],
    ['Run again at report time', rerun],
    ['Compared with the cited rows', comparisonStatement(r)],
    ['Could not run', r.error ? `${r.error.message} [${r.error.code}]` : ''],
    [
      'Events named',
      r.idColumn
        ? `column "${r.idColumn}": ${count(r.ids, 'distinct id')}, ${count(r.eventsFound, 'archived event')} found`
        : 'none (the result has no id column: its rows are printed after the events)',
    ],
    ['Checked against the archive', r.error ? '' : fieldCheckStatement(r)],
    ['Rows file', r.rowsFile ? `${r.rowsFile}, ${rowOrderStatement(r)}` : ''],
  ];
}

/** The query as asked, the SQL the engine ran, and the SQL it ran again when that differs. */
function* resultQueryText(r: ResultEvidence, layout: Layout): Generator<FlowItem> {
  const m = r.metadata;
  const label = (text: string) => layout.paragraph(text, S.label, { after: 2, keepWithNext: 20 });
  if (m.query.kind === 'sql') {
    yield label('The query as written');
    yield* monoBlocks(layout, m.query.sourceSql);
  } else {
    yield label('The form as filled in');
    yield* monoBlocks(layout, describeForm(m.query.structured));
  }
  yield label('The SQL as the engine ran it (each ? is a parameter below, in order)');
  yield* monoBlocks(layout, m.query.sql);
  if (r.rerun?.sql) {
    yield label('The SQL as it ran again at report time (the same parameters)');
    yield* monoBlocks(layout, r.rerun.sql);
  }
}

/** Each `?`'s parameter, in order. */
function* parameterTable(
  params: ResultEvidence['metadata']['query']['positionalParameters'],
  layout: Layout,
): Generator<FlowItem> {
  if (params.length === 0) return;
  const cols: Column[] = [
    { title: '#', width: 30 },
    { title: 'Parameter', width: 200 },
    { title: 'Type', width: 90 },
    { title: 'Value', width: WIDTH - 320 },
  ];
  yield { kind: 'repeat', header: tableHeader(layout, cols) };
  let i = 0;
  for (const p of params) {
    i += 1;
    yield layout.row(
      cols,
      [[piece(String(i), S.cell)], [piece(p.name, S.cell)], [piece(p.type, S.cell)], [piece(String(p.value), S.mono)]],
      { stripe: i % 2 === 0 },
    );
  }
  yield { kind: 'repeat', header: null };
}

function describeForm(s: Extract<ResultMetadata['query'], { kind: 'structured' }>['structured']): string {
  const parts = [
    `range: ${s.range.from} to ${s.range.to}`,
    s.users.length ? `users: ${s.users.join(', ')}` : '',
    s.entityType ? `entity type: ${s.entityType}` : '',
    s.entity ? `entity: ${s.entity}` : '',
    s.actions.length ? `actions: ${s.actions.join(', ')}` : '',
    s.service ? `service: ${s.service}` : '',
    s.status ? `status: ${s.status}` : '',
    s.text ? `text: ${s.text}` : '',
  ];
  return parts.filter(Boolean).join('\n');
}

/** Monospaced text in blocks of a few lines, so a long query can continue on the next page. */
function* monoBlocks(layout: Layout, text: string): Generator<Block> {
  const lines = layout.lines(text, S.mono, WIDTH - 12);
  for (let i = 0; i < lines.length; i += 8) {
    const chunk = lines.slice(i, i + 8);
    const lh = lineHeight(S.mono);
    yield {
      height: chunk.length * lh + (i + 8 >= lines.length ? 8 : 0),
      draw: (y) => {
        layout.doc.rect(LEFT, y - 1, WIDTH, chunk.length * lh + 2).fill(STRIPE);
        layout.book.pageStarted();
        chunk.forEach((l, j) => layout.drawLine(l, LEFT + 6, y + j * lh));
      },
    };
  }
}

function tableHeader(layout: Layout, cols: readonly Column[]): Block {
  return layout.row(
    cols,
    cols.map((c) => [piece(c.title, S.th)]),
    { header: true },
  );
}

function* summary(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const s = input.summary;
  const e = input.evidence;
  yield heading(layout, '2. Summary');
  const days = new Set(s.byDay.map((d) => d.label)).size;
  yield layout.paragraph(
    `${count(s.events, 'event')} on ${count(days, 'day')} of the period${s.failures ? `; ${count(s.failures, 'event')} with a status other than SUCCESS` : ''}. Counts are by the events in this report (the cited results' events); days and months without events are not listed.`,
    S.body,
    { after: 4 },
  );
  yield layout.paragraph(gapsStatement(e), e.gaps.length ? { ...S.body, color: FAIL_INK } : S.body, { after: 8 });
  if (s.events > 0) {
    const buckets = e.days.length > 62 ? byMonth(s.byDay) : s.byDay;
    yield chart(layout, buckets, e.days.length > 62 ? 'Events per month (UTC)' : 'Events per day (UTC)');
  }
  const tables: Array<[string, ReportSummary['byAction']]> = [
    ['By action', s.byAction],
    ['By user', s.byUser],
    ['By entity type', s.byEntityType],
    ['By service', s.byService],
    [e.days.length > 62 ? 'By month (UTC)' : 'By day (UTC)', e.days.length > 62 ? byMonth(s.byDay) : s.byDay],
  ];
  for (let i = 0; i < tables.length; i += 3) yield countGrid(layout, tables.slice(i, i + 3));
}

function byMonth(days: ReportSummary['byDay']): ReportSummary['byDay'] {
  const months = new Map<string, number>();
  for (const d of days) months.set(d.label.slice(0, 7), (months.get(d.label.slice(0, 7)) ?? 0) + d.count);
  return [...months].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([label, n]) => ({ label, count: n }));
}

function chart(layout: Layout, buckets: ReportSummary['byDay'], title: string): Block {
  const height = 150;
  const plotTop = 16;
  const plotH = 100;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const t = layout.book.runs('bold', title);
  const maxLabel = layout.book.runs('regular', formatCount(max));
  const first = layout.book.runs('regular', buckets[0]?.label ?? '');
  const last = layout.book.runs('regular', buckets.at(-1)?.label ?? '');
  return {
    height,
    keepWithNext: 0,
    draw: (y) => {
      const doc = layout.doc;
      layout.book.drawLine(t, LEFT, y + 9, 8.5, INK);
      const x0 = LEFT + 40;
      const w = WIDTH - 40;
      const base = y + plotTop + plotH;
      doc
        .moveTo(x0, base)
        .lineTo(x0 + w, base)
        .lineWidth(0.6)
        .strokeColor(SOFT)
        .stroke();
      doc
        .moveTo(x0, y + plotTop)
        .lineTo(x0, base)
        .lineWidth(0.6)
        .strokeColor(SOFT)
        .stroke();
      const slot = w / Math.max(1, buckets.length);
      buckets.forEach((b, i) => {
        const h = (b.count / max) * plotH;
        doc.rect(x0 + i * slot + slot * 0.15, base - h, Math.max(0.5, slot * 0.7), h).fill(BAR);
      });
      layout.book.pageStarted();
      layout.book.drawLine(maxLabel, x0 - 4 - maxLabel.w * 7, y + plotTop + 6, 7, SOFT);
      layout.book.drawLine(first, x0, base + 11, 7, SOFT);
      layout.book.drawLine(last, x0 + w - last.w * 7, base + 11, 7, SOFT);
    },
  };
}

/** Up to three count tables side by side. */
function countGrid(layout: Layout, tables: ReadonlyArray<[string, ReportSummary['byAction']]>): Block {
  const colW = WIDTH / 3;
  const lh = lineHeight(S.cell);
  const laid = tables.map(([title, counts]) => {
    const top = counts.slice(0, TOP_COUNTS);
    const rest = counts.slice(TOP_COUNTS);
    const rows = top.map((c) => [c.label, formatCount(c.count)] as const);
    if (rest.length > 0)
      rows.push([`${count(rest.length, 'other')}`, formatCount(rest.reduce((n, c) => n + c.count, 0))] as const);
    return {
      title: layout.book.runs('bold', title),
      rows: rows.map(([label, n]) => ({
        label: layout.lines(label, S.cell, colW - 70).slice(0, 1)[0],
        n: layout.book.runs('regular', n),
      })),
    };
  });
  const height = Math.max(...laid.map((t) => t.rows.length)) * lh + 26;
  return {
    height,
    keepWithNext: 0,
    draw: (y) => {
      laid.forEach((t, i) => {
        const x = LEFT + i * colW;
        layout.book.drawLine(t.title, x, y + 9, 8.5, INK);
        t.rows.forEach((r, j) => {
          const ty = y + 16 + j * lh;
          if (r.label) layout.drawLine(r.label, x, ty);
          layout.book.drawLine(r.n, x + colW - 24 - r.n.w * 7, ty + 7 * 0.95, 7, INK);
        });
      });
    },
  };
}

async function* eventsTable(input: ReportPdfInput, layout: Layout): AsyncGenerator<FlowItem> {
  const e = input.evidence;
  const zone = e.request.timeZone;
  yield heading(layout, `3. The events (${formatCount(e.events.count)})`);
  yield layout.paragraph(
    `Every event the cited results name, in time order: when (UTC, and ${zone}), who, what, on which entity, and each property change as old → new. Each event's exact text, byte for byte as archived, is in events.ndjson (one line per event, in this order); events.csv has the same events for spreadsheets. A row whose checks failed is marked CHECK FAILED, saying which.`,
    S.body,
    { after: 6 },
  );
  if (e.events.count === 0) {
    yield layout.paragraph('No events: the cited results name no archived event.', S.body);
    return;
  }
  // The event column fits a Genesys id (36 characters) on one line, so most rows take two lines.
  const fixed = 128 + 112 + 96 + 80 + 114;
  const cols: Column[] = [
    { title: 'Event', width: 128 },
    { title: `Time (UTC / ${zone})`, width: 112 },
    { title: 'User', width: 96 },
    { title: 'Action', width: 80 },
    { title: 'Entity', width: 114 },
    { title: 'Property changes (old → new)', width: WIDTH - fixed },
  ];
  yield { kind: 'repeat', header: tableHeader(layout, cols) };
  for await (const { row: ev, flag } of input.events()) {
    const failed = ev.status !== '' && ev.status !== 'SUCCESS';
    yield layout.row(
      cols,
      [
        [
          piece(`#${ev.n}`, S.cellBold),
          piece(ev.id, S.cellMono),
          piece(flag ? `CHECK FAILED: ${flag}` : '', { ...S.cellBold, color: FAIL_INK }),
        ],
        [piece(ev.timeUtc, S.cell), piece(ev.timeLocal, S.cellSoft)],
        [
          piece(ev.userName || (ev.userId ? '' : '(no user: a system action)'), S.cell),
          piece(ev.userName ? '' : ev.userId, S.cellMono),
        ],
        [
          piece(ev.action, S.cellBold),
          piece(ev.service, S.cellSoft),
          piece(failed ? ev.status : '', { ...S.cellBold, color: FAIL_INK }),
        ],
        [piece(ev.entityType, S.cellSoft), piece(ev.entityName || ev.entityId, S.cell)],
        ev.changes.length > 0
          ? ev.changes.map((c) => piece(describeChange(c), S.cell))
          : [piece('(no property changes recorded)', S.cellSoft)],
      ],
      { stripe: ev.n % 2 === 0 },
    );
  }
  yield { kind: 'repeat', header: null };
}

function cellText(v: ResultValue): string {
  if (v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

async function* rowsTable(
  input: ReportPdfInput,
  layout: Layout,
  r: ReportPdfInput['rowResults'][number],
): AsyncGenerator<FlowItem> {
  const ev = input.evidence.results.find((x) => x.index === r.index);
  const rows = ev?.rerun?.rowCount ?? ev?.metadata.rowCount ?? 0;
  yield heading(layout, `Rows of result ${r.index} (${count(rows, 'row')})`);
  const shownCols = r.columns.slice(0, MAX_ROW_COLUMNS);
  yield layout.paragraph(
    `${ev ? ev.label : ''}: the rows the query returned, ${ev ? rowOrderStatement(ev) : 'in its order'}${r.columns.length > shownCols.length ? `. The first ${shownCols.length} of its ${r.columns.length} columns are shown; ${ev?.rowsFile ?? 'the CSV'} holds them all` : ''}.`,
    S.body,
    { after: 6 },
  );
  if (shownCols.length === 0) return;
  const width = WIDTH / shownCols.length;
  const cols = shownCols.map((c) => ({ title: c.name, width }));
  yield { kind: 'repeat', header: tableHeader(layout, cols) };
  let i = 0;
  for await (const row of r.rows()) {
    i += 1;
    yield layout.row(
      cols,
      shownCols.map((_c, j) => [piece(cellText(row[j] ?? null), S.cell)]),
      { stripe: i % 2 === 0 },
    );
  }
  yield { kind: 'repeat', header: null };
}

function* appendixFacts(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const e = input.evidence;
  const v = e.verification;
  yield heading(layout, 'Appendix A. Evidence: the archive, its verification, and every day of the period');
  yield layout.paragraph(
    `The archive is judged as an auditor hiding a deletion would judge it: every object it references has exactly one version (the one its signed manifest recorded), every manifest is signed with the archive's key and linked into one chain, ${e.archive.storage.worm ? 'every object is still locked' : 'no lock is checked (a local folder has none: it is not WORM storage)'}, and every settled day of the period has a manifest. The same checks run with \`audit-archive verify\`.`,
    S.body,
    { after: 6 },
  );
  const engines = e.engineDays.map((d) =>
    d.error
      ? `${d.engine}: could not be compared (${d.error})`
      : `${d.engine}: ${d.mismatches.length === 0 ? `the same events as the manifests on each of the ${count(d.days, 'day')}` : `DIFFERS on ${count(d.mismatches.length, 'day')}: ${d.mismatches.map((m) => `${m.day} ${m.engine} against ${m.archived}`).join(', ')}`}`,
  );
  yield* keyValues(layout, [
    ['Archive', e.archive.url],
    ['Storage', storageStatement(e)],
    ['Archive id', e.archive.archiveId ?? 'none'],
    [
      'Root object',
      e.archive.root
        ? `${e.archive.root.key}${e.archive.root.versionId ? ` version ${e.archive.root.versionId}` : ''}`
        : 'none',
    ],
    ['Root object SHA-256', e.archive.root?.sha256 ?? '', S.hash],
    ['Signing key fingerprint', e.archive.keyFingerprint ?? 'none', S.hash],
    ['Chain head', e.archive.head ? `${e.archive.head.key} (sequence ${e.archive.head.sequence})` : 'none'],
    ['Chain head SHA-256', e.archive.head?.sha256 ?? '', S.hash],
    [
      'Verification',
      `${v.ok ? 'PASSED' : 'FAILED'}${e.clock === 'fixed' ? '' : ` at ${v.at}`}: ${v.mode === 'full' ? 'full (every object of the period read back and hashed, and every event read to check that each is an audit event of its day and each event id is there once a day)' : `standard (listing, versions, signatures, chain${e.archive.storage.worm ? ', locks' : ''})`}; ${count(v.manifestsChecked, 'manifest')} and ${count(v.objectsChecked, 'object')} checked, days ${v.from ?? '?'} to ${v.to ?? '?'}`,
    ],
    [
      'Objects read for the events',
      `${count(v.readBack.objects, 'object')} read back at report time to take the events from; ${v.readBack.matched} matched their manifests (SHA-256 of the stored and uncompressed bytes, size and event count)`,
    ],
    ['Query engines against the manifests', engines.join('; ') || 'no query engine was used'],
    [
      'In the bundle',
      `${e.bundle.archiveFiles.filter((f) => f.role !== 'object').length} archive files under archive/ (the root object, the period's manifests and ${count(e.bundle.archiveFiles.filter((f) => f.role === 'chain').length, 'manifest')} linking them to the head), byte for byte; the cited objects ${e.bundle.objects.included ? 'too' : `not (${e.bundle.objects.reason})`}`,
    ],
    ['Problems found', v.problems.length === 0 ? 'none' : count(v.problems.length, 'problem')],
  ]);
  if (v.problems.length > 0) {
    const cols: Column[] = [
      { title: 'Day', width: 62 },
      { title: 'Kind', width: 96 },
      { title: 'Key', width: 230 },
      { title: 'What was found', width: WIDTH - 388 },
    ];
    yield { kind: 'repeat', header: tableHeader(layout, cols) };
    let i = 0;
    for (const p of v.problems) {
      i += 1;
      yield layout.row(
        cols,
        [
          [piece(p.day ?? 'archive', S.cell)],
          [piece(p.kind, S.cellBold)],
          [piece(p.key ?? '', S.cellMono)],
          [piece(p.detail, S.cell)],
        ],
        { stripe: i % 2 === 0 },
      );
    }
    yield { kind: 'repeat', header: null };
  }
  if (e.events.notFound.length > 0) {
    yield spacer(6);
    yield layout.paragraph(
      `Cited events missing from their archived objects (${e.events.notFound.length}): ${e.events.notFound.map((x) => `${x.id} (${x.day})`).join(', ')}`,
      { ...S.body, color: FAIL_INK },
    );
  }
}

function* populationTable(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const e = input.evidence;
  const gaps = new Map(e.gaps.map((g) => [g.day, g]));
  yield spacer(8);
  yield heading(layout, 'The population: every day of the period', S.h2);
  const dayCols: Column[] = [
    { title: 'Day (UTC)', width: 70 },
    { title: 'Manifests (sequence)', width: 150 },
    { title: 'Events archived', width: 80 },
    { title: 'Objects', width: 60 },
    { title: 'Events in this report', width: 90 },
    { title: 'State and verification', width: WIDTH - 450 },
  ];
  yield { kind: 'repeat', header: tableHeader(layout, dayCols) };
  let i = 0;
  for (const d of e.days) {
    i += 1;
    const failing = d.problems.filter((p) => p.kind !== 'orphan');
    const gap = gaps.get(d.day);
    const state = failing.length
      ? failing.map((p) => p.kind).join(', ')
      : gap
        ? `${gap.state}: ${gap.detail}`
        : 'archived, ok';
    yield layout.row(
      dayCols,
      [
        [piece(d.day, S.cell)],
        [
          piece(
            d.manifests.length ? d.manifests.map((m) => `${m.sequence} (${m.kind})`).join(', ') : 'none: not archived',
            S.cell,
          ),
        ],
        [piece(formatCount(d.events), S.cell)],
        [piece(String(d.manifests.reduce((n, m) => n + m.objects.length, 0)), S.cell)],
        [piece(formatCount(d.cited), S.cell)],
        [piece(state, failing.length || gap ? { ...S.cellBold, color: FAIL_INK } : S.cell)],
      ],
      { stripe: i % 2 === 0 },
    );
  }
  yield { kind: 'repeat', header: null };
}

function lockText(lock: LockRead | undefined, verified: string): string {
  if (!lock) return verified;
  if (lock.state === 'not-checked') return 'none: not WORM, not checked';
  if (lock.state === 'none') return 'NONE';
  return `${lock.mode} to ${lock.retainUntil.slice(0, 10)}`;
}

function* manifestsTable(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  const e = input.evidence;
  const worm = e.archive.storage.worm;
  const readNow = new Map<string, LockRead>([
    ...e.bundle.archiveFiles.map((f) => [f.key, f.lock] as const),
    ...e.citedObjects.map((o) => [o.key, o.lock] as const),
  ]);
  const notInForce = new Set(e.verification.problems.filter((p) => p.kind === 'lock-not-in-force').map((p) => p.key));
  const cited = new Map(e.citedObjects.map((o) => [o.key, o]));
  // Locks the verification checked (S3) without this report reading their values.
  const verifiedLock = (key: string) =>
    !worm ? 'none: not WORM, not checked' : notInForce.has(key) ? 'NOT IN FORCE' : 'in force (verified)';
  yield spacer(8);
  yield heading(layout, 'Manifests and objects', S.h2);
  yield layout.paragraph(
    `For each archived day: its signed manifests (key, version id, SHA-256 of the manifest as stored) and the objects they name (key, version id, SHA-256 of the stored gzip bytes, size, events). "Lock when written" is the lock its manifest recorded when the object was written; "Lock now" is the lock read back at report time${worm ? '' : ' (a local folder has none: it is not WORM storage, and no lock was checked)'}. "Read back" marks the objects the events of this report were taken from, hashed again at report time.`,
    S.body,
    { after: 6 },
  );
  const objCols: Column[] = [
    { title: 'Manifest or object (key, version id)', width: 212 },
    { title: 'SHA-256', width: 258 },
    { title: 'Size', width: 48 },
    { title: 'Events', width: 40 },
    { title: 'Lock when written', width: 68 },
    { title: 'Lock now', width: 68 },
    { title: 'Read back', width: WIDTH - 694 },
  ];
  yield { kind: 'repeat', header: tableHeader(layout, objCols) };
  for (const d of e.days)
    for (const m of d.manifests) {
      yield layout.row(
        objCols,
        [
          [
            piece(`Manifest ${m.key}`, S.cellBold),
            piece(m.versionId ? `version ${m.versionId}` : '', S.cellMono),
            piece(`${m.kind}, sequence ${m.sequence}, written ${m.createdAt}`, S.cellSoft),
          ],
          [piece(m.sha256, S.hash)],
          [piece('', S.cell)],
          [piece(formatCount(m.events), S.cell)],
          [piece('', S.cell)],
          [piece(lockText(readNow.get(m.key), verifiedLock(m.key)), S.cell)],
          [piece('', S.cell)],
        ],
        { stripe: true },
      );
      for (const o of m.objects) {
        const rb = cited.get(o.key);
        yield layout.row(objCols, [
          [piece(o.key, S.cell), piece(o.versionId ? `version ${o.versionId}` : '', S.cellMono)],
          [piece(o.sha256, S.hash)],
          [piece(formatCount(o.size), S.cell)],
          [piece(formatCount(o.events), S.cell)],
          [
            piece(
              o.lockMode && o.retainUntil ? `${o.lockMode} to ${o.retainUntil.slice(0, 10)}` : 'none recorded',
              S.cell,
            ),
          ],
          [piece(lockText(readNow.get(o.key), verifiedLock(o.key)), S.cell)],
          [
            piece(
              rb ? (rb.matches ? 'matched' : 'MISMATCH') : '',
              rb && !rb.matches ? { ...S.cellBold, color: FAIL_INK } : S.cell,
            ),
          ],
        ]);
      }
    }
  yield { kind: 'repeat', header: null };
}

function* evidenceAppendix(input: ReportPdfInput, layout: Layout): Generator<FlowItem> {
  yield* appendixFacts(input, layout);
  yield* populationTable(input, layout);
  yield* manifestsTable(input, layout);
}

function* notes(
  input: ReportPdfInput,
  layout: Layout,
  measured: { undrawn: number; rightToLeft: boolean },
): Generator<FlowItem> {
  const e = input.evidence;
  yield heading(layout, 'Appendix B. Notes');
  yield heading(layout, 'What Genesys never records', S.h2);
  yield layout.paragraph(e.notes.redaction, S.body, { after: 8 });
  yield heading(layout, 'Times', S.h2);
  yield layout.paragraph(
    `Days are UTC days, closed-open [00:00Z, next 00:00Z), as the archive stores them. Event times are shown in UTC and in ${e.request.timeZone}, the zone of whoever prepared the report; each event's own time text is in events.ndjson.`,
    S.body,
    { after: 8 },
  );
  yield heading(layout, 'Characters and scripts', S.h2);
  const fonts = layout.book.describeUsed();
  yield layout.paragraph(
    [
      `Text is drawn with ${fonts.length ? fonts.join(', ') : 'the standard PDF fonts'}, choosing per run of text a font that holds its characters.`,
      measured.undrawn > 0
        ? `${count(measured.undrawn, 'character')} could not be drawn with the fonts on this machine and appear as "?"; the CSV and NDJSON files hold the exact text.`
        : 'Every character of the data was drawn.',
      measured.rightToLeft
        ? 'Some values are in a right-to-left script (Arabic or Hebrew). The PDF library (pdfkit) does not support right-to-left layout: such text appears in logical order, left to right and unshaped. Read it from the CSV or NDJSON files.'
        : 'The PDF library (pdfkit) does not lay out right-to-left scripts (Arabic, Hebrew); none occur in this report.',
    ].join(' '),
    S.body,
    { after: 8 },
  );
  yield heading(layout, 'How to check this report', S.h2);
  const copy = input.archiveCopy;
  yield layout.paragraph(
    [
      `This PDF is one file of the report's bundle (${e.reportId}.zip), beside events.ndjson (each event's exact text as archived), event-lines.ndjson (each line's SHA-256, and the archived object and line number it is), events.csv, evidence.json (Appendix A for machines), the rows of each cited result, the archive's own root object and manifests byte for byte under archive/${e.bundle.objects.included ? ' with the objects the events come from' : ''}, archive-public-key.pem, README.txt, verify_bundle.py and SHA256SUMS, which lists every file's SHA-256.`,
      `In the unzipped folder, with standard tools only: \`sha256sum -c SHA256SUMS\` checks every file; ${e.signature.signed ? "\`openssl pkeyutl -verify -pubin -inkey archive-public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig\` checks that SHA256SUMS is the one the archive's key signed" : 'the bundle is unsigned (see the cover), so nothing in it shows that SHA256SUMS was not computed again'}; \`openssl pkey -pubin -in archive-public-key.pem -outform DER | sha256sum\` prints the key's fingerprint, to compare with the one recorded when the archive was created; \`python3 verify_bundle.py\` checks the manifests, their signatures and chain, the archived objects and every event line.`,
      `With access to the archive, \`audit-archive verify --full --from ${e.period.from} --to ${e.period.to}${e.archive.keyFingerprint ? ` --expect-key ${e.archive.keyFingerprint}` : ''}\` proves the archive again, on any machine.`,
      copy
        ? `A copy of the bundle is kept in the archive itself, locked like the events: ${copy.bundleKey}, with ${copy.recordKey}, a record of the bundle's version and SHA-256 signed with the archive's key (verify checks both).`
        : 'No copy of this bundle was written into the archive.',
    ].join(' '),
    S.body,
  );
}
