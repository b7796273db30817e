/**
 * One parser for statements: the product's own reading of a query's text (where strings, quoted
 * names and comments are; how many statements; which `:name` and `?` are placeholders) agrees with
 * DuckDB's parser, asked directly, for every string form: `'…'`, `E'…'`, `$$…$$`, `$tag$…$tag$`,
 * `X''`/`B''`, `"…"`, `--` and nested comments. The attack: a `$$…;…$$` that hid a `;` from the
 * product's check, and a `:name` inside a dollar-quoted string that was bound as a parameter.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, compileSqlQuery, describeSqlProblem } from '../../../shared/discovery/compile-query';
import { scanNamedParameters } from '../../../shared/discovery/parameters';
import { sqlSegments, statementCount } from '../../../shared/discovery/sql-lexer';
import { isAuditArchiveError } from '../../../shared/errors';
import { demoArchive, type DemoArchive } from './discovery-fixture';

let duck: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(':memory:');
  connection = await duck.connect();
});
afterAll(() => {
  connection?.closeSync();
  duck?.closeSync();
});

/** DuckDB's count of statements, or null when its parser refuses the text. */
async function duckStatements(sql: string): Promise<number | null> {
  try {
    return (await connection.extractStatements(sql)).count;
  } catch {
    return null;
  }
}

/** Ours, or null when the lexer refuses the text (an unterminated string or comment). */
function ourStatements(sql: string): number | null {
  try {
    return statementCount(sql);
  } catch (e) {
    if (isAuditArchiveError(e) && e.code === 'QUERY_INVALID') return null;
    throw e;
  }
}

/** Every string form, each with a `;` (and a `?`, a `:name`) inside that must not count. */
const STRING_FORMS = [
  `'a;b?:x'`,
  `'it''s;?:x'`,
  `'back\\';`, // a backslash is an ordinary character: this string ends after it
  `E'it\\'s;?:x'`,
  `e'\\\\';`, // E'\\' is one backslash: the ; after it is code
  `E'a'';?:x'`,
  `$$a;b?:x$$`,
  `$$ ' $$`,
  `$tag$ x;$$?:x $tag$`,
  `$a$ $$ ; $a$`,
  `$_$;$_$`,
  `$é$;?$é$`,
  `X'41'`,
  `B'10'`,
  `N'a;?'`,
  `"a;b?:x"`,
  `"a""b;"`,
  `/* a /* b */ ;?:x */ 1`,
  `-- ;?:x\n1`,
  `1 --x\r; SELECT 2`,
  `abcE'x;'`,
];

