/**
 * Bad usage (exit 2, nothing attempted) and the checks of the flags every command shares: days,
 * ranges, whole numbers. Each names the flag and the command whose `--help` explains it.
 */
import { parseDay, type Day } from '../../shared/day';

/** Bad usage: exit 2 with one line saying what is wrong and where help is. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | null,
  ) {
    super(message);
  }
}

/** What parseArgs gives back: strings, booleans and lists of strings. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A value typed by the user, as an error line may quote it: short and on one line. */
function shortForMessage(value: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

/** Every day flag goes through here: a malformed day is bad usage (exit 2), never an internal error. */
function optionalDay(value: unknown, name: string, command: string): Day | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDay(value);
  if (!parsed.ok)
    throw new UsageError(`--${name} '${shortForMessage(String(value))}' ${parsed.error.message}`, command);
  return parsed.value;
}

export function requiredDay(value: unknown, name: string, command: string): Day {
  const day = optionalDay(value, name, command);
  if (!day) throw new UsageError(`--${name} YYYY-MM-DD is required`, command);
  return day;
}

/** `--from` and `--to`, each optional, in order. */
export function dayRange(values: FlagValues, command: string): { from?: Day; to?: Day } {
  const from = optionalDay(values.from, 'from', command);
  const to = optionalDay(values.to, 'to', command);
  if (from && to && to < from) throw new UsageError(`--to ${to} is before --from ${from}`, command);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function optionalInt(
  value: unknown,
  name: string,
  command: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, command);
  return n;
}

/** parseArgs's error, as one line in the CLI's words. */
export function describeParseError(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = (e as Error).message ?? String(e);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return msg.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return msg
      .replace(/^Unexpected argument/, 'unexpected argument')
      .replace(/\. This command does not take positional arguments$/, '');
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return msg.replace(/^Option/, 'option');
  return msg;
}
