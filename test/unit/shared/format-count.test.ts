/**
 * formatCount writes what `toLocaleString('en')` writes (it stands in for it where a count is shown,
 * without loading ICU's number data).
 */
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../../shared/format-count';

describe('formatCount', () => {
  it('writes every count as toLocaleString("en") does', () => {
    const values = [0, -0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000];
    for (let p = 0; p <= 15; p++) values.push(10 ** p - 1, 10 ** p, 10 ** p + 1, 7 * 10 ** p + 123);
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -1, -999, -1000, -1_234_567, 2554, 30_716);
    for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 2 ** 40) * (i % 2 ? -1 : 1));
    for (const n of values) expect(formatCount(n)).toBe(n.toLocaleString('en'));
  });

  it('leaves anything but a safe whole number to toLocaleString', () => {
    for (const n of [0.5, 1234.5678, -0.25, NaN, Infinity, -Infinity, 2 ** 60, -(2 ** 60)])
      expect(formatCount(n)).toBe(n.toLocaleString('en'));
  });
});