describe('the lexer agrees with DuckDB on statements', () => {
  it.each(STRING_FORMS)('SELECT %s', async (form) => {
    for (const sql of [`SELECT ${form}`, `SELECT ${form}; SELECT 2`, `SELECT 1, ${form} ;;`]) {
      const duckCount = await duckStatements(sql);
      if (duckCount === null) continue; // DuckDB refuses the text: it never runs
      expect({ sql, count: ourStatements(sql) }).toEqual({ sql, count: duckCount });
    }
  });

  it('over thousands of texts made of quotes, dollars, comments and semicolons', async () => {
    let seed = 20261120;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (list: readonly string[]) => list[random(list.length)] as string;
    const inner = (alphabet: readonly string[]) => Array.from({ length: random(6) }, () => pick(alphabet)).join('');
    const hostile = ['a', ';', ' ', "'", "''", '"', '\\', '$', '$$', '--', '/*', '*/', '\n', '\r', '?'];
    // Each form wraps hostile text; DuckDB decides where it really ends.
    const item = (): string => {
      switch (random(9)) {
        case 0:
          return `'${inner(hostile)}'`;
        case 1:
          return `${pick(['E', 'e'])}'${inner([...hostile, "\\'", '\\\\'])}'`;
        case 2:
          return `$$${inner(hostile)}$$`;
        case 3:
          return `$t$${inner(hostile)}$t$`;
        case 4:
          return `"${inner(hostile)}"`;
        case 5:
          return `/*${inner(hostile)}*/ 1`;
        case 6:
          return `-- ${inner(hostile)}${pick(['\n', '\r'])}1`;
        case 7:
          return `${pick(['X', 'B', 'x'])}'${inner(['1', '0', ';', "'", '$$'])}'`;
        default:
          return pick(['1', 'x', 'a$$b', 'E', '$1']);
      }
    };
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      let sql = `SELECT ${item()}`;
      for (let k = random(4); k > 0; k--) sql += random(3) ? `, ${item()}` : `; SELECT ${item()}`;
      const duckCount = await duckStatements(sql);
      if (duckCount === null) continue;
      compared++;
      expect({ sql, count: ourStatements(sql) }).toEqual({ sql, count: duckCount });
    }
    // The generator must reach texts DuckDB accepts, or this test proves nothing.
    expect(compared).toBeGreaterThan(1000);
  });

  it('agrees on which ? DuckDB binds: only those in code', async () => {
    for (const form of STRING_FORMS) {
      const sql = `SELECT ${form.replace(/;/g, ',')} AS c, ? AS p`;
      let duckParameters: number;
      try {
        const extracted = await connection.extractStatements(sql);
        if (extracted.count !== 1) continue;
        duckParameters = (await extracted.prepare(0)).parameterCount;
      } catch {
        continue; // not a text DuckDB runs
      }
      const inCode = sqlSegments(sql)
        .filter((s) => s.kind === 'code')
        .reduce((n, s) => n + [...sql.slice(s.start, s.end)].filter((c) => c === '?').length, 0);
      expect({ sql, inCode }).toEqual({ sql, inCode: duckParameters });
    }
  });
});

describe('the query check, attacked', () => {
  it('refuses a second statement hidden behind a quote inside $$…$$', () => {
    const attack = `SELECT $$ ' $$ AS a FROM audit_events; DROP TABLE audit_events_raw; SELECT $$ ' $$`;
    expect(describeSqlProblem(attack)).toMatch(/more than one statement/);
    expect(() => compileSqlQuery(attack, [], null, 'local')).toThrow(/more than one statement/);
  });

  it('refuses a second statement after an E-string whose quote is escaped by a backslash', () => {
    expect(describeSqlProblem(`SELECT E'\\'' AS a; SELECT 2`)).toMatch(/more than one statement/);
  });

  it('reads a :name inside a dollar-quoted string as text, not a parameter', () => {
    expect(scanNamedParameters(`SELECT $$:who$$ AS literal, :who AS bound`).names).toEqual(['who']);
    expect(scanNamedParameters(`SELECT $q$ ' :x ' $q$`).names).toEqual([]);
  });

  it('still accepts one query with trailing semicolons and comments', () => {
    expect(describeSqlProblem(`SELECT 1 AS n FROM audit_events;; -- done`)).toBeNull();
    expect(describeSqlProblem(`/* a /* nested */ comment */ SELECT 'x;y' AS t FROM audit_events;`)).toBeNull();
  });
});

describe('the local engine asks DuckDB', () => {
  let demo: DemoArchive;
  beforeAll(async () => {
    demo = await demoArchive({ days: ['2026-03-02'], eventsPerDay: 20 });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('refuses a compiled text DuckDB reads as two statements, whatever the product scan made of it', async () => {
    const one = compileQuery(
      {
        kind: 'sql',
        sql: 'SELECT count(*) AS n FROM audit_events',
        parameters: [],
        range: { from: '2026-03-02', to: '2026-03-02' },
      },
      'local',
    );
    // A text the product's own check never let through, handed to the engine directly.
    const two = { ...one, sql: `${one.sql}; SELECT 42` };
    await expect(demo.engine().execute(two)).rejects.toMatchObject({
      code: 'QUERY_INVALID',
      message: expect.stringMatching(/DuckDB reads 2 statements/),
    });
  });
});
