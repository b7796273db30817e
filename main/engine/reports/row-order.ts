/**
 * The order of a cited result's rows in the report. A query with its own ORDER BY keeps it (the
 * engine returns them so); one without gets the rows sorted by every column in turn, because an
 * engine without an ORDER BY returns rows in whatever order its threads finish, and a report made
 * twice from the same inputs must be the same bytes. The order used is stated in evidence.json and
 * the PDF. A result too large to sort in memory keeps the engine's order, and says so.
 */
import * as fs from 'node:fs/promises';
import type { ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';
import { ResultSpool } from '../discovery/result-spool';

/** Results whose spooled rows weigh more than this are not sorted (the report says so). */
const MAX_SORTED_SPOOL_BYTES = 64 * 1024 * 1024;

/**
 * Whether the SQL ends in an ORDER BY of its own: one outside every parenthesis (not a window's or a
 * subquery's), quoted text and comments. Used only to choose the report's order, never to run SQL.
 */
export function hasTopLevelOrderBy(sql: string): boolean {
  let depth = 0;
  let top = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      i = j + 1;
      top += ' ';
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      top += ' ';
    } else {
      if (c === '(') depth += 1;
      top += depth === 0 ? c : ' ';
      if (c === ')') depth = Math.max(0, depth - 1);
      i += 1;
    }
  }
  return /\border\s+by\b/i.test(top);
}

function rank(v: ResultValue): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  return 4;
}

/** Nulls first, then booleans, numbers (by value), text (by code unit) and nested values (by their JSON). */
function compareValues(a: ResultValue, b: ResultValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  const x = ra === 4 ? JSON.stringify(a) : (a as string | number | boolean);
  const y = rb === 4 ? JSON.stringify(b) : (b as string | number | boolean);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareRows(a: ResultRow, b: ResultRow): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The rows in a stated order: `query` (the SQL orders them), `sorted` (a new spool, sorted by every
 * column in turn; the old one is disposed), or `engine` (too large to sort here).
 */
export async function orderRows(
  spool: ResultSpool,
  sql: string,
  folder: string,
  name: string,
): Promise<{ spool: ResultSpool; order: 'query' | 'sorted' | 'engine' }> {
  if (hasTopLevelOrderBy(sql)) return { spool, order: 'query' };
  if ((await fs.stat(spool.file)).size > MAX_SORTED_SPOOL_BYTES) return { spool, order: 'engine' };
  const rows: ResultRow[] = [];
  for await (const page of spool.pages()) rows.push(...page);
  rows.sort(compareRows);
  const sorted = await ResultSpool.create(folder, `${name}-sorted`);
  for (let i = 0; i < rows.length; i += 2048) await sorted.append(rows.slice(i, i + 2048));
  await spool.dispose();
  return { spool: sorted, order: 'sorted' };
}
