/**
 * Typed query parameters: what an officer types becomes a value of its declared type or a clear
 * refusal, never SQL text.
 */
import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../../shared/discovery/compile-query';
import {
  bindNamedParameters,
  parseParameterValue,
  scanNamedParameters,
  sqlLiteral,
  typedValuesFor,
} from '../../../shared/discovery/parameters';
import { StructuredQuerySchema } from '../../../shared/discovery/structured-query';

describe('named parameters in SQL', () => {
  it('become positional ? in order, a name used twice bound twice, and the values never enter the text', () => {
    const bound = bindNamedParameters(
      `SELECT * FROM audit_events WHERE "user"."id" = :who OR lower("user"."name") = lower(:who) AND action = :what`,
      [
        { name: 'who', type: 'string', value: "O'Brien" },
        { name: 'what', type: 'string', value: 'Delete' },
      ],
    );
    expect(bound.sql).toBe(
      `SELECT * FROM audit_events WHERE "user"."id" = ? OR lower("user"."name") = lower(?) AND action = ?`,
    );
    expect(bound.parameters.map((p) => p.value)).toEqual(["O'Brien", "O'Brien", 'Delete']);
    expect(bound.sql).not.toContain('Brien');
  });

  it('are not found inside strings, quoted names, comments or :: casts', () => {
    const scanned = scanNamedParameters(
      `SELECT ':no', "a:b", x::VARCHAR -- :nor\n/* :neither */ FROM t WHERE y = :yes`,
    );
    expect(scanned.names).toEqual(['yes']);
    expect(scanned.sql).toBe(`SELECT ':no', "a:b", x::VARCHAR -- :nor\n/* :neither */ FROM t WHERE y = ?`);
  });

  it.each([
    ['SELECT * FROM audit_events WHERE id = ?', /bare \? placeholder/],
    ['SELECT * FROM audit_events WHERE id = $1', /\$1… placeholder/],
    ["SELECT 'unterminated FROM audit_events", /unterminated string/],
  ])('refuse positional placeholders and broken quoting: %s', (sql, message) => {
    expect(() => scanNamedParameters(sql)).toThrow(message);
  });

  it('need a value for every name and a name for every value (a typo never runs another query)', () => {
    expect(() => bindNamedParameters('SELECT :a', [])).toThrow(/needs a value for :a/);
    expect(() =>
      bindNamedParameters('SELECT :a', [
        { name: 'a', type: 'string', value: 'x' },
        { name: 'b', type: 'string', value: 'y' },
      ]),
    ).toThrow(/does not use :b/);
  });
});

describe('typed values', () => {
  it.each([
    ['integer', '1 OR 1=1', false],
    ['integer', '42', true],
    ['integer', '9007199254740993', false],
    ['number', '2.5', true],
    ['number', '1; DROP TABLE x', false],
    ['boolean', 'yes', false],
    ['day', '2026-02-30', false],
    ['day', '2026-02-28', true],
    ['instant', '2026-03-01T09:30:00Z', true],
    ['instant', '2026-03-01 09:30', false],
    ['string', "x' OR '1'='1", true],
    ['string', 'a\0b', false],
  ] as const)('a %s parameter given %j parses: %s', (type, raw, ok) => {
    expect(parseParameterValue(type, raw).ok).toBe(ok);
  });

  it('become Athena literals from their type: quotes doubled in text, numbers and booleans bare', () => {
    expect(sqlLiteral('string', "x' OR '1'='1")).toBe("'x'' OR ''1''=''1'");
    expect(sqlLiteral('integer', 42)).toBe('42');
    expect(sqlLiteral('number', -2.5)).toBe('-2.5');
    expect(sqlLiteral('boolean', false)).toBe('false');
    expect(sqlLiteral('day', '2026-03-01')).toBe("'2026-03-01'");
    expect(() => sqlLiteral('integer', '1 OR 1=1')).toThrow(/whole number/);
  });

  it('for a saved query come from its declarations: defaults filled, unknown names and bad values refused naming the field', () => {
    const defs = [
      { name: 'queue', type: 'string' as const, label: 'Queue' },
      { name: 'limit', type: 'integer' as const, label: 'At most', default: 10 },
    ];
    expect(typedValuesFor(defs, { queue: 'Fraud Hotline' })).toEqual([
      { name: 'queue', type: 'string', value: 'Fraud Hotline' },
      { name: 'limit', type: 'integer', value: 10 },
    ]);
    expect(() => typedValuesFor(defs, {})).toThrow(/Give a value for :queue \(Queue\)/);
    expect(() => typedValuesFor(defs, { queue: 'x', limit: 'ten' })).toThrow(
      /:limit \(At most\) must be a whole number/,
    );
    expect(() => typedValuesFor(defs, { queue: 'x', qeue: 'y' })).toThrow(/no parameter :qeue/);
  });
});

describe('compiled queries', () => {
  it('a structured query is always bounded by dt, its values all positional, read through the CTE that defines audit_events on each engine', () => {
    const structured = StructuredQuerySchema.parse({
      range: { from: '2026-03-01', to: '2026-03-31' },
      users: ['Zoë'],
      entity: "Complaints (FCA)'--",
      text: 'timeout',
    });
    const athena = compileQuery({ kind: 'structured', structured }, 'athena');
    const local = compileQuery({ kind: 'structured', structured }, 'local');
    // Athena reads orphan parts too: one row per (dt, id). The local relation already holds one (the cache is built so).
    expect(athena.sql).toContain('row_number() OVER (PARTITION BY "dt", "id")');
    expect(local.sql).not.toContain('row_number');
    // The same conditions, parameters and query after the definition on both.
    const body = (sql: string) => sql.slice(sql.indexOf('\n)\nSELECT'));
    expect(body(local.sql)).toBe(body(athena.sql));
    expect(local.parameters).toEqual(athena.parameters);
    for (const q of [athena, local]) {
      expect(q.sql).toContain('WITH audit_events AS (');
      expect(q.sql).toContain('"dt" BETWEEN ? AND ?');
      expect(q.parameters.slice(0, 2)).toEqual([
        { name: 'range.from', type: 'string', value: '2026/03/01' },
        { name: 'range.to', type: 'string', value: '2026/03/31' },
      ]);
      expect(q.sql.split('?').length - 1).toBe(q.parameters.length);
      for (const value of ['Zoë', 'Complaints', 'timeout']) expect(q.sql).not.toContain(value);
    }
  });

  it('SQL runs after the CTE (its own WITH joins it), and only one SELECT or WITH statement is accepted', () => {
    const q = compileQuery(
      {
        kind: 'sql',
        sql: '-- mine\nWITH x AS (SELECT id FROM audit_events) SELECT count(*) FROM x;',
        parameters: [],
        range: null,
      },
      'athena',
    );
    expect(q.sql).toMatch(/\)\n, x AS \(SELECT id FROM audit_events\) SELECT count\(\*\) FROM x$/);
    expect(q.sql).not.toContain('BETWEEN');
    expect(() =>
      compileQuery({ kind: 'sql', sql: 'DROP TABLE audit_events_raw', parameters: [], range: null }, 'local'),
    ).toThrow(/queries only/);
    expect(() =>
      compileQuery({ kind: 'sql', sql: "SELECT 1; SELECT ';'", parameters: [], range: null }, 'athena'),
    ).toThrow(/more than one statement/);
  });
});
