/**
 * The exact text of each audit event in a Genesys page, found without re-serialising anything.
 *
 * `JSON.stringify(JSON.parse(text))` reformats numbers (`1.0` becomes `1`), rounds integers above
 * 2^53 and decodes escapes; the archive must hold what Genesys sent. This scanner walks a page once
 * and returns each element of its events array (`entities` of a results page, the whole of a
 * download page) as its own text, with only the whitespace between tokens removed so that every event
 * is one NDJSON line.
 *
 * It checks the structure it walks (brackets, commas, colons, strings), and nothing more: each
 * element's text is then given to JSON.parse by the caller, which validates it fully, and the page
 * around the array (with the array emptied) is JSON.parse'd for its envelope. Whitespace is only
 * removed from text that JSON.parse accepts, where it never separates two tokens that could merge.
 *
 * It walks the page's bytes, not a string of the whole page: a page (about 0.5 MB) decoded to one
 * string lands in V8's large-object space and stays there, dead, until a full collection, which
 * over a million-event day held tens of megabytes of old pages. Each event is decoded on its own
 * (a small, short-lived string). Every character JSON gives structure to is ASCII, and UTF-8 never
 * uses bytes below 0x80 inside a multi-byte character, so walking bytes finds the same tokens.
 * Positions are byte offsets in the page.
 */

import { Buffer } from 'node:buffer';

/** Where and why a page is not the JSON the scanner expects. */
export class PageSyntaxError extends Error {
  constructor(
    message: string,
    /** Byte offset in the page. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'PageSyntaxError';
  }
}

/** One element of the events array. */
export interface ElementText {
  /** The element's text with the whitespace outside strings removed: one line. */
  readonly json: string;
  /** The element exactly as it stands in the page (the same string as `json` when it had no whitespace). */
  readonly source: string;
  /** Byte offset of the element in the page. */
  readonly position: number;
}

export interface ScannedPage {
  readonly elements: ElementText[];
  /** The page with the events array emptied (`"entities":[]`), for JSON.parse of the envelope. */
  readonly envelope: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** JSON's insignificant whitespace: space, tab, line feed, carriage return (nothing else). */
function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWhitespace(s: Buffer, i: number): number {
  while (i < s.length && isWhitespace(s[i] as number)) i++;
  return i;
}

function describeAt(s: Buffer, i: number): string {
  return i >= s.length ? 'the end of the text' : `byte ${i}`;
}

/** The page's bytes from `start` to `end` as text. */
function text(s: Buffer, start: number, end: number): string {
  return s.toString('utf8', start, end);
}

/** Index of the quote closing the string that opens at `open` (indexOf does the long runs). */
function stringEnd(s: Buffer, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = s.indexOf(QUOTE, from);
    if (q < 0) throw new PageSyntaxError(`a string opened at byte ${open} never ends`, open);
    let k = q - 1;
    while (k > open && s[k] === BACKSLASH) k--;
    // An even run of backslashes escapes itself, not the quote.
    if (((q - 1 - k) & 1) === 0) return q;
    from = q + 1;
  }
}

/** Closers expected at each depth of the value being walked (reused: scanning is synchronous). */
const closers: number[] = [];

/**
 * Walks one JSON value starting at `start` (no leading whitespace) and returns the index after it.
 * When `pieces` is given and the value holds whitespace outside its strings, the value's text
 * without that whitespace is pushed into `pieces` piecewise; a value without any pushes nothing.
 */
function valueEnd(s: Buffer, start: number, pieces: string[] | null): number {
  const first = s[start];
  if (first === QUOTE) return stringEnd(s, start) + 1;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter. JSON.parse judges what it is.
    let i = start;
    while (i < s.length) {
      const c = s[i] as number;
      if (
        c === COMMA ||
        c === CLOSE_BRACKET ||
        c === CLOSE_BRACE ||
        c === COLON ||
        c === QUOTE ||
        c === OPEN_BRACE ||
        c === OPEN_BRACKET ||
        isWhitespace(c)
      )
        break;
      i++;
    }
    if (i === start) throw new PageSyntaxError(`expected a value at ${describeAt(s, start)}`, start);
    return i;
  }
  let depth = 0;
  let segment = start;
  let i = start;
  const n = s.length;
  while (i < n) {
    const c = s[i] as number;
    if (c === QUOTE) {
      i = stringEnd(s, i) + 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      closers[depth++] = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0 || closers[depth - 1] !== c) {
        throw new PageSyntaxError(`unexpected '${String.fromCharCode(c)}' at byte ${i}`, i);
      }
      i++;
      if (--depth === 0) {
        if (pieces !== null && segment > start) pieces.push(text(s, segment, i));
        return i;
      }
    } else if (isWhitespace(c)) {
      if (pieces !== null) pieces.push(text(s, segment, i));
      i = skipWhitespace(s, i + 1);
      segment = i;
    } else {
      i++;
    }
  }
  throw new PageSyntaxError(`a value opened at byte ${start} never ends`, start);
}

