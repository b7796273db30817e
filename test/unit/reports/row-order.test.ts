/**
 * The order a report states for a result's rows: the query's own ORDER BY when it has one, else
 * every column in turn, so that two reports from the same inputs are the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { compareRows, hasTopLevelOrderBy } from '../../../main/engine/reports/row-order';

describe("a result's stated order", () => {
  it.each<[string, boolean]>([
    ['SELECT id FROM audit_events ORDER BY eventdate', true],
    ['SELECT id FROM audit_events\norder\n  by 1 DESC LIMIT 5', true],
    ['SELECT id, row_number() OVER (ORDER BY eventdate) FROM audit_events', false],
    ['SELECT * FROM (SELECT id FROM audit_events ORDER BY id) AS x', false],
    ["SELECT 'ORDER BY' AS note FROM audit_events", false],
    ['SELECT id FROM audit_events -- ORDER BY id', false],
    ['SELECT id FROM audit_events /* ORDER BY id */', false],
    ['SELECT "order by" FROM audit_events', false],
    ['WITH x AS (SELECT id FROM audit_events ORDER BY id) SELECT id FROM x ORDER BY id', true],
  ])('%j has its own ORDER BY: %s', (sql, expected) => {
    expect(hasTopLevelOrderBy(sql)).toBe(expected);
  });

  it('sorts rows without an order by every column in turn: nulls, then numbers by value, then text', () => {
    const rows = [
      ['b', 10],
      ['a', 9],
      [null, 1],
      ['a', 10],
      ['a', null],
      [2, 'x'],
    ];
    expect([...rows].sort(compareRows)).toEqual([
      [null, 1],
      [2, 'x'],
      ['a', null],
      ['a', 9],
      ['a', 10],
      ['b', 10],
    ]);
  });
});
