/**
 * Compiling a discovery query to the SQL text an engine runs: the definition of `audit_events` in that
 * engine's form (audit-events-table.ts `auditEventsDefinition`), then the query itself, the same text
 * on both engines.
 *
 * The dialect is Athena's (Trino): Athena cannot be changed, and the local DuckDB engine defines the
 * few Trino functions it lacks (`json_format`, `from_iso8601_timestamp`, `array_join`, see
 * main/engine/discovery/duckdb-dialect.ts). Values are never in the text: every one is a positional
 * `?` with a typed entry in `parameters`, in placeholder order. The first two are the `dt` bound when
 * the query has a date range.
 */
import { AuditArchiveError } from '../errors';
import { auditEventsDefinition, dtOf } from './audit-events-table';
import {
  bindNamedParameters,
  scanNamedParameters,
  type PositionalParameter,
  type TypedParameterValue,
} from './parameters';
import { sqlSegments, statementCount, withoutLeadingComments } from './sql-lexer';
import type { QueryEngineKind } from './result-metadata';
import type { DateRange, StructuredQuery } from './structured-query';

/** Longest SQL text accepted from a person. */
export const MAX_SQL_LENGTH = 100_000;

/** What was asked, as the person asked it (kept in every result's metadata). */
export type QueryText =
  | { readonly kind: 'structured'; readonly structured: StructuredQuery }
  | {
      readonly kind: 'sql';
      /** The SQL as written, with `:name` placeholders. */
      readonly sql: string;
      readonly parameters: readonly TypedParameterValue[];
      /** The days to read; null reads every day (refused on Athena unless the scan is confirmed). */
      readonly range: DateRange | null;
    };

export interface CompiledQuery {
  /** The exact text the engine runs. */
  readonly sql: string;
  /** One entry per `?`, in order. */
  readonly parameters: readonly PositionalParameter[];
  /** The `dt` bound inside the query (null: every day). */
  readonly range: DateRange | null;
  readonly source: QueryText;
}

/**
 * The columns a structured query (and the starter queries) return, one event per row: scalar
 * values only, so both engines print them the same way.
 */
export const EVENT_ROW_COLUMNS = [
  ['event_date', `"eventdate"`],
  ['user_name', `"user"."name"`],
  ['user_id', `"user"."id"`],
  ['service', `"servicename"`],
  ['action', `"action"`],
  ['entity_type', `"entitytype"`],
  ['entity_name', `"entity"."name"`],
  ['entity_id', `"entity"."id"`],
  ['status', `"status"`],
  ['property_changes', `json_format(CAST("propertychanges" AS JSON))`],
  ['remote_ip', `array_join("remoteip", ', ')`],
  ['client_id', `"client"."id"`],
  ['id', `"id"`],
] as const;

export const EVENT_ROW_SELECT = `SELECT\n  ${EVENT_ROW_COLUMNS.map(([alias, expr]) => `${expr} AS "${alias}"`).join(',\n  ')}\nFROM audit_events`;
/** Events in time order; the id breaks ties so both engines agree on the order. */
export const EVENT_ROW_ORDER = `ORDER BY from_iso8601_timestamp("eventdate"), "id"`;

const GENESYS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Genesys ids are UUIDs; a name never looks like one, so a UUID is compared with the id alone (no lower() over every row). */
function isGenesysId(value: string): boolean {
  return GENESYS_ID.test(value);
}

/** Ids as Genesys writes them (lower case); names as typed. */
function idOrName(value: string): string {
  return isGenesysId(value) ? value.toLowerCase() : value;
}

function rangeParameters(range: DateRange | null): PositionalParameter[] {
  return range
    ? [
        { name: 'range.from', type: 'string', value: dtOf(range.from) },
        { name: 'range.to', type: 'string', value: dtOf(range.to) },
      ]
    : [];
}

