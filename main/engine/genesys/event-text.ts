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
 */

/** Where and why a page is not the JSON the scanner expects. */
export class PageSyntaxError extends Error {
  constructor(
    message: string,
    /** Character offset in the page. */
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
  /** Character offset of the element in the page. */
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

function skipWhitespace(s: string, i: number): number {
  while (i < s.length && isWhitespace(s.charCodeAt(i))) i++;
  return i;
}

function describeAt(s: string, i: number): string {
  return i >= s.length ? 'the end of the text' : `character ${i}`;
}

/** Index of the quote closing the string that opens at `open` (indexOf does the long runs). */
function stringEnd(s: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) throw new PageSyntaxError(`a string opened at character ${open} never ends`, open);
    let k = q - 1;
    while (k > open && s.charCodeAt(k) === BACKSLASH) k--;
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
function valueEnd(s: string, start: number, pieces: string[] | null): number {
  const first = s.charCodeAt(start);
  if (first === QUOTE) return stringEnd(s, start) + 1;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter. JSON.parse judges what it is.
    let i = start;
    while (i < s.length) {
      const c = s.charCodeAt(i);
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
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(s, i) + 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      closers[depth++] = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0 || closers[depth - 1] !== c) {
        throw new PageSyntaxError(`unexpected '${String.fromCharCode(c)}' at character ${i}`, i);
      }
      i++;
      if (--depth === 0) {
        if (pieces !== null && segment > start) pieces.push(s.slice(segment, i));
        return i;
      }
    } else if (isWhitespace(c)) {
      if (pieces !== null) pieces.push(s.slice(segment, i));
      i = skipWhitespace(s, i + 1);
      segment = i;
    } else {
      i++;
    }
  }
  throw new PageSyntaxError(`a value opened at character ${start} never ends`, start);
}

/** One value: its end and, if it held whitespace, its text without it. */
function walkValue(s: string, start: number): { end: number; compact: string | null } {
  const pieces: string[] = [];
  const end = valueEnd(s, start, pieces);
  // No piece pushed: no whitespace met. Otherwise the pieces already end at the closing bracket.
  return { end, compact: pieces.length === 0 ? null : pieces.join('') };
}

/** The elements of the array whose `[` is at `open`; returns them and the index of its `]`. */
function arrayElements(s: string, open: number): { elements: ElementText[]; close: number } {
  const elements: ElementText[] = [];
  let i = skipWhitespace(s, open + 1);
  if (s.charCodeAt(i) === CLOSE_BRACKET) return { elements, close: i };
  for (;;) {
    const { end, compact } = walkValue(s, i);
    const source = s.slice(i, end);
    elements.push({ json: compact ?? source, source, position: i });
    i = skipWhitespace(s, end);
    const c = s.charCodeAt(i);
    if (c === CLOSE_BRACKET) return { elements, close: i };
    if (c !== COMMA)
      throw new PageSyntaxError(
        `expected ',' or ']' after the element at character ${elements.at(-1)?.position ?? i}, found ${describeAt(s, i)}`,
        i,
      );
    i = skipWhitespace(s, i + 1);
  }
}

function expectEnd(s: string, i: number): void {
  const j = skipWhitespace(s, i);
  if (j < s.length) throw new PageSyntaxError(`unexpected text after the end at character ${j}`, j);
}

/** The decoded name of the key whose opening quote is at `open` and closing quote at `close`. */
function keyName(s: string, open: number, close: number): string {
  const raw = s.slice(open + 1, close);
  if (raw.indexOf('\\') < 0) return raw;
  try {
    return JSON.parse(s.slice(open, close + 1)) as string;
  } catch {
    throw new PageSyntaxError(`a key at character ${open} is not a valid JSON string`, open);
  }
}

/**
 * A results page, `{..., "entities": [...], ...}`: the text of each entity, and the page with its
 * `entities` emptied. A page without `entities` has no elements.
 */
export function scanResultsPage(s: string): ScannedPage {
  let i = skipWhitespace(s, 0);
  if (s.charCodeAt(i) !== OPEN_BRACE) throw new PageSyntaxError(`expected '{' at ${describeAt(s, i)}`, i);
  i = skipWhitespace(s, i + 1);
  let found: { elements: ElementText[]; open: number; close: number } | null = null;
  if (s.charCodeAt(i) !== CLOSE_BRACE) {
    for (;;) {
      if (s.charCodeAt(i) !== QUOTE) throw new PageSyntaxError(`expected a key at ${describeAt(s, i)}`, i);
      const keyClose = stringEnd(s, i);
      const name = keyName(s, i, keyClose);
      i = skipWhitespace(s, keyClose + 1);
      if (s.charCodeAt(i) !== COLON) throw new PageSyntaxError(`expected ':' at ${describeAt(s, i)}`, i);
      i = skipWhitespace(s, i + 1);
      if (name === 'entities') {
        if (found) throw new PageSyntaxError(`"entities" appears twice (again at character ${i})`, i);
        if (s.charCodeAt(i) !== OPEN_BRACKET)
          throw new PageSyntaxError(`"entities" is not an array (character ${i})`, i);
        const { elements, close } = arrayElements(s, i);
        found = { elements, open: i, close };
        i = close + 1;
      } else {
        i = valueEnd(s, i, null);
      }
      i = skipWhitespace(s, i);
      const c = s.charCodeAt(i);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new PageSyntaxError(`expected ',' or '}' at ${describeAt(s, i)}`, i);
      i = skipWhitespace(s, i + 1);
    }
  }
  expectEnd(s, i + 1);
  if (!found) return { elements: [], envelope: s };
  return { elements: found.elements, envelope: s.slice(0, found.open + 1) + s.slice(found.close) };
}

/** A download page, a bare JSON array of events: the text of each. */
export function scanDownloadPage(s: string): ScannedPage {
  const i = skipWhitespace(s, 0);
  if (s.charCodeAt(i) !== OPEN_BRACKET) throw new PageSyntaxError(`expected '[' at ${describeAt(s, i)}`, i);
  const { elements, close } = arrayElements(s, i);
  expectEnd(s, close + 1);
  return { elements, envelope: '[]' };
}
