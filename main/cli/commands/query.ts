/**
 * `audit-archive query`: a discovery query from the command line, on the same engines as the app.
 *
 *   audit-archive query (--sql SQL | --saved NAME) [--param name=value]... [--from DAY --to DAY]
 *                       [--format table|csv|json] [--engine athena|local] [--out FILE] [--confirm-scan]
 *                       [--require-complete]
 *   audit-archive query --list
 *
 * Rows go to stdout (or --out FILE, with the result's metadata in FILE.query.json beside it); progress
 * and a one-line summary (rows, run time, what was read, Athena's bytes scanned and cost) to stderr,
 * then a warning naming every day of the range the answer does not cover (exit 0, or 1 with
 * --require-complete), the matters whose legal hold covers days of the range (and any hold record
 * that does not count) and anything the run found changed in its cache and rebuilt. The result's
 * metadata (FILE.query.json) carries the same gaps and holds.
 */
import path from 'node:path';
import { describeGapSpan, gapHeadline, gapSpans, type ArchiveGap } from '../../../shared/archive-gaps';
import { DaySchema } from '../../../shared/day';
import {
  answerHoldsHeadline,
  describeAnswerHold,
  invalidHoldRecordsHeadline,
  type AnswerHolds,
} from '../../../shared/discovery/answer-holds';
import type { QueryText } from '../../../shared/discovery/compile-query';
import {
  PARAMETER_TYPES,
  ParameterNameSchema,
  type ParameterType,
  type RawParameterValue,
  type TypedParameterValue,
  parseParameterValue,
} from '../../../shared/discovery/parameters';
import { findQuery, listQueries, queryTextFor } from '../../../shared/discovery/query-library';
import type { ResultColumn, ResultMetadata, ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';
import type { DateRange } from '../../../shared/discovery/structured-query';
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { CacheSealKey } from '../../engine/archive/cache-seal';
import { loadArchiveStore } from '../../engine/archive/stores/archive-target';
import { openQueryEngine } from '../../engine/discovery/open-query-engine';
import { ResultWriter } from '../../engine/discovery/result-export';
import { runDiscoveryQuery } from '../../engine/discovery/run-query';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { formatBytes, formatDuration, progressLine } from '../progress';
import { formatCount } from '../../../shared/format-count';
import { ResultOut } from './result-out';

const QUERY_OPTIONS = {
  sql: { type: 'string' },
  saved: { type: 'string' },
  param: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  engine: { type: 'string' },
  out: { type: 'string' },
  list: { type: 'boolean' },
  'confirm-scan': { type: 'boolean' },
  'require-complete': { type: 'boolean' },
  'cache-dir': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;
type Format = 'table' | 'csv' | 'json';

interface QueryArgs {
  readonly list: boolean;
  readonly sql?: string;
  readonly saved?: string;
  /** `name=value` (text, or the saved query's declared type) and `name:type=value`. */
  readonly params: ReadonlyArray<{ name: string; type: ParameterType | null; value: string }>;
  readonly range: DateRange | null;
  readonly format: Format;
  readonly engine?: 'local' | 'athena';
  readonly out?: string;
  readonly confirmScan: boolean;
  /** Exit 1 when a day of the range is not archived. */
  readonly requireComplete: boolean;
  readonly cacheDir?: string;
}

function usage(message: string): AuditArchiveError {
  return new AuditArchiveError('INVALID_ARGUMENT', `${message}. See \`audit-archive query --help\``);
}

/** Checks the flags before anything is read or opened: bad usage changes nothing. */
export function parseQueryArgs(values: Values): QueryArgs {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = values.list === true;
  const sql = str('sql');
  const saved = str('saved');
  if (!list && (sql === undefined) === (saved === undefined))
    throw usage('give exactly one of --sql SQL or --saved NAME (or --list)');
  const format = (str('format') ?? 'table') as Format;
  if (!['table', 'csv', 'json'].includes(format)) throw usage(`--format must be table, csv or json, not '${format}'`);
  const engine = str('engine');
  if (engine !== undefined && engine !== 'local' && engine !== 'athena')
    throw usage(`--engine must be local or athena, not '${engine}'`);
  const day = (name: 'from' | 'to') => {
    const v = str(name);
    if (v === undefined) return undefined;
    const parsed = DaySchema.safeParse(v);
    if (!parsed.success) throw usage(`--${name} '${v}' ${parsed.error.issues[0]?.message ?? 'is not a day'}`);
    return parsed.data;
  };
  const from = day('from');
  const to = day('to');
  if ((from === undefined) !== (to === undefined))
    throw usage('give both --from and --to (a query reads whole UTC days)');
  if (from && to && to < from) throw usage(`--to ${to} is before --from ${from}`);
  const params = ((values.param as string[] | undefined) ?? []).map((text) => {
    const m = /^([^=:]+)(?::([a-z]+))?=(.*)$/s.exec(text);
    if (!m) throw usage(`--param '${text}' must be name=value (or name:type=value)`);
    const [, name = '', type, value = ''] = m;
    if (!ParameterNameSchema.safeParse(name).success)
      throw usage(`--param name '${name}' must be letters, digits and _`);
    if (type !== undefined && !(PARAMETER_TYPES as readonly string[]).includes(type))
      throw usage(`--param ${name}: the type must be one of ${PARAMETER_TYPES.join(', ')}`);
    return { name, type: (type ?? null) as ParameterType | null, value };
  });
  const out = str('out');
  const cacheDir = str('cache-dir');
  return {
    list,
    ...(sql !== undefined ? { sql } : {}),
    ...(saved !== undefined ? { saved } : {}),
    params,
    range: from && to ? { from, to } : null,
    format,
    ...(engine ? { engine: engine as 'local' | 'athena' } : {}),
    ...(out ? { out } : {}),
    confirmScan: values['confirm-scan'] === true,
    requireComplete: values['require-complete'] === true,
    ...(cacheDir ? { cacheDir: path.resolve(cacheDir) } : {}),
  };
}

export const options = QUERY_OPTIONS;
export const parse = parseQueryArgs;

export async function run(args: QueryArgs, parts: CliParts): Promise<number> {
  const settings = parts.settings();
  return queryCommand(parts.ctx, settings, args, await parts.stateDir(), await parts.cacheSealKey());
}

async function queryCommand(
  ctx: CliContext,
  settings: Settings,
  args: QueryArgs,
  stateDir: string,
  cacheSealKey: CacheSealKey | null,
): Promise<number> {
  if (args.list) return listCommand(ctx, settings, args.format);
  const { query, savedQuery } = resolveQuery(settings, args);
  if (!settings.archive.target) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      'No archive target is set: set AUDIT_ARCHIVE_TARGET (s3://bucket/prefix or file:///absolute/path) or --target.',
    );
  }
  const store = await loadArchiveStore(settings.archive.target, settings.archive.s3, ctx.env);
  const engine = openQueryEngine({
    kind: args.engine ?? settings.discovery.engine,
    settings: args.cacheDir ? { ...settings, discovery: { ...settings.discovery, cacheDir: args.cacheDir } } : settings,
    store,
    defaultCacheFolder: path.join(stateDir, 'discovery-cache'),
    env: ctx.env,
    cacheSealKey,
    stateDir,
    ...(ctx.now ? { now: ctx.now } : {}),
  });
  const progress = progressLine(ctx.stderr);
  let out: ResultOut | null = null;
  try {
    if (args.out) out = await ResultOut.open(args.out);
    const sink = out ? out.write : (text: string) => void ctx.stdout.write(text);
    const table = args.format === 'table' ? new TablePrinter(sink) : null;
    const writer = args.format === 'table' ? null : new ResultWriter(args.format === 'csv' ? 'csv' : 'ndjson', sink);
    const metadata = await runDiscoveryQuery({
      engine,
      query,
      archive: store.url,
      savedQuery,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      confirmUnboundedScan: args.confirmScan,
      onProgress: (p) => {
        if (ctx.stderr.isTTY || p.phase !== 'fetching') progress.update(p.message);
      },
      onColumns: async (columns) => {
        table?.columns(columns);
        await writer?.columns(columns);
      },
      onPage: async (rows) => {
        table?.rows(rows);
        await writer?.rows(rows);
      },
    });
    table?.end();
    progress.done();
    const written = out;
    out = null;
    await written?.finish(metadata);
    return reportAnswer(ctx, metadata, args);
  } catch (e) {
    progress.done();
    throw e;
  } finally {
    await out?.discard();
    await engine.close();
  }
}

