/**
 * Query parameters: typed values a person gives a query, never spliced into its SQL text.
 *
 * SQL written for discovery names its parameters `:name`; `bindNamedParameters` turns each into a
 * positional `?` (the only placeholder Athena's ExecutionParameters and DuckDB's prepared statements
 * share) and lists the values in placeholder order. Every value is parsed against its declared type
 * first, and refused (QUERY_INVALID, naming the parameter) when it does not parse: an integer
 * parameter given `1 OR 1=1` is an error, a string parameter given `x' OR '1'='1` is just a string
 * that matches nothing.
 */
import * as z from 'zod';
import { DaySchema } from '../day';
import { EVENT_DATE_RE } from '../audit-event';
import { AuditArchiveError } from '../errors';
import { sqlSegments } from './sql-lexer';

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'day', 'instant'] as const;
/**
 * - `string`: any text;
 * - `integer`: a whole number within ±2^53;
 * - `number`: a finite decimal number;
 * - `boolean`: true or false;
 * - `day`: a UTC day `YYYY-MM-DD` (sent to SQL as that text);
 * - `instant`: an ISO-8601 UTC instant like Genesys's `eventDate` (sent as that text; compare with
 *   `from_iso8601_timestamp(eventdate) >= from_iso8601_timestamp(:since)`).
 */
const ParameterTypeSchema = z.enum(PARAMETER_TYPES);
export type ParameterType = z.infer<typeof ParameterTypeSchema>;

const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const ParameterNameSchema = z
  .string()
  .regex(PARAMETER_NAME_RE, 'must start with a letter or _ and hold only letters, digits and _ (at most 64)');

/** Longest text value accepted (a name, an id, a search term: never a document). */
const MAX_PARAMETER_TEXT = 4096;

/** A value as it arrives from outside: text from a form field or the CLI, or a JSON scalar. */
export const RawParameterValueSchema = z.union([z.string().max(MAX_PARAMETER_TEXT), z.number(), z.boolean()]);
export type RawParameterValue = z.infer<typeof RawParameterValueSchema>;

/** What a saved query declares about one of its parameters. */
export const ParameterDefinitionSchema = z
  .object({
    name: ParameterNameSchema,
    type: ParameterTypeSchema,
    /** The form field's label. */
    label: z.string().min(1).max(80),
    description: z.string().max(500).optional(),
    /** Pre-filled in the form and used by the CLI when no value is given. */
    default: RawParameterValueSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.default === undefined) return;
    const parsed = parseParameterValue(d.type, d.default);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['default'], message: parsed.message });
  });
type ParameterDefinition = z.infer<typeof ParameterDefinitionSchema>;

/** A parameter value after parsing: its declared type and a value of that type. */
export const TypedParameterValueSchema = z
  .object({
    name: ParameterNameSchema,
    type: ParameterTypeSchema,
    value: z.union([z.string(), z.number(), z.boolean()]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const parsed = parseParameterValue(p.type, p.value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: parsed.message });
    else if (parsed.value !== p.value)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be given in its ${p.type} form` });
  });
export type TypedParameterValue = z.infer<typeof TypedParameterValueSchema>;

/**
 * One `?` of a compiled query, in order: where it came from (`name`: a parameter, or
 * `range.from`/`range.to` for the `dt` bound the compiler adds), its type and value.
 */
export const PositionalParameterSchema = z
  .object({
    name: z.string().min(1).max(80),
    type: ParameterTypeSchema,
    value: z.union([z.string(), z.number(), z.boolean()]),
  })
  .strict();
export type PositionalParameter = z.infer<typeof PositionalParameterSchema>;

type ParsedParameter = { ok: true; value: string | number | boolean } | { ok: false; message: string };

const INTEGER_TEXT = /^[+-]?\d{1,16}$/;
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

/** Parses a raw value as `type`; the message says what the value must look like. */
export function parseParameterValue(type: ParameterType, raw: RawParameterValue): ParsedParameter {
  switch (type) {
    case 'string':
      if (typeof raw !== 'string') return { ok: false, message: 'must be text' };
      if (raw.length > MAX_PARAMETER_TEXT)
        return { ok: false, message: `must be at most ${MAX_PARAMETER_TEXT} characters` };
      // NUL has no place in a name or a search term, and some drivers truncate at it.
      if (raw.includes('\0')) return { ok: false, message: 'must not contain a NUL character' };
      return { ok: true, value: raw };
    case 'integer': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && INTEGER_TEXT.test(raw.trim())
            ? Number(raw.trim())
            : NaN;
      if (!Number.isSafeInteger(n)) return { ok: false, message: 'must be a whole number such as 42' };
      return { ok: true, value: n };
    }
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && NUMBER_TEXT.test(raw.trim())
            ? Number(raw.trim())
            : NaN;
      if (!Number.isFinite(n)) return { ok: false, message: 'must be a number such as 2.5' };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return { ok: false, message: 'must be true or false' };
    case 'day':
      if (typeof raw !== 'string' || !DaySchema.safeParse(raw).success)
        return { ok: false, message: 'must be a UTC day written YYYY-MM-DD' };
      return { ok: true, value: raw };
    case 'instant':
      if (typeof raw !== 'string' || !EVENT_DATE_RE.test(raw) || Number.isNaN(Date.parse(raw))) {
        return { ok: false, message: 'must be an ISO-8601 UTC instant such as 2026-03-01T09:30:00Z' };
      }
      return { ok: true, value: raw };
  }
}

/**
 * The SQL literal text of a typed value, as Athena's ExecutionParameters take it: text carries its
 * own single quotes with embedded quotes doubled; numbers and booleans are bare. The value is parsed
 * again here, so nothing that is not of its type can become a literal.
 */
export function sqlLiteral(type: ParameterType, value: string | number | boolean): string {
  const parsed = parseParameterValue(type, value);
  if (!parsed.ok) throw new AuditArchiveError('QUERY_INVALID', `A ${type} parameter value ${parsed.message}.`);
  const v = parsed.value;
  switch (type) {
    case 'integer':
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return `'${String(v).replaceAll("'", "''")}'`;
  }
}

