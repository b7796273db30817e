/**
 * The logical table every discovery query reads: `audit_events`, one row per archived event, with the
 * event's nested fields typed and a `dt` column (`yyyy/MM/dd`, the day's folder under `audit-logs/`).
 *
 * Described once here and derived three ways: Athena's DDL (Hive types, lower-case names, as Hive
 * stores them), DuckDB's JSON reader (the event's own camelCase keys, which DuckDB matches exactly)
 * and the cast that gives DuckDB the same lower-case names as Athena. Column and field names are
 * therefore lower-case on both engines; SQL may write them in any case (`serviceName`), because
 * both engines compare identifiers without case.
 *
 * `audit_events` holds each archived event once, on both engines; each defines it in its own dialect
 * (`auditEventsDefinition`), and the query written after it is the same text on both.
 * - Athena reads the whole `audit-logs/` folder, where parts left by an interrupted run sit beside
 *   the real ones, so its physical relation `audit_events_raw` may hold an event twice: its
 *   definition keeps one row per (`dt`, `id`) with `row_number()` (Athena has no DISTINCT ON). An id
 *   lives in one day only, and partitioning by `dt` too lets Athena push a `dt` bound below the
 *   window, so it still reads only those days.
 * - The local engine reads only what the manifests vouch for, and its `audit_events_raw` holds one
 *   row per (`dt`, `id`) by construction (each cached month is written after its lines were counted
 *   against the manifests, and written again with DISTINCT ON only when an id is in it twice on a day:
 *   main/engine/discovery/archive-object-cache.ts), so its
 *   definition only bounds the days. The window would cost most of a local query's time (every
 *   column of every event in the range materialised before the query's own WHERE: bench/cli.ts,
 *   bench/discovery.ts).
 */
import { dayPath, DATA_FOLDER } from '../archive-layout';
import type { Day } from '../day';
import type { QueryEngineKind } from './result-metadata';

/** The table queries name. */
const AUDIT_EVENTS_TABLE = 'audit_events';
/** The physical relation: every line of every part under `audit-logs/` (orphans included on Athena). */
export const AUDIT_EVENTS_RAW_TABLE = 'audit_events_raw';

type FieldType =
  | 'string'
  | 'boolean'
  | { readonly array: FieldType }
  | { readonly struct: readonly Field[] }
  | { readonly map: 'string' };
interface Field {
  /** The key as Genesys writes it. */
  readonly key: string;
  readonly type: FieldType;
}

const str = (key: string): Field => ({ key, type: 'string' });
const strings = (key: string): Field => ({ key, type: { array: 'string' } });
const struct = (key: string, fields: readonly Field[]): Field => ({ key, type: { struct: fields } });

/** The AuditLogMessage fields the table types (docs/GENESYS.md); anything else stays in the archive only. */
export const AUDIT_EVENT_FIELDS: readonly Field[] = [
  str('id'),
  str('userHomeOrgId'),
  struct('user', [str('id'), str('name'), str('selfUri')]),
  struct('client', [str('id'), str('selfUri')]),
  strings('remoteIp'),
  str('serviceName'),
  str('level'),
  // A string, not a timestamp: Hive's parser rejects ISO-8601 ending in Z. Use from_iso8601_timestamp(eventdate).
  str('eventDate'),
  struct('message', [
    str('localizableMessageCode'),
    str('message'),
    str('messageWithParams'),
    { key: 'messageParams', type: { map: 'string' } },
  ]),
  str('action'),
  struct('entity', [str('id'), str('name'), str('selfUri')]),
  str('entityType'),
  str('status'),
  str('application'),
  struct('initiatingAction', [str('transactionId'), str('actionContext')]),
  { key: 'transactionInitiator', type: 'boolean' },
  {
    key: 'propertyChanges',
    type: { array: { struct: [str('property'), strings('oldValues'), strings('newValues')] } },
  },
  { key: 'context', type: { map: 'string' } },
  {
    key: 'entityChanges',
    type: {
      array: {
        struct: [str('entityId'), str('entityName'), str('entityType'), strings('oldValues'), strings('newValues')],
      },
    },
  },
];