/** The summary line and every warning of an answer, on stderr; the exit code. */
function reportAnswer(ctx: CliContext, metadata: ResultMetadata, args: QueryArgs): number {
  ctx.stderr.write(
    summary(metadata) + (args.out ? ` -> ${args.out} (+ ${path.basename(args.out)}.query.json)` : '') + '\n',
  );
  for (const w of metadata.warnings ?? []) ctx.stderr.write(`audit-archive: warning: ${w}\n`);
  const gaps = metadata.gaps ?? [];
  if (gaps.length > 0) ctx.stderr.write(gapWarning(gaps, args.requireComplete));
  if (metadata.holds) ctx.stderr.write(holdNotice(metadata.holds));
  return gaps.length > 0 && args.requireComplete ? 1 : 0;
}

export function resolveQuery(
  settings: Settings,
  args: QueryArgs,
): { query: QueryText; savedQuery: { id: string; name: string } | null } {
  if (args.saved !== undefined) {
    const saved = findQuery(settings, args.saved);
    const declared = new Map(saved.parameters.map((p) => [p.name, p.type]));
    const raw: Record<string, RawParameterValue> = {};
    for (const p of args.params) {
      if (p.type && declared.get(p.name) && declared.get(p.name) !== p.type) {
        throw usage(`--param ${p.name}: "${saved.name}" declares it as ${declared.get(p.name)}, not ${p.type}`);
      }
      raw[p.name] = p.value;
    }
    return {
      query: queryTextFor(saved, { parameters: raw, range: args.range }),
      savedQuery: { id: saved.id, name: saved.name },
    };
  }
  const parameters: TypedParameterValue[] = args.params.map((p) => {
    const type = p.type ?? 'string';
    const parsed = parseParameterValue(type, p.value);
    if (!parsed.ok) throw new AuditArchiveError('QUERY_INVALID', `The parameter :${p.name} ${parsed.message}.`);
    return { name: p.name, type, value: parsed.value };
  });
  return { query: { kind: 'sql', sql: args.sql as string, parameters, range: args.range }, savedQuery: null };
}