/** One value: its end and, if it held whitespace, its text without it. */
function walkValue(s: Buffer, start: number): { end: number; compact: string | null } {
  const pieces: string[] = [];
  const end = valueEnd(s, start, pieces);
  // No piece pushed: no whitespace met. Otherwise the pieces already end at the closing bracket.
  return { end, compact: pieces.length === 0 ? null : pieces.join('') };
}

/** The elements of the array whose `[` is at `open`; returns them and the index of its `]`. */
function arrayElements(s: Buffer, open: number): { elements: ElementText[]; close: number } {
  const elements: ElementText[] = [];
  let i = skipWhitespace(s, open + 1);
  if (s[i] === CLOSE_BRACKET) return { elements, close: i };
  for (;;) {
    const { end, compact } = walkValue(s, i);
    const source = text(s, i, end);
    elements.push({ json: compact ?? source, source, position: i });
    i = skipWhitespace(s, end);
    const c = s[i];
    if (c === CLOSE_BRACKET) return { elements, close: i };
    if (c !== COMMA)
      throw new PageSyntaxError(
        `expected ',' or ']' after the element at byte ${elements.at(-1)?.position ?? i}, found ${describeAt(s, i)}`,
        i,
      );
    i = skipWhitespace(s, i + 1);
  }
}

function expectEnd(s: Buffer, i: number): void {
  const j = skipWhitespace(s, i);
  if (j < s.length) throw new PageSyntaxError(`unexpected text after the end at byte ${j}`, j);
}

/** The decoded name of the key whose opening quote is at `open` and closing quote at `close`. */
function keyName(s: Buffer, open: number, close: number): string {
  const raw = text(s, open + 1, close);
  if (raw.indexOf('\\') < 0) return raw;
  try {
    return JSON.parse(text(s, open, close + 1)) as string;
  } catch {
    throw new PageSyntaxError(`a key at byte ${open} is not a valid JSON string`, open);
  }
}

/**
 * A results page, `{..., "entities": [...], ...}`: the text of each entity, and the page with its
 * `entities` emptied. A page without `entities` has no elements.
 */
export function scanResultsPage(page: Uint8Array | string): ScannedPage {
  const s = bytesOf(page);
  let i = skipWhitespace(s, 0);
  if (s[i] !== OPEN_BRACE) throw new PageSyntaxError(`expected '{' at ${describeAt(s, i)}`, i);
  i = skipWhitespace(s, i + 1);
  let found: { elements: ElementText[]; open: number; close: number } | null = null;
  if (s[i] !== CLOSE_BRACE) {
    for (;;) {
      if (s[i] !== QUOTE) throw new PageSyntaxError(`expected a key at ${describeAt(s, i)}`, i);
      const keyClose = stringEnd(s, i);
      const name = keyName(s, i, keyClose);
      i = skipWhitespace(s, keyClose + 1);
      if (s[i] !== COLON) throw new PageSyntaxError(`expected ':' at ${describeAt(s, i)}`, i);
      i = skipWhitespace(s, i + 1);
      if (name === 'entities') {
        if (found) throw new PageSyntaxError(`"entities" appears twice (again at byte ${i})`, i);
        if (s[i] !== OPEN_BRACKET) throw new PageSyntaxError(`"entities" is not an array (byte ${i})`, i);
        const { elements, close } = arrayElements(s, i);
        found = { elements, open: i, close };
        i = close + 1;
      } else {
        i = valueEnd(s, i, null);
      }
      i = skipWhitespace(s, i);
      const c = s[i];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new PageSyntaxError(`expected ',' or '}' at ${describeAt(s, i)}`, i);
      i = skipWhitespace(s, i + 1);
    }
  }
  expectEnd(s, i + 1);
  if (!found) return { elements: [], envelope: text(s, 0, s.length) };
  return { elements: found.elements, envelope: text(s, 0, found.open + 1) + text(s, found.close, s.length) };
}

/** A download page, a bare JSON array of events: the text of each. */
export function scanDownloadPage(page: Uint8Array | string): ScannedPage {
  const s = bytesOf(page);
  const i = skipWhitespace(s, 0);
  if (s[i] !== OPEN_BRACKET) throw new PageSyntaxError(`expected '[' at ${describeAt(s, i)}`, i);
  const { elements, close } = arrayElements(s, i);
  expectEnd(s, close + 1);
  return { elements, envelope: '[]' };
}

/** The page as bytes (a string, as tests give it, is encoded as UTF-8). */
function bytesOf(page: Uint8Array | string): Buffer {
  if (typeof page === 'string') return Buffer.from(page, 'utf8');
  return Buffer.isBuffer(page) ? page : Buffer.from(page.buffer, page.byteOffset, page.byteLength);
}
