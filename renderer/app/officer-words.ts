/**
 * A refusal's message as an officer reads it beside a field: no request paths
 * (`request.query.parameters.1.value: …`) and no schema wording (`Too small: expected number to be
 * >=1`). The field's label is printed before it, so the message starts in lower case and says what
 * to enter. Pure, so its rules are unit-tested (test/unit/renderer/officer-words.test.ts).
 */

const RULES: readonly (readonly [RegExp, (m: RegExpExecArray) => string])[] = [
  [/expected (number|int), received (null|NaN|undefined)/i, () => 'enter a whole number'],
  [/expected int, received number/i, () => 'enter a whole number (no decimals)'],
  [/Too small: expected number to be >=?\s*(-?[\d.]+)/i, (m) => `must be at least ${m[1]}`],
  [/Too small: expected number to be >\s*(-?[\d.]+)/i, (m) => `must be more than ${m[1]}`],
  [/Too big: expected number to be <=?\s*(-?[\d.]+)/i, (m) => `must be at most ${m[1]}`],
  [/Too small: expected string to have >=?\s*1 characters?/i, () => 'must not be empty'],
  [/Too small: expected string to have >=?\s*(\d+) characters/i, (m) => `must be at least ${m[1]} characters`],
  [/Too big: expected string to have <=?\s*(\d+) characters/i, (m) => `must be at most ${m[1]} characters`],
  [/Too small: expected array to have >=?\s*1 items?/i, () => 'choose at least one'],
  [/Invalid option: expected one of (.+)$/i, (m) => `choose one of ${m[1]!.replaceAll('|', ', ')}`],
  [/expected string, received undefined/i, () => 'is required'],
  [/Invalid ISO date/i, () => 'enter a UTC day as YYYY-MM-DD'],
];

/** A leading request path such as `request.settings.archive.target: ` or `settings.ui.calendarYears: `. */
const PATH_PREFIX = /^(?:[A-Za-z_$][\w$]*|\d+)(?:\.(?:[A-Za-z_$][\w$]*|\d+))+:\s*/;

export function officerMessage(message: string): string {
  const text = message.replace(PATH_PREFIX, '').trim();
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(text);
    if (m) return say(m);
  }
  return text;
}

/** Every path-prefixed clause of a joined message (`a.b: x; c.d: y`) in the officer's words. */
export function officerSummary(message: string): string {
  return message
    .split(/;\s+(?=(?:[A-Za-z_$][\w$]*|\d+)(?:\.(?:[A-Za-z_$][\w$]*|\d+))+:)/)
    .map(officerMessage)
    .join('; ');
}