function listCommand(ctx: CliContext, settings: Settings, format: Format): number {
  const queries = listQueries(settings);
  if (format === 'json') {
    for (const q of queries) ctx.stdout.write(JSON.stringify(q) + '\n');
    return 0;
  }
  for (const q of queries) {
    const params = q.parameters.map((p) => `--param ${p.name}=<${p.type}>`).join(' ');
    ctx.stdout.write(
      `${q.id}${q.builtIn ? ' (starter)' : ''}: ${q.name}${params ? `  ${params}` : ''}\n  ${q.description}\n`,
    );
  }
  return 0;
}

/** The most spans a warning lists; every day is in the result's metadata. */
const MAX_GAP_LINES = 200;

/** The days the answer does not cover, one span of days a line. */
function gapWarning(gaps: readonly ArchiveGap[], requireComplete: boolean): string {
  const spans = gapSpans(gaps);
  const lines = spans.slice(0, MAX_GAP_LINES).map((s) => `  ${describeGapSpan(s)}\n`);
  if (spans.length > MAX_GAP_LINES)
    lines.push(
      `  … and ${spans.length - MAX_GAP_LINES} more spans: every day is named in the result's metadata (--out FILE writes FILE.query.json)\n`,
    );
  const verdict = requireComplete
    ? 'audit-archive: --require-complete: the range is not complete; exit status 1.\n'
    : '';
  return `audit-archive: warning: ${gapHeadline(gaps)}:\n${lines.join('')}${verdict}`;
}