/** Conditions of a structured query over the raw columns, with their values in placeholder order. */
function structuredConditions(q: StructuredQuery): { where: string[]; parameters: PositionalParameter[] } {
  const where: string[] = [];
  const parameters: PositionalParameter[] = [];
  const param = (name: string, value: string) => parameters.push({ name, type: 'string', value });
  if (q.users.length > 0) {
    const each = q.users.map((u, i) => {
      param(`users[${i}]`, idOrName(u));
      return isGenesysId(u) ? `"user"."id" = ?` : `lower("user"."name") = lower(?)`;
    });
    where.push(each.length === 1 ? (each[0] as string) : `(${each.join(' OR ')})`);
  }
  if (q.entityType) {
    where.push(`lower("entitytype") = lower(?)`);
    param('entityType', q.entityType);
  }
  if (q.entity) {
    where.push(isGenesysId(q.entity) ? `"entity"."id" = ?` : `lower("entity"."name") = lower(?)`);
    param('entity', idOrName(q.entity));
  }
  if (q.actions.length > 0) {
    where.push(`lower("action") IN (${q.actions.map(() => 'lower(?)').join(', ')})`);
    q.actions.forEach((a, i) => param(`actions[${i}]`, a));
  }
  if (q.service) {
    where.push(`lower("servicename") = lower(?)`);
    param('service', q.service);
  }
  if (q.status) {
    where.push(`"status" = ?`);
    param('status', q.status);
  }
  if (q.text) {
    const found = [`"user"."name"`, `"entity"."name"`, `json_format(CAST("propertychanges" AS JSON))`].map(
      (field) => `strpos(lower(${field}), lower(?)) > 0`,
    );
    where.push(`(${found.join(' OR ')})`);
    for (let i = 0; i < 3; i++) param('text', q.text);
  }
  return { where, parameters };
}

function compileStructuredQuery(q: StructuredQuery, engine: QueryEngineKind): CompiledQuery {
  const { where, parameters } = structuredConditions(q);
  const cte = auditEventsDefinition({ engine, bounded: true, prefilter: where });
  return {
    sql: `${cte}${EVENT_ROW_SELECT}\n${EVENT_ROW_ORDER}`,
    parameters: [...rangeParameters(q.range), ...parameters],
    range: q.range,
    source: { kind: 'structured', structured: q },
  };
}

/**
 * Compiles SQL written over `audit_events` (one SELECT or WITH query; `:name` parameters) for an
 * engine. The text runs after the CTE that defines `audit_events`, so a query's own WITH joins it.
 */
export function compileSqlQuery(
  sql: string,
  parameters: readonly TypedParameterValue[],
  range: DateRange | null,
  engine: QueryEngineKind,
): CompiledQuery {
  if (sql.length > MAX_SQL_LENGTH)
    throw new AuditArchiveError('QUERY_INVALID', `The SQL is longer than ${MAX_SQL_LENGTH} characters.`);
  const bound = bindNamedParameters(sql, parameters);
  const body = queryBody(bound.sql);
  const cte = auditEventsDefinition({ engine, bounded: range !== null });
  const text = body.startsWithWith ? `${cte}, ${body.text.replace(/^with\s+/i, '')}` : `${cte}${body.text}`;
  return {
    sql: text,
    parameters: [...rangeParameters(range), ...bound.parameters],
    range,
    source: { kind: 'sql', sql, parameters: [...parameters], range },
  };
}

/** The query as `engine` runs it. */
export function compileQuery(q: QueryText, engine: QueryEngineKind): CompiledQuery {
  return q.kind === 'structured'
    ? compileStructuredQuery(q.structured, engine)
    : compileSqlQuery(q.sql, q.parameters, q.range, engine);
}

/**
 * The statement without leading comments and trailing semicolons, checked to be one query. Anything
 * else (DDL, INSERT, a second statement) is refused before it reaches an engine.
 */
function queryBody(boundSql: string): { text: string; startsWithWith: boolean } {
  const text = withoutTrailingSeparators(withoutLeadingComments(boundSql));
  if (!/^(select|with)\b/i.test(text)) {
    throw new AuditArchiveError(
      'QUERY_INVALID',
      'Discovery runs queries only: start the SQL with SELECT (or WITH), reading FROM audit_events.',
    );
  }
  if (/^with\s+recursive\b/i.test(text))
    throw new AuditArchiveError('QUERY_INVALID', 'WITH RECURSIVE is not supported in discovery queries.');
  if (statementCount(text) > 1)
    throw new AuditArchiveError('QUERY_INVALID', 'The SQL holds more than one statement: run one query at a time.');
  return { text, startsWithWith: /^with\b/i.test(text) };
}

/** The text without the whitespace, `;` and comments it ends with. */
function withoutTrailingSeparators(sql: string): string {
  const segments = sqlSegments(sql);
  let end = sql.length;
  for (let last = segments.pop(); last; last = segments.pop()) {
    const text = sql.slice(last.start, last.end);
    if (last.kind === 'comment' || (last.kind === 'code' && /^[\s;]*$/.test(text))) {
      end = last.start;
      continue;
    }
    if (last.kind === 'code') end = last.end - (/[\s;]*$/.exec(text)?.[0].length ?? 0);
    break;
  }
  return sql.slice(0, end);
}

/** True when `sql` (as written, `:name` placeholders) is a query over the archive that can be compiled. */
export function describeSqlProblem(sql: string): string | null {
  try {
    queryBody(scanNamedParameters(sql).sql);
    return null;
  } catch (e) {
    return e instanceof AuditArchiveError ? e.message : String(e);
  }
}
