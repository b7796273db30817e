/**
 * Writing results: CSV (RFC 4180, a header row) for people's spreadsheets, and NDJSON (one JSON
 * object per row) for machines.
 *
 * CSV is opened in spreadsheets, which run a cell that starts with `=`, `+`, `-` or `@` (and, in
 * some, a tab or carriage return) as a formula: an audit event's user or entity name is outside
 * text, and `=HYPERLINK(...)` in it would become a live link. So such a text cell gets a leading
 * apostrophe (OWASP's advice), which spreadsheets show as text and do not display. Numbers are
 * never prefixed. NDJSON keeps every value exactly as the engine returned it: that is the evidence.
 * Nested values (a struct, a list) are written as JSON; null is an empty CSV field and JSON null.
 */
import type { ResultColumn, ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';

export type ExportFormat = 'csv' | 'ndjson';

/** Column names made unique for JSON objects (`id`, `id_2`): SQL allows two columns of one name. */
export function uniqueColumnNames(columns: readonly ResultColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
}

/** Text a spreadsheet would run as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: quoted when it must be, and a text that a spreadsheet would run as a formula made inert. */
function csvField(value: ResultValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const safe = typeof value === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvHeader(columns: readonly ResultColumn[]): string {
  return columns.map((c) => csvField(c.name)).join(',') + '\r\n';
}

export function csvRows(rows: readonly ResultRow[]): string {
  let out = '';
  for (const row of rows) out += row.map(csvField).join(',') + '\r\n';
  return out;
}

export function ndjsonRows(names: readonly string[], rows: readonly ResultRow[]): string {
  let out = '';
  for (const row of rows) {
    const object: Record<string, ResultValue> = {};
    names.forEach((name, i) => (object[name] = row[i] ?? null));
    out += JSON.stringify(object) + '\n';
  }
  return out;
}

/** Streams a result in one format through `write` (awaited, so a slow file or pipe holds the engine back). */
export class ResultWriter {
  private names: string[] = [];

  constructor(
    readonly format: ExportFormat,
    private readonly write: (text: string) => void | Promise<void>,
  ) {}

  async columns(columns: readonly ResultColumn[]): Promise<void> {
    this.names = uniqueColumnNames(columns);
    if (this.format === 'csv') await this.write(csvHeader(columns));
  }

  async rows(rows: readonly ResultRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.write(this.format === 'csv' ? csvRows(rows) : ndjsonRows(this.names, rows));
  }
}