/** The matters whose legal hold covers days of the range, one period a line; records that do not count, as a warning. */
function holdNotice(holds: AnswerHolds): string {
  const lines: string[] = [];
  if (holds.matters.length > 0) {
    lines.push(`audit-archive: ${answerHoldsHeadline(holds)}:\n`);
    for (const h of holds.matters.slice(0, MAX_GAP_LINES)) lines.push(`  ${describeAnswerHold(h)}\n`);
    if (holds.matters.length > MAX_GAP_LINES)
      lines.push(`  … and ${holds.matters.length - MAX_GAP_LINES} more: every one is in the result's metadata\n`);
  }
  if (holds.invalidRecords.length > 0) {
    lines.push(`audit-archive: warning: ${invalidHoldRecordsHeadline(holds.invalidRecords.length)}:\n`);
    for (const r of holds.invalidRecords.slice(0, MAX_GAP_LINES)) lines.push(`  ${r.detail}\n`);
  }
  return lines.join('');
}

function summary(m: ResultMetadata): string {
  const rows = `${formatCount(m.rowCount)} row${m.rowCount === 1 ? '' : 's'} in ${m.runTimeMs < 10_000 ? `${(m.runTimeMs / 1000).toFixed(2)}s` : formatDuration(m.runTimeMs)}`;
  const range = m.range ? `${m.range.from} to ${m.range.to}` : 'every day';
  if (m.engine.kind === 'athena') {
    const cost = m.cost ? `, ${formatBytes(m.cost.bytesScanned)} scanned, $${m.cost.costUsd.toFixed(4)}` : '';
    return `${rows} (Athena ${m.engine.workgroup}, query ${m.engine.queryExecutionId}; ${range}${cost})`;
  }
  const p = m.population;
  const read = p
    ? `; read ${formatCount(p.objects)} archived object(s), ${formatCount(p.events)} events over ${p.days} day(s)`
    : '';
  return `${rows} (local, ${m.engine.version}; ${range}${read})`;
}

/** A plain text table for people: widths from the first page, long cells cut with an ellipsis. */
class TablePrinter {
  private widths: number[] = [];
  private names: string[] = [];
  private printedHeader = false;
  private count = 0;

  constructor(private readonly write: (text: string) => unknown) {}

  columns(columns: readonly ResultColumn[]): void {
    this.names = columns.map((c) => c.name);
  }

  rows(rows: readonly ResultRow[]): void {
    if (!this.printedHeader) {
      this.widths = this.names.map((n, i) =>
        Math.min(MAX_CELL, Math.max(n.length, ...rows.slice(0, 1000).map((r) => text(r[i] ?? null).length))),
      );
      this.line(this.names);
      this.write(this.widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
      this.printedHeader = true;
    }
    for (const row of rows) this.line(row.map((v) => text(v)));
    this.count += rows.length;
  }

  end(): void {
    if (!this.printedHeader) this.rows([]);
    if (this.count === 0) this.write('(no rows)\n');
  }

  private line(cells: readonly string[]): void {
    this.write(
      cells
        .map((c, i) => fit(c, this.widths[i] ?? c.length))
        .join('  ')
        .trimEnd() + '\n',
    );
  }
}

const MAX_CELL = 48;

function text(v: ResultValue): string {
  if (v === null) return '';
  return (typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/[\r\n\t]+/g, ' ');
}

function fit(cell: string, width: number): string {
  return cell.length > width ? cell.slice(0, width - 1) + '…' : cell.padEnd(width);
}