/** Where `:name` placeholders sit in a SQL text, and what else it holds that a binder must refuse. */
interface ScannedSql {
  /** The text with every `:name` replaced by `?`. */
  readonly sql: string;
  /** The names, in placeholder order (a name used twice appears twice). */
  readonly names: readonly string[];
}

/**
 * Finds `:name` placeholders in the code of a SQL text (never inside strings, quoted names or
 * comments, as sql-lexer.ts reads them). A `::` cast is not a placeholder. Bare `?` and `$1`/`$name`
 * placeholders are refused: they would bind values by position behind the reader's back.
 */
export function scanNamedParameters(sql: string): ScannedSql {
  const names: string[] = [];
  let out = '';
  for (const segment of sqlSegments(sql)) {
    const text = sql.slice(segment.start, segment.end);
    out += segment.kind === 'code' ? placeholdersIn(sql, segment.start, segment.end, names) : text;
  }
  return { sql: out, names };
}

/** One run of code with each `:name` replaced by `?` (the name pushed on `names`). */
function placeholdersIn(sql: string, start: number, end: number, names: string[]): string {
  let out = '';
  let i = start;
  const refuse = (what: string) => {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `The SQL uses ${what} at character ${i + 1}: write parameters as :name and give each a typed value.`,
    );
  };
  while (i < end) {
    const c = sql[i] as string;
    const next = i + 1 < end ? sql[i + 1] : undefined;
    if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && next !== undefined && /[A-Za-z_]/.test(next)) {
      let j = i + 1;
      while (j < end && /[A-Za-z0-9_]/.test(sql[j] as string)) j++;
      names.push(sql.slice(i + 1, j));
      out += '?';
      i = j;
    } else if (c === '?') {
      refuse('a bare ? placeholder');
    } else if (
      c === '$' &&
      next !== undefined &&
      /[A-Za-z0-9_]/.test(next) &&
      !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ' ')
    ) {
      refuse(`a $${next}… placeholder`);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Replaces `:name` placeholders with `?` and lists the values in placeholder order. Every name in the
 * SQL needs a value, and every value a name in the SQL (a typo in a parameter name must not run a
 * different query silently).
 */
export function bindNamedParameters(
  sql: string,
  values: readonly TypedParameterValue[],
): { sql: string; parameters: PositionalParameter[] } {
  const scanned = scanNamedParameters(sql);
  const byName = new Map<string, TypedParameterValue>();
  for (const v of values) {
    if (byName.has(v.name))
      throw new AuditArchiveError('QUERY_INVALID', `The parameter :${v.name} is given twice; give it once.`);
    byName.set(v.name, v);
  }
  const missing = [...new Set(scanned.names.filter((name) => !byName.has(name)))];
  if (missing.length > 0) {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `The SQL needs a value for ${missing.map((m) => `:${m}`).join(', ')}; give one for each.`,
    );
  }
  const used = new Set(scanned.names);
  const unused = [...byName.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `The SQL does not use ${unused.map((u) => `:${u}`).join(', ')}; check the parameter name${unused.length > 1 ? 's' : ''}.`,
    );
  }
  const parameters = scanned.names.map((name) => {
    const v = byName.get(name) as TypedParameterValue;
    const parsed = parseParameterValue(v.type, v.value);
    if (!parsed.ok) throw new AuditArchiveError('QUERY_INVALID', `The parameter :${name} ${parsed.message}.`);
    return { name, type: v.type, value: parsed.value };
  });
  return { sql: scanned.sql, parameters };
}

/**
 * Values for a saved query's declared parameters from raw input (form fields, `--param`): each
 * parsed as its declared type, defaults filled in, unknown names refused.
 */
export function typedValuesFor(
  definitions: readonly ParameterDefinition[],
  raw: Readonly<Record<string, RawParameterValue | undefined>>,
): TypedParameterValue[] {
  const known = new Set(definitions.map((d) => d.name));
  const unknown = Object.keys(raw).filter((k) => !known.has(k) && raw[k] !== undefined);
  if (unknown.length > 0) {
    const list = definitions.length ? definitions.map((d) => d.name).join(', ') : 'none';
    throw new AuditArchiveError(
      'QUERY_INVALID',
      `This query has no parameter ${unknown.map((u) => `:${u}`).join(', ')} (its parameters: ${list}).`,
    );
  }
  return definitions.map((d) => {
    const given = raw[d.name];
    const value = given === undefined || given === '' ? d.default : given;
    if (value === undefined) throw new AuditArchiveError('QUERY_INVALID', `Give a value for :${d.name} (${d.label}).`);
    const parsed = parseParameterValue(d.type, value);
    if (!parsed.ok)
      throw new AuditArchiveError('QUERY_INVALID', `The parameter :${d.name} (${d.label}) ${parsed.message}.`);
    return { name: d.name, type: d.type, value: parsed.value };
  });
}
