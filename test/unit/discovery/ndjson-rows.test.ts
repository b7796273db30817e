/**
 * NDJSON is the evidence form of a result: each line must be exactly what JSON.stringify writes for
 * the row as an object `{name: value, …}` (the form results were always written in), whatever the
 * names and values: the writer that skips the object per row must not change a byte.
 */
import { describe, expect, it } from 'vitest';
import type { ResultColumn, ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';
import { ndjsonRows, ResultWriter, uniqueColumnNames } from '../../../main/engine/discovery/result-export';

/** The reference: each row built as an object and stringified. */
function asObjects(names: readonly string[], rows: readonly ResultRow[]): string {
  return rows
    .map((row) => {
      const object: Record<string, ResultValue> = {};
      names.forEach((name, i) => (object[name] = row[i] ?? null));
      return JSON.stringify(object) + '\n';
    })
    .join('');
}

const VALUES: ResultValue[] = [
  null,
  '',
  'plain',
  'quote " and backslash \\',
  'controls \u0000\u0001\b\f\n\r\t\u001f\u007f',
  'line separators \u2028\u2029',
  'lone surrogates \ud800 \udfff and a pair 😀',
  'Zoë Müller, 東京, عربى',
  '</script><!--',
  0,
  -0,
  1.5,
  -2.25e-300,
  Number.MAX_SAFE_INTEGER,
  NaN,
  Infinity,
  true,
  false,
  { name: 'x', nested: { list: [1, 'two', null, { deep: true }] } },
  [],
  ['a', null, 3],
];

function rowsOf(width: number): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let r = 0; r < VALUES.length; r++)
    rows.push(Array.from({ length: width }, (_, c) => VALUES[(r + c) % VALUES.length] ?? null));
  rows.push(Array.from({ length: width }, () => null));
  rows.push([]); // a short row: missing cells are null
  return rows;
}

describe('NDJSON rows', () => {
  it('writes what JSON.stringify writes for each row as an object, for ordinary and awkward names', () => {
    const nameSets: string[][] = [
      ['event_date', 'user_name', 'action', 'id'],
      ['only'],
      ['', ' ', 'with "quotes"', 'back\\slash', 'new\nline', 'ünïcödé', '😀'],
      ['constructor', 'toString', 'hasOwnProperty', 'valueOf'],
      // Array-index names, which an object puts first, in numeric order.
      ['b', '2', 'a', '0', '10', '1'],
      ['4294967294', 'x', '4294967295', '01', '-1', '1.5', '1e3'],
      // __proto__ sets an object's prototype rather than adding a member.
      ['a', '__proto__', 'b'],
      // A name given twice: the object holds it once, in its first place, with the last value.
      ['id', 'name', 'id'],
      [],
    ];
    for (const names of nameSets) {
      const rows = rowsOf(names.length);
      expect(ndjsonRows(names, rows), JSON.stringify(names)).toBe(asObjects(names, rows));
    }
  });

  it('writes a result through the writer as its unique column names, one line per row', async () => {
    const columns: ResultColumn[] = ['id', 'name', 'id', '0', 'detail'].map((name) => ({ name, type: 'varchar' }));
    const rows = rowsOf(columns.length);
    let out = '';
    const writer = new ResultWriter('ndjson', (text) => void (out += text));
    await writer.columns(columns);
    await writer.rows(rows.slice(0, 5));
    await writer.rows(rows.slice(5));
    expect(out).toBe(asObjects(uniqueColumnNames(columns), rows));
    expect(out.split('\n')).toHaveLength(rows.length + 1);
  });
});
