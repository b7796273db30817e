/**
 * The scanner that keeps each event's own text: whatever Genesys writes, each event comes out as the
 * characters it sent (only whitespace between tokens gone), and a page that is not what it claims
 * stops with the position of the problem.
 */
import { describe, expect, it } from 'vitest';
import { PageSyntaxError, scanDownloadPage, scanResultsPage } from '../../../main/engine/genesys/event-text';

/**
 * An independent reference: JSON text minus the whitespace outside strings, by a regular expression
 * that matches whole strings (escapes included) or whitespace runs.
 */
const compact = (json: string): string =>
  json.replace(/("(?:[^"\\]|\\.)*")|[ \t\n\r]+/g, (_m, str: string | undefined) => str ?? '');

const EXOTIC = [
  '{"id":"a","eventDate":"2026-11-20T00:00:00Z","sequence":12345678901234567890,"ratio":1.0,"tiny":-0.0,"huge":1e400,"exp":2.50E-3}',
  '{"id":"b","eventDate":"2026-11-20T00:00:01Z","name":"Ren\\u00e9e \\ud83d\\ude00","raw":"Renée 😀","quote":"say \\"hi\\"","slash":"a\\\\","brackets":"}]{[,:"}',
  '{"id":"c","eventDate":"2026-11-20T00:00:02Z","nested":{"a":[1,[2,[3,{"b":[]}]],{}],"c":{"d":{"e":null}}},"flags":[true,false,null]}',
  '{"id":"d","eventDate":"2026-11-20T00:00:03Z","empty":"","backslashes":"\\\\\\\\","endsInEscapedQuote":"x\\\\\\"","control":"tab\\there"}',
];

