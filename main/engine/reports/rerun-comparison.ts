/**
 * A cited result's rows at report time against the rows it was cited with, by content: every row
 * is encoded as the cited rows were written (a CSV record, an NDJSON object, or JSON values) and the
 * two sides are compared as multisets (order aside: a query without ORDER BY has none), so a row
 * that was added, dropped or changed is named, by its event id where the result has one. A count
 * that matches says nothing about which rows: this is what a report relies on when the cited rows
 * are at hand (the rows file beside a `.query.json`, or the Discovery page's result).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { AuditArchiveError } from '../../../shared/errors';
import type { ResultColumn, ResultMetadata, ResultRow } from '../../../shared/discovery/result-metadata';
import { csvHeader, csvRows, ndjsonRows, uniqueColumnNames } from '../discovery/result-export';

/** The rows a result was cited with, as records, and how to encode a row of today's run the same way. */
export interface CitedRows {
  /** Where they came from, for the report's words. */
  readonly source: string;
  records(): AsyncIterable<{ readonly record: string; readonly id: string | null }>;
  encode(row: ResultRow): string;
}

interface RowComparison {
  readonly missing: number;
  readonly extra: number;
  readonly missingExamples: string[];
  readonly extraExamples: string[];
}

const EXAMPLES = 10;

function idIndexOf(columns: readonly ResultColumn[]): number {
  return columns.findIndex((c) => c.name.toLowerCase() === 'id');
}

function digest(record: string): string {
  return createHash('sha256').update(record).digest('base64');
}

function example(record: string, id: string | null): string {
  return id ?? (record.length > 200 ? `${record.slice(0, 200)}…` : record);
}

/** Compares the cited rows with the rows returned now (both sides read once, as a stream). */
export async function compareCitedRows(
  cited: CitedRows,
  rows: AsyncIterable<readonly ResultRow[]>,
  columns: readonly ResultColumn[],
): Promise<RowComparison> {
  const counts = new Map<string, { n: number; example: string }>();
  for await (const { record, id } of cited.records()) {
    const key = digest(record);
    const entry = counts.get(key);
    if (entry) entry.n += 1;
    else counts.set(key, { n: 1, example: example(record, id) });
  }
  const idIndex = idIndexOf(columns);
  for await (const page of rows)
    for (const row of page) {
      const record = cited.encode(row);
      const key = digest(record);
      const entry = counts.get(key);
      const id = idIndex >= 0 && typeof row[idIndex] === 'string' ? (row[idIndex] as string) : null;
      if (entry) entry.n -= 1;
      else counts.set(key, { n: -1, example: example(record, id) });
    }
  let missing = 0;
  let extra = 0;
  const missingExamples: string[] = [];
  const extraExamples: string[] = [];
  for (const { n, example: text } of counts.values()) {
    if (n > 0) {
      missing += n;
      if (missingExamples.length < EXAMPLES) missingExamples.push(text);
    } else if (n < 0) {
      extra -= n;
      if (extraExamples.length < EXAMPLES) extraExamples.push(text);
    }
  }
  return { missing, extra, missingExamples: missingExamples.sort(), extraExamples: extraExamples.sort() };
}

/** Rows a process holds (the Discovery page's result): encoded as their JSON values. */
export function citedRowsFromPages(
  source: string,
  columns: readonly ResultColumn[],
  pages: () => AsyncIterable<readonly ResultRow[]>,
): CitedRows {
  const idIndex = idIndexOf(columns);
  const encode = (row: ResultRow) => JSON.stringify(row);
  return {
    source,
    encode,
    async *records() {
      for await (const page of pages())
        for (const row of page)
          yield { record: encode(row), id: idIndex >= 0 && typeof row[idIndex] === 'string' ? row[idIndex] : null };
    },
  };
}

/** RFC 4180 records of a CSV file, streamed: a quoted field may hold line breaks. */
async function* csvRecords(file: string): AsyncGenerator<{ record: string; fields: string[] }> {
  let record = '';
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let pendingCr = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    for (const c of chunk as string) {
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') {
          yield { record, fields: [...fields, field] };
          record = field = '';
          fields = [];
          continue;
        }
        record += '\r';
        field += '\r';
      }
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === '\r') {
        pendingCr = true;
        continue;
      } else if (!quoted && c === ',') {
        fields.push(field);
        field = '';
      } else field += c;
      record += c;
    }
  }
  if (record !== '') yield { record, fields: [...fields, field] };
}

/** A CSV field's text: quotes removed, doubled quotes undone. */
function unquote(field: string): string {
  return field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}

async function* ndjsonRecords(
  file: string,
  idName: string | null,
): AsyncGenerator<{ record: string; id: string | null }> {
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const lines = (carry + (chunk as string)).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) yield { record: line, id: idOf(line, idName) };
  }
  if (carry !== '') yield { record: carry, id: idOf(carry, idName) };
}

function idOf(line: string, idName: string | null): string | null {
  if (idName === null) return null;
  try {
    const v = (JSON.parse(line) as Record<string, unknown>)[idName];
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

async function firstLine(file: string): Promise<string> {
  for await (const chunk of createReadStream(file, { encoding: 'utf8', start: 0, end: 1 << 16 })) {
    const text = chunk as string;
    const end = text.search(/\r?\n/);
    return end < 0 ? text : text.slice(0, end);
  }
  return '';
}

/**
 * The rows file a result was exported to (`query --out FILE`, the app's export): CSV with its
 * header row, or NDJSON (one object per row). Anything else is refused as not this result's rows.
 */
export async function citedRowsFromFile(file: string, metadata: ResultMetadata): Promise<CitedRows> {
  const columns = metadata.columns;
  const idIndex = idIndexOf(columns);
  const names = uniqueColumnNames(columns);
  const header = csvHeader(columns).slice(0, -2);
  const first = await firstLine(file);
  const source = path.basename(file);
  if (first === header && columns.length > 0)
    return {
      source,
      encode: (row) => csvRows([row]).slice(0, -2),
      async *records() {
        let n = 0;
        for await (const { record, fields } of csvRecords(file))
          if (n++ > 0) yield { record, id: idIndex >= 0 ? unquote(fields[idIndex] ?? '') : null };
      },
    };
  if (first === '' || first.startsWith('{'))
    return {
      source,
      encode: (row) => ndjsonRows(names, [row]).slice(0, -1),
      records: () => ndjsonRecords(file, idIndex >= 0 ? (names[idIndex] as string) : null),
    };
  throw new AuditArchiveError(
    'INVALID_ARGUMENT',
    `${file} is not the rows of its result (neither its CSV header row nor NDJSON): give the rows file that was written with its .query.json, or the .query.json alone.`,
  );
}
