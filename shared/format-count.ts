/**
 * A count for people, with thousands separators ("30,716"): exactly what `n.toLocaleString('en')`
 * writes, without Intl. The first number Intl formats in a process sets up ICU's number formatting,
 * which took 26 ms of a CLI query's run (README: The CLI); a count needs none of it.
 * Anything but a whole number in the safe range (a fraction, -0, NaN, an infinity) is left to
 * toLocaleString.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    out = out ? `${group},${out}` : group;
  }
  return n < 0 ? `-${out}` : out;
}