/** The partition column: the day's folder, `yyyy/MM/dd`. */
export const DT_COLUMN = 'dt';

/** Every column of `audit_events`, lower-case, in table order (`dt` last). */
export const AUDIT_EVENTS_COLUMNS: readonly string[] = [
  ...AUDIT_EVENT_FIELDS.map((f) => f.key.toLowerCase()),
  DT_COLUMN,
];

/** A day as its `dt` value: `2026/03/01`. */
export function dtOf(day: Day): string {
  return dayPath(day);
}

/** Hive type text (DDL): lower-case names, backticks where Hive needs them. */
export function hiveType(type: FieldType): string {
  if (type === 'string' || type === 'boolean') return type;
  if ('array' in type) return `array<${hiveType(type.array)}>`;
  if ('map' in type) return 'map<string,string>';
  return `struct<${type.struct.map((f) => `${f.key.toLowerCase()}:${hiveType(f.type)}`).join(',')}>`;
}

/** DuckDB type text with the given field-name case. */
function duckType(type: FieldType, name: (key: string) => string): string {
  if (type === 'string') return 'VARCHAR';
  if (type === 'boolean') return 'BOOLEAN';
  if ('array' in type) return `${duckType(type.array, name)}[]`;
  if ('map' in type) return 'MAP(VARCHAR, VARCHAR)';
  return `STRUCT(${type.struct.map((f) => `"${name(f.key)}" ${duckType(f.type, name)}`).join(', ')})`;
}

/** DuckDB `read_json(columns := …)`: the event's own keys (DuckDB matches JSON keys exactly). */
export function duckJsonColumns(): Record<string, string> {
  return Object.fromEntries(AUDIT_EVENT_FIELDS.map((f) => [f.key, duckType(f.type, (k) => k)]));
}

/** The DuckDB type of a column with Athena's lower-case names (a struct cast renames by name). */
export function duckTableType(field: Field): string {
  return duckType(field.type, (k) => k.toLowerCase());
}

/** The column list every query's CTE projects, quoted (`user` is reserved). */
const COLUMN_LIST = AUDIT_EVENTS_COLUMNS.map((c) => `"${c}"`).join(', ');

/**
 * The CTE that defines `audit_events` for one query on one engine (see the top of this file): the raw
 * relation restricted to the range (two `?`: the first and last `dt`) and to `prefilter` (a structured
 * query's conditions, applied before Athena's deduplication, which is the same answer because copies
 * of an event are byte-identical, and cheaper). The conditions hold only `?` placeholders, never values.
 */
export function auditEventsDefinition(options: {
  engine: QueryEngineKind;
  bounded: boolean;
  prefilter?: readonly string[];
}): string {
  const where = [...(options.bounded ? [`"${DT_COLUMN}" BETWEEN ? AND ?`] : []), ...(options.prefilter ?? [])];
  const filter = (indent: string) => (where.length ? `\n${indent}WHERE ${where.join(`\n${indent}  AND `)}` : '');
  if (options.engine === 'local') {
    return `WITH ${AUDIT_EVENTS_TABLE} AS (\n  SELECT ${COLUMN_LIST}\n  FROM ${AUDIT_EVENTS_RAW_TABLE}${filter('  ')}\n)\n`;
  }
  return (
    `WITH ${AUDIT_EVENTS_TABLE} AS (\n` +
    `  SELECT ${COLUMN_LIST}\n` +
    `  FROM (\n` +
    `    SELECT ${COLUMN_LIST}, row_number() OVER (PARTITION BY "${DT_COLUMN}", "id") AS "copy_number"\n` +
    `    FROM ${AUDIT_EVENTS_RAW_TABLE}${filter('    ')}\n` +
    `  ) AS "event_copies"\n` +
    `  WHERE "copy_number" = 1\n` +
    `)\n`
  );
}

/** Where Athena's table and its partition template point: `s3://bucket/prefix/audit-logs/`. */
export function auditLogsLocation(bucket: string, prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return `s3://${bucket}/${p ? `${p}/` : ''}${DATA_FOLDER}/`;
}