describe('a results page', () => {
  it('gives every event as the exact text Genesys sent: long integers, 1.0, escapes, unknown fields untouched', () => {
    const page = `{"id":"q1","pageSize":500,"cursor":"c2","entities":[${EXOTIC.join(',')}]}`;
    const { elements, envelope } = scanResultsPage(page);
    expect(elements.map((e) => e.json)).toEqual(EXOTIC);
    // Nothing was rebuilt for a compact page: the text is the page's own bytes, where the position says.
    expect(elements.map((e) => e.source)).toEqual(EXOTIC);
    const bytes = Buffer.from(page, 'utf8');
    expect(elements.map((e) => bytes.toString('utf8', e.position, e.position + Buffer.byteLength(e.json)))).toEqual(
      EXOTIC,
    );
    expect(JSON.parse(envelope)).toEqual({ id: 'q1', pageSize: 500, cursor: 'c2', entities: [] });
    // What a re-serialising client would have stored instead:
    expect(JSON.stringify(JSON.parse(EXOTIC[0] as string))).not.toBe(EXOTIC[0]);
  });

  it('drops only the whitespace between tokens of a pretty-printed page, never inside a string', () => {
    // Whitespace put between the tokens of the exact texts (none of them has `,"` or `":` inside a string).
    const spaced = EXOTIC.map((e) => e.replace(/,"/g, ',\n    "').replace(/":/g, '" :\t').replace(/^\{/, '{\r\n '));
    const page = `{\n  "id" : "q",\n  "entities" : [\n ${spaced.join(' ,\n  ')}\n ] ,\n "cursor":"next"\n}\n`;
    const { elements, envelope } = scanResultsPage(page);
    expect(elements.map((e) => e.json)).toEqual(EXOTIC);
    expect(elements.map((e) => e.source)).toEqual(spaced);
    expect(spaced.every((t) => t.includes('\n'))).toBe(true);
    expect(JSON.parse(envelope)).toEqual({ id: 'q', entities: [], cursor: 'next' });
  });

  it('finds the events wherever `entities` sits, and a page without it has none', () => {
    expect(scanResultsPage('{"entities":[{"id":"x"}],"pageSize":1}').elements.map((e) => e.json)).toEqual([
      '{"id":"x"}',
    ]);
    expect(
      scanResultsPage('{"other":{"entities":[1]},"entit\\u0069es":[{"id":"y"}]}').elements.map((e) => e.json),
    ).toEqual(['{"id":"y"}']);
    expect(scanResultsPage('{"id":"q","pageSize":25}')).toEqual({ elements: [], envelope: '{"id":"q","pageSize":25}' });
    expect(scanResultsPage('{"entities":[]}').elements).toEqual([]);
    expect(scanResultsPage('{"entities":[ ]}').elements).toEqual([]);
  });

  it('holds up against random JSON with random whitespace (seeded)', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4_294_967_296;
    };
    const ws = (): string => ['', '', ' ', '\n', '\t', '\r\n  '][Math.floor(rand() * 6)] as string;
    const pieces = [
      'a',
      'é',
      '\\"',
      '\\\\',
      '\\n',
      '\\u00e9',
      '\\ud83d\\ude00',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '😀',
    ];
    const str = (): string =>
      `"${Array.from({ length: Math.floor(rand() * 6) }, () => pieces[Math.floor(rand() * pieces.length)]).join('')}"`;
    const num = (): string =>
      ['0', '-1', '1.0', '12345678901234567890', '3.25e-7', '-0.5E+10'][Math.floor(rand() * 6)] as string;
    const value = (depth: number): string => {
      const r = rand();
      if (depth > 4 || r < 0.3) return [str, num, () => 'true', () => 'false', () => 'null'][Math.floor(rand() * 5)]!();
      if (r < 0.65) {
        const n = Math.floor(rand() * 4);
        return `{${ws()}${Array.from({ length: n }, () => `${str()}${ws()}:${ws()}${value(depth + 1)}`).join(`${ws()},${ws()}`)}${ws()}}`;
      }
      return `[${ws()}${Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
    };
    for (let round = 0; round < 300; round++) {
      const events = Array.from(
        { length: 1 + Math.floor(rand() * 5) },
        () => `{${ws()}"id"${ws()}:${ws()}${str()}${ws()},${ws()}"v":${ws()}${value(0)}${ws()}}`,
      );
      const page = `{${ws()}"cursor":${str()},${ws()}"entities"${ws()}:${ws()}[${ws()}${events.join(`${ws()},${ws()}`)}${ws()}]${ws()}}${ws()}`;
      const { elements, envelope } = scanResultsPage(page);
      expect(elements.map((e) => e.source)).toEqual(events);
      expect(elements.map((e) => e.json)).toEqual(events.map(compact));
      // The compact text means exactly what the original meant.
      for (const e of elements) expect(JSON.parse(e.json)).toEqual(JSON.parse(e.source));
      expect((JSON.parse(envelope) as { entities: unknown[] }).entities).toEqual([]);
    }
  });
});

describe('a download page (a bare array)', () => {
  it('gives every event as sent, eventTime and all', () => {
    const texts = [
      '{"id":"1","eventTime":"2026-11-20T00:00:00.000Z","n":100000000000000000001}',
      '{"id":"2","eventTime":"2026-11-20T00:00:00.5Z"}',
    ];
    expect(scanDownloadPage(`[${texts.join(',')}]`).elements.map((e) => e.json)).toEqual(texts);
    expect(scanDownloadPage(` [\n${texts.join(' ,\n')}\n] \n`).elements.map((e) => e.json)).toEqual(texts);
    expect(scanDownloadPage('[]').elements).toEqual([]);
  });
});

describe('a page that is not what it claims stops with the position of the problem', () => {
  const cases: Array<[string, string, RegExp, number]> = [
    ['an HTML sign-in page', '<html><body>Sign in</body></html>', /expected '\{' at byte 0/, 0],
    ['a string that never ends', '{"entities":[{"id":"abc}]}', /string opened at byte 19 never ends/, 19],
    [
      'a missing comma between events',
      '{"entities":[{"id":"a"} {"id":"b"}]}',
      /expected ',' or '\]' after the element at byte 13/,
      24,
    ],
    ['a bracket closed by a brace', '{"entities":[{"id":[1,2}]}', /unexpected '\}' at byte 23/, 23],
    ['an event that never closes', '{"entities":[{"id":{"a":1}', /a value opened at byte 13 never ends/, 13],
    ['a trailing comma', '{"entities":[{"id":"a"},]}', /expected a value at byte 24/, 24],
    ['text after the page', '{"entities":[]} {"entities":[]}', /unexpected text after the end at byte 16/, 16],
    ['entities that is not an array', '{"entities":{"id":"a"}}', /"entities" is not an array/, 12],
    ['entities given twice', '{"entities":[],"entities":[{"id":"a"}]}', /"entities" appears twice/, 26],
    ['a truncated page', '{"id":"q","entities":[{"id":"a"},{"id":"b"', /never ends/, 33],
  ];
  for (const [name, page, message, position] of cases) {
    it(name, () => {
      const e = (() => {
        try {
          scanResultsPage(page);
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(PageSyntaxError);
      expect((e as PageSyntaxError).message).toMatch(message);
      expect((e as PageSyntaxError).position).toBe(position);
    });
  }

  it('a download that is an object, not an array', () => {
    expect(() => scanDownloadPage('{"id":"a"}')).toThrow(/expected '\[' at byte 0/);
  });
});
