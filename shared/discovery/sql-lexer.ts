/**
 * The one lexer discovery reads a query's text with: where its strings, quoted names and comments
 * are. The placeholder scan, the one-statement check and the leading-comment strip all use it, so
 * they cannot disagree with each other, and it follows the rules of the parser that runs the text
 * locally (DuckDB's, PostgreSQL's lexer): test/unit/discovery/sql-lexer.test.ts checks it against
 * DuckDB itself over every string form, and the local engine asks DuckDB again before it prepares
 * anything. Athena (Trino) knows fewer forms (no `$$`, no `E''`, no nesting) and refuses a text
 * holding more than one statement on its own.
 *
 * - `'…'`: a string; `''` is a quote; a backslash is an ordinary character.
 * - `E'…'` (E not ending a name): a string where a backslash escapes the next character.
 * - `X'…'`, `B'…'`: strings without escapes (`''` ends one and starts another).
 * - `"…"`: a quoted name; `""` is a quote.
 * - `$tag$…$tag$` (tag empty or a name, the `$` not inside a name): a string, nothing escaped.
 * - `--` to the end of the line (`\n` or `\r`); `/* … *\/`, nested.
 * - Everything else is code. Backticks are code: neither DuckDB nor Athena quotes with them.
 */
import { AuditArchiveError } from '../errors';

type SqlSegmentKind = 'code' | 'string' | 'quoted-name' | 'comment';

/** `sql.slice(start, end)` is one run of a kind. */
interface SqlSegment {
  readonly kind: SqlSegmentKind;
  readonly start: number;
  readonly end: number;
}

/** Letters, digits, `_`, `$` and anything beyond ASCII continue a name (PostgreSQL's `ident_cont`). */
function continuesName(c: string | undefined): boolean {
  return c !== undefined && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);
}

/** What a dollar-quote tag may start with and hold (PostgreSQL's `dolq_start`, `dolq_cont`). */
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

function unterminated(what: string, at: number): AuditArchiveError {
  return new AuditArchiveError('QUERY_INVALID', `The SQL has an unterminated ${what} starting at character ${at + 1}.`);
}

/** The end (exclusive) of the quoted run opening at `open`, with `''`-style doubling when `doubled`. */
function quotedEnd(sql: string, open: number, quote: string, doubled: boolean, backslash: boolean): number {
  for (let j = open + 1; j < sql.length; j++) {
    const c = sql[j];
    if (backslash && c === '\\') j++;
    else if (c === quote) {
      if (doubled && sql[j + 1] === quote) j++;
      else return j + 1;
    }
  }
  throw unterminated(quote === '"' ? 'quoted name' : 'string', open);
}

function nestedCommentEnd(sql: string, open: number): number {
  let depth = 0;
  for (let j = open; j < sql.length - 1; j++) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth++;
      j++;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j++;
      if (depth === 0) return j + 1;
    }
  }
  throw unterminated('/* comment', open);
}

/** The non-code run starting at `i`, or null when `sql[i]` is code. */
function specialAt(sql: string, i: number): SqlSegment | null {
  const c = sql[i] as string;
  const next = sql[i + 1];
  const afterName = continuesName(sql[i - 1]);
  if (c === "'") return { kind: 'string', start: i, end: quotedEnd(sql, i, "'", true, false) };
  if (c === '"') return { kind: 'quoted-name', start: i, end: quotedEnd(sql, i, '"', true, false) };
  if (!afterName && (c === 'E' || c === 'e') && next === "'")
    return { kind: 'string', start: i, end: quotedEnd(sql, i + 1, "'", true, true) };
  if (!afterName && /[XxBb]/.test(c) && next === "'")
    return { kind: 'string', start: i, end: quotedEnd(sql, i + 1, "'", false, false) };
  if (c === '-' && next === '-') {
    const nl = sql.slice(i).search(/[\n\r]/);
    return { kind: 'comment', start: i, end: nl < 0 ? sql.length : i + nl };
  }
  if (c === '/' && next === '*') return { kind: 'comment', start: i, end: nestedCommentEnd(sql, i) };
  if (c === '$' && !afterName) {
    const tag = DOLLAR_TAG.exec(sql.slice(i, i + 130))?.[0];
    if (tag) {
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) throw unterminated('dollar-quoted string', i);
      return { kind: 'string', start: i, end: close + tag.length };
    }
  }
  return null;
}

/** The text as runs of code, strings, quoted names and comments; QUERY_INVALID when one never ends. */
export function sqlSegments(sql: string): SqlSegment[] {
  const out: SqlSegment[] = [];
  let codeStart = 0;
  let i = 0;
  while (i < sql.length) {
    const special = specialAt(sql, i);
    if (!special) {
      i++;
      continue;
    }
    if (i > codeStart) out.push({ kind: 'code', start: codeStart, end: i });
    out.push(special);
    i = codeStart = special.end;
  }
  if (sql.length > codeStart) out.push({ kind: 'code', start: codeStart, end: sql.length });
  return out;
}

/** The text without the comments and whitespace it starts with. */
export function withoutLeadingComments(sql: string): string {
  for (const s of sqlSegments(sql)) {
    if (s.kind === 'comment') continue;
    if (s.kind === 'code' && sql.slice(s.start, s.end).trim() === '') continue;
    return sql.slice(s.start).trimStart();
  }
  return '';
}

/**
 * How many statements the text holds: runs between `;` in code that hold anything but whitespace
 * and comments (DuckDB skips empty ones: `SELECT 1;;` is one statement).
 */
export function statementCount(sql: string): number {
  let count = 0;
  let content = false;
  for (const s of sqlSegments(sql)) {
    if (s.kind === 'comment') continue;
    if (s.kind !== 'code') {
      content = true;
      continue;
    }
    for (let j = s.start; j < s.end; j++) {
      const c = sql[j] as string;
      if (c === ';') {
        if (content) count++;
        content = false;
      } else if (!/\s/.test(c)) content = true;
    }
  }
  return content ? count + 1 : count;
}
