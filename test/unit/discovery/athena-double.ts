/**
 * Athena, played for tests from what Athena documents, with nothing taken from the engine's DuckDB
 * code (its table select, read options, macros and value conversion are the local engine: a mock
 * built from them would compare DuckDB with itself). What it takes from the engine is only what the
 * engine sends, as Athena would receive it:
 *
 * - The table is the DDL the engine sends. `CREATE DATABASE` and `CREATE EXTERNAL TABLE` are parsed
 *   (columns with their Hive types, the SerDe, LOCATION, and partition projection on `dt`: its
 *   type, format and range, and `storage.location.template`); a query before its table exists
 *   fails as Athena's would, and a DDL this double does not understand fails too.
 * - Rows as the Hive JSON SerDe (`org.apache.hive.hcatalog.data.JsonSerDe`) reads them: every line
 *   of every object under each projected partition's location (an orphan part included), JSON keys
 *   matched to the lower-case columns and struct fields without case, each value typed by the DDL
 *   (a value that does not fit its type fails the query, HIVE_BAD_DATA), `dt` from the object's
 *   folder through the template.
 * - ExecutionParameters as Athena documents them: the values replace the `?` placeholders (outside
 *   quotes and comments) in order, each one a literal written as text (`'it''s'`, `42`, `true`);
 *   a value that is not one literal, or a count that does not match, fails the query.
 * - The SQL is evaluated by DuckDB (nothing here runs Trino), over the table above, with the few
 *   Trino functions discovery uses defined here from Trino's documentation.
 * - Answers in Athena's result format: every value as text (`VarCharValue`, absent for NULL),
 *   arrays as `[a, b]`, rows as `{name=value}`, the first row of a SELECT repeating the column names,
 *   Trino's type names in `ColumnInfo`, pages of `MaxResults` with a `NextToken`.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type Datum,
  type QueryExecutionState,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  INTEGER,
  LIST,
  listValue,
  MAP,
  mapValue,
  STRUCT,
  structValue,
  TIMESTAMP,
  timestampValue,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { AwsClientStub } from 'aws-sdk-client-mock';

// --- Hive types, as the DDL writes them ------------------------------------------------------

export type HiveType =
  | { readonly kind: 'string' | 'boolean' | 'int' | 'bigint' | 'double' | 'timestamp' }
  | { readonly kind: 'array'; readonly of: HiveType }
  | { readonly kind: 'map'; readonly key: HiveType; readonly value: HiveType }
  | { readonly kind: 'struct'; readonly fields: ReadonlyArray<{ readonly name: string; readonly type: HiveType }> };

export interface HiveColumn {
  readonly name: string;
  readonly type: HiveType;
}

export interface ExternalTable {
  readonly database: string;
  readonly name: string;
  readonly columns: readonly HiveColumn[];
  readonly partitions: readonly HiveColumn[];
  readonly serde: string;
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
}

export type Ddl =
  | { readonly kind: 'database'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'table'; readonly table: ExternalTable; readonly ifNotExists: boolean };

/** A failure as Athena reports it: the query ends FAILED with this reason. */
export class AthenaFailure extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(`${errorType}: ${message}`);
  }
}

/** Splits `text` at top-level `separator`s (not inside <>, (), or quotes). */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const identifier = (text: string): string => text.trim().replace(/^`(.*)`$/s, '$1');

export function parseHiveType(text: string): HiveType {
  const t = text.trim();
  const simple = /^(string|boolean|int|bigint|double|timestamp)$/i.exec(t);
  if (simple) return { kind: (simple[1] as string).toLowerCase() as 'string' };
  const nested = /^(array|map|struct)<(.*)>$/is.exec(t);
  if (!nested) throw new AthenaFailure('INVALID_TABLE_DEFINITION', `unknown Hive type ${t}`);
  const inner = nested[2] as string;
  switch ((nested[1] as string).toLowerCase()) {
    case 'array':
      return { kind: 'array', of: parseHiveType(inner) };
    case 'map': {
      const [key, value] = splitTopLevel(inner, ',');
      if (!key || !value) throw new AthenaFailure('INVALID_TABLE_DEFINITION', `map needs two types: ${t}`);
      return { kind: 'map', key: parseHiveType(key), value: parseHiveType(value) };
    }
    default:
      return {
        kind: 'struct',
        fields: splitTopLevel(inner, ',').map((f) => {
          const colon = f.indexOf(':');
          if (colon < 0) throw new AthenaFailure('INVALID_TABLE_DEFINITION', `struct field without a type: ${f}`);
          return { name: identifier(f.slice(0, colon)).toLowerCase(), type: parseHiveType(f.slice(colon + 1)) };
        }),
      };
  }
}

function parseColumns(list: string): HiveColumn[] {
  return splitTopLevel(list, ',').map((c) => {
    const m = /^(`[^`]+`|\w+)\s+(.+)$/s.exec(c);
    if (!m) throw new AthenaFailure('INVALID_TABLE_DEFINITION', `cannot read the column ${c}`);
    return { name: identifier(m[1] as string).toLowerCase(), type: parseHiveType(m[2] as string) };
  });
}

/** The text inside the parentheses that open at `open` (which must be a `(`), and where they close. */
function parenthesised(sql: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { inner: sql.slice(open + 1, i), end: i + 1 };
  }
  throw new AthenaFailure('SYNTAX_ERROR', 'unbalanced parentheses in the DDL');
}

function parseTableProperties(list: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const p of splitTopLevel(list, ',')) {
    const m = /^'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'$/s.exec(p);
    if (!m) throw new AthenaFailure('SYNTAX_ERROR', `cannot read the table property ${p}`);
    properties[(m[1] as string).replaceAll("''", "'")] = (m[2] as string).replaceAll("''", "'");
  }
  return properties;
}

/** `CREATE DATABASE` or `CREATE EXTERNAL TABLE`, as Athena's DDL (Hive) reads them; null for anything else. */
export function parseDdl(sql: string): Ddl | null {
  const database = /^\s*CREATE\s+(?:DATABASE|SCHEMA)\s+(IF\s+NOT\s+EXISTS\s+)?(`[^`]+`|\w+)\s*;?\s*$/i.exec(sql);
  if (database) return { kind: 'database', name: identifier(database[2] as string), ifNotExists: !!database[1] };
  const head = /^\s*CREATE\s+EXTERNAL\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(?:(`[^`]+`|\w+)\.)?(`[^`]+`|\w+)\s*/i.exec(sql);
  if (!head) return null;
  const columns = parenthesised(sql, head[0].length);
  const rest = sql.slice(columns.end);
  const partitionedAt = /PARTITIONED\s+BY\s*\(/i.exec(rest);
  const partitions = partitionedAt ? parenthesised(rest, partitionedAt.index + partitionedAt[0].length - 1) : null;
  const propertiesAt = /TBLPROPERTIES\s*\(/i.exec(rest);
  const properties = propertiesAt ? parenthesised(rest, propertiesAt.index + propertiesAt[0].length - 1) : null;
  const serde = /ROW\s+FORMAT\s+SERDE\s+'([^']+)'/i.exec(rest)?.[1];
  const location = /LOCATION\s+'([^']+)'/i.exec(rest)?.[1];
  if (!serde || !location) throw new AthenaFailure('SYNTAX_ERROR', 'an external table needs a SerDe and a LOCATION');
  return {
    kind: 'table',
    ifNotExists: !!head[1],
    table: {
      database: head[2] ? identifier(head[2]) : '',
      name: identifier(head[3] as string),
      columns: parseColumns(columns.inner),
      partitions: partitions ? parseColumns(partitions.inner) : [],
      serde,
      location,
      properties: properties ? parseTableProperties(properties.inner) : {},
    },
  };
}

// --- The Hive JSON SerDe over the table's objects ---------------------------------------------

/** Where each `s3://bucket/prefix/` of the tests lives on disk. */
export type S3Folders = Readonly<Record<string, string>>;

/** The folder standing for an S3 URL; null when nothing is stored there (an empty listing). */
function localFolderOf(url: string, folders: S3Folders): string | null {
  const base = Object.keys(folders)
    .filter((prefix) => url.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (base === undefined) return null;
  return path.join(folders[base] as string, ...url.slice(base.length).split('/').filter(Boolean));
}

const HIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

/** A JSON value as the SerDe reads it into `type`, or HIVE_BAD_DATA. */
function serdeValue(value: unknown, type: HiveType, where: string): unknown {
  if (value === null || value === undefined) return null;
  const bad = () =>
    new AthenaFailure('HIVE_BAD_DATA', `Error parsing field value '${JSON.stringify(value)}' for ${where}`);
  switch (type.kind) {
    case 'string':
      if (typeof value === 'object') throw bad();
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return value;
    case 'int':
    case 'bigint':
    case 'double':
      if (typeof value !== 'number' || (type.kind !== 'double' && !Number.isInteger(value))) throw bad();
      return value;
    case 'timestamp':
      // Hive's timestamp text: `yyyy-MM-dd HH:mm:ss[.fffffffff]`, no `T`, no zone (so no trailing Z).
      if (typeof value !== 'string' || !HIVE_TIMESTAMP.test(value)) throw bad();
      return value;
    case 'array':
      if (!Array.isArray(value)) throw bad();
      return value.map((v) => serdeValue(v, type.of, where));
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) throw bad();
      return Object.entries(value).map(([k, v]) => [serdeValue(k, type.key, where), serdeValue(v, type.value, where)]);
    case 'struct':
      if (typeof value !== 'object' || Array.isArray(value)) throw bad();
      return serdeRecord(value as Record<string, unknown>, type.fields, where);
  }
}

/** A JSON object's keys matched to `fields` without case (Hive keeps names in lower case). */
function serdeRecord(
  object: Record<string, unknown>,
  fields: readonly HiveColumn[],
  where: string,
): Record<string, unknown> {
  const byName = new Map(Object.entries(object).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(fields.map((f) => [f.name, serdeValue(byName.get(f.name), f.type, `${where}.${f.name}`)]));
}

/** Java's date pattern as a regular expression (the formats projection uses: yyyy, MM, dd, HH and literals). */
function patternOf(format: string): RegExp {
  const escaped = format
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace('yyyy', '(\\d{4})')
    .replace('MM', '(\\d{2})')
    .replace('dd', '(\\d{2})')
    .replace('HH', '(\\d{2})');
  return new RegExp(`^${escaped}$`);
}

/**
 * The partitions partition projection gives the table: each folder under the template whose value
 * matches the projection's format and lies in its range. Only `date` projection is played.
 */
async function projectedPartitions(
  table: ExternalTable,
  folders: S3Folders,
  today: string,
): Promise<Array<{ value: string; location: string }>> {
  const p = table.properties;
  const column = table.partitions[0]?.name;
  if (table.partitions.length !== 1 || !column || p['projection.enabled'] !== 'true')
    throw new AthenaFailure('NOT_SUPPORTED', 'this double plays tables with one projected partition column only');
  if (p[`projection.${column}.type`] !== 'date')
    throw new AthenaFailure('NOT_SUPPORTED', `projection type ${p[`projection.${column}.type`]} is not played`);
  const format = p[`projection.${column}.format`] ?? '';
  const [from, to] = (p[`projection.${column}.range`] ?? '').split(',');
  const template = p['storage.location.template'] ?? '';
  const slot = `\${${column}}`;
  if (!template.includes(slot)) throw new AthenaFailure('INVALID_TABLE_PROPERTY', `${template} does not use ${slot}`);
  const [before, after] = template.split(slot) as [string, string];
  const pattern = patternOf(format);
  const upper = to === 'NOW' ? today : (to ?? '');
  const folder = localFolderOf(before, folders);
  const found: Array<{ value: string; location: string }> = [];
  if (folder === null) return found;
  for (const entry of await fs.readdir(folder, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    const value = path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (!pattern.test(value) || value < (from ?? '') || value > upper) continue;
    found.push({ value, location: `${before}${value}${after}` });
  }
  return found.sort((a, b) => a.value.localeCompare(b.value));
}

/** One object Athena reads for the table: its partition's value, where it is, and what it is now. */
export interface TableObject {
  readonly partition: string;
  readonly url: string;
  readonly file: string;
  readonly size: number;
  readonly modifiedMs: number;
}

/** Every object of every projected partition (what Athena lists under each partition's location). */
export async function tableObjects(table: ExternalTable, folders: S3Folders, today: string): Promise<TableObject[]> {
  if (table.serde !== 'org.apache.hive.hcatalog.data.JsonSerDe')
    throw new AthenaFailure('NOT_SUPPORTED', `this double plays the Hive JSON SerDe only, not ${table.serde}`);
  const objects: TableObject[] = [];
  for (const { value, location } of await projectedPartitions(table, folders, today)) {
    const folder = localFolderOf(location, folders) as string;
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(folder, entry.name);
      const stat = await fs.stat(file);
      objects.push({
        partition: value,
        url: `${location}${entry.name}`,
        file,
        size: stat.size,
        modifiedMs: stat.mtimeMs,
      });
    }
  }
  return objects;
}

/** Every row the objects hold: each line, through the SerDe, with the partition column. */
export async function readExternalTable(
  table: ExternalTable,
  objects: readonly TableObject[],
): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  const partition = (table.partitions[0] as HiveColumn).name;
  for (const object of objects) {
    const bytes = await fs.readFile(object.file);
    const text = (object.file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      const where = `${object.url} line ${i + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new AthenaFailure('HIVE_BAD_DATA', `not JSON: ${where}`);
      }
      rows.push({
        ...serdeRecord(parsed as Record<string, unknown>, table.columns, where),
        [partition]: object.partition,
      });
    }
  }
  return rows;
}

// --- ExecutionParameters -----------------------------------------------------------------------

/** One literal as a parameter value may be: a quoted string (quotes doubled), a number, a boolean or NULL. */
const LITERAL = /^(?:'(?:[^']|'')*'|[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/i;

/** The SQL with each `?` outside quotes and comments replaced by the next value's text, as Athena does. */
export function substituteParameters(sql: string, values: readonly string[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      const end = sql.startsWith('--', i) ? sql.indexOf('\n', i) : sql.indexOf('*/', i) + 2;
      const stop = end <= 1 || end < i ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      const value = values[next++];
      if (value === undefined)
        throw new AthenaFailure('INVALID_INPUT', `the query has more ? placeholders than ExecutionParameters`);
      if (!LITERAL.test(value.trim()))
        throw new AthenaFailure('INVALID_INPUT', `the execution parameter ${value} is not one literal`);
      out += value.trim();
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (next !== values.length)
    throw new AthenaFailure('INVALID_INPUT', `${values.length} ExecutionParameters for ${next} ? placeholders`);
  return out;
}

// --- Evaluation ---------------------------------------------------------------------------------

/** Trino functions discovery SQL uses that DuckDB spells differently, from Trino's documentation. */
const TRINO_FUNCTIONS = [
  // json_format(json) -> varchar: the JSON text.
  'CREATE MACRO json_format(value) AS CAST(value AS VARCHAR)',
  // from_iso8601_timestamp(varchar) -> timestamp(3) with time zone.
  'CREATE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMP WITH TIME ZONE)',
  // array_join(array, delimiter) -> varchar: nulls are left out.
  'CREATE MACRO array_join(items, delimiter) AS array_to_string(list_filter(items, x -> x IS NOT NULL), delimiter)',
  // regexp_like(string, pattern) -> boolean: the pattern found anywhere.
  'CREATE MACRO regexp_like(text, pattern) AS regexp_matches(text, pattern)',
];

function duckTypeOf(type: HiveType): string {
  switch (type.kind) {
    case 'string':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'array':
      return `${duckTypeOf(type.of)}[]`;
    case 'map':
      return `MAP(${duckTypeOf(type.key)}, ${duckTypeOf(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckTypeOf(f.type)}`).join(', ')})`;
  }
}

/** The DuckDB type of a Hive type, for the appender. */
function duckTypeObjectOf(type: HiveType): DuckDBType {
  switch (type.kind) {
    case 'string':
      return VARCHAR;
    case 'boolean':
      return BOOLEAN;
    case 'int':
      return INTEGER;
    case 'bigint':
      return BIGINT;
    case 'double':
      return DOUBLE;
    case 'timestamp':
      return TIMESTAMP;
    case 'array':
      return LIST(duckTypeObjectOf(type.of));
    case 'map':
      return MAP(duckTypeObjectOf(type.key), duckTypeObjectOf(type.value));
    case 'struct':
      return STRUCT(Object.fromEntries(type.fields.map((f) => [f.name, duckTypeObjectOf(f.type)])));
  }
}

/** A value the SerDe read, as a DuckDB value of its column's type. */
function duckValueOf(value: unknown, type: HiveType): DuckDBValue {
  if (value === null) return null;
  switch (type.kind) {
    case 'string':
    case 'boolean':
    case 'int':
    case 'double':
      return value as string | boolean | number;
    case 'bigint':
      return BigInt(value as number);
    case 'timestamp':
      return timestampValue(BigInt(Date.parse(`${(value as string).replace(' ', 'T').slice(0, 23)}Z`)) * 1000n);
    case 'array':
      return listValue((value as unknown[]).map((v) => duckValueOf(v, type.of)));
    case 'map':
      return mapValue(
        (value as Array<[unknown, unknown]>).map(([k, v]) => ({
          key: duckValueOf(k, type.key),
          value: duckValueOf(v, type.value),
        })),
      );
    case 'struct': {
      const record = value as Record<string, unknown>;
      return structValue(
        Object.fromEntries(type.fields.map((f) => [f.name, duckValueOf(record[f.name] ?? null, f.type)])),
      );
    }
  }
}

/** Trino's name of a result column's type, as Athena's ColumnInfo gives it. */
function trinoTypeName(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return 'varchar';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
      return 'bigint';
    case DuckDBTypeId.INTEGER:
      return 'integer';
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return 'double';
    case DuckDBTypeId.DECIMAL:
      return 'decimal';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp with time zone';
    case DuckDBTypeId.TIMESTAMP:
      return 'timestamp';
    case DuckDBTypeId.LIST:
      return 'array';
    case DuckDBTypeId.STRUCT:
      return 'row';
    case DuckDBTypeId.MAP:
      return 'map';
    default:
      return type.toString().toLowerCase();
  }
}

/** A value as Athena writes it in a result: numbers and booleans as text, arrays `[a, b]`, rows `{k=v}`. */
function athenaText(value: DuckDBValue): string {
  if (value === null) return 'null';
  if (value instanceof DuckDBListValue) return `[${value.items.map(athenaText).join(', ')}]`;
  if (value instanceof DuckDBStructValue)
    return `{${Object.entries(value.entries)
      .map(([k, v]) => `${k}=${athenaText(v)}`)
      .join(', ')}}`;
  if (value instanceof DuckDBMapValue)
    return `{${value.entries.map((e) => `${athenaText(e.key)}=${athenaText(e.value)}`).join(', ')}}`;
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    const iso = new Date(Number(value.micros / 1000n)).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${value instanceof DuckDBTimestampTZValue ? ' UTC' : ''}`;
  }
  return String(value);
}

export interface AthenaResult {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  /** Each value as Athena's VarCharValue (null: absent, a NULL). */
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
}

/** A DuckDB database holding `tables` with the rows the SerDe read, and the Trino functions. */
async function loadTables(
  tables: ReadonlyArray<{ table: ExternalTable; rows: ReadonlyArray<Record<string, unknown>> }>,
): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    for (const macro of TRINO_FUNCTIONS) await c.run(macro);
    for (const { table, rows } of tables) {
      const columns = [...table.columns, ...table.partitions];
      await c.run(
        `CREATE TABLE "${table.name}" (${columns.map((col) => `"${col.name}" ${duckTypeOf(col.type)}`).join(', ')})`,
      );
      const appender = await c.createAppender(table.name);
      const types = columns.map((col) => duckTypeObjectOf(col.type));
      for (const row of rows) {
        columns.forEach((col, i) => appender.appendValue(duckValueOf(row[col.name] ?? null, col.type), types[i]));
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
    }
    return instance;
  } catch (e) {
    instance.closeSync();
    throw e;
  } finally {
    c.closeSync();
  }
}

/**
 * Loaded tables by what they were read from (the DDL and each object's size and time): tests run
 * many queries over the same objects, and loading is the slow part. A changed object is a new key.
 */
const loaded = new Map<string, Promise<DuckDBInstance>>();
const LOADED_KEPT = 4;

async function tablesFor(tables: readonly ExternalTable[], folders: S3Folders, today: string): Promise<DuckDBInstance> {
  const read = await Promise.all(
    tables.map(async (table) => ({ table, objects: await tableObjects(table, folders, today) })),
  );
  const key = JSON.stringify(read);
  let instance = loaded.get(key);
  if (!instance) {
    instance = (async () =>
      loadTables(
        await Promise.all(
          read.map(async (r) => ({ table: r.table, rows: await readExternalTable(r.table, r.objects) })),
        ),
      ))();
    loaded.set(key, instance);
    instance.catch(() => loaded.delete(key));
    for (const old of [...loaded.keys()].slice(0, Math.max(0, loaded.size - LOADED_KEPT))) {
      const gone = loaded.get(old);
      loaded.delete(old);
      void gone?.then(
        (i) => i.closeSync(),
        () => undefined,
      );
    }
  }
  return instance;
}

/** Runs a SELECT over the loaded tables and answers as Athena would. */
async function evaluateSelect(instance: DuckDBInstance, sql: string): Promise<AthenaResult> {
  const c = await instance.connect();
  try {
    let reader;
    try {
      reader = await c.runAndReadAll(sql);
    } catch (e) {
      const message = (e as Error).message.split('\n')[0] ?? 'the query failed';
      throw new AthenaFailure(/Catalog Error: Table/.test(message) ? 'TABLE_NOT_FOUND' : 'SYNTAX_ERROR', message);
    }
    const columns = reader.columnNames().map((name, i) => ({ name, type: trinoTypeName(reader.columnType(i)) }));
    const rows = reader.getRows().map((row) => row.map((v) => (v === null ? null : athenaText(v))));
    return { columns, rows };
  } finally {
    c.closeSync();
  }
}

// --- The service ---------------------------------------------------------------------------------

type Outcome =
  | { readonly state: 'SUCCEEDED'; readonly result: AthenaResult | null }
  | { readonly state: 'FAILED'; readonly reason: string };

/** Athena's catalog and its answers to StartQueryExecution, over folders that stand for S3. */
export class AthenaDouble {
  private readonly databases = new Map<string, Map<string, ExternalTable>>();

  constructor(
    private readonly folders: S3Folders,
    /** The projection's NOW, as `yyyy/MM/dd` (the tests' clock, not the machine's). */
    private readonly today: string = new Date().toISOString().slice(0, 10).replaceAll('-', '/'),
  ) {}

  /** Runs one statement as Athena would: DDL changes the catalog, a query is answered from it. */
  async run(input: StartQueryExecutionCommandInput): Promise<Outcome> {
    try {
      const sql = input.QueryString ?? '';
      const ddl = parseDdl(sql);
      if (ddl) {
        if ((input.ExecutionParameters ?? []).length > 0)
          throw new AthenaFailure('INVALID_INPUT', 'DDL statements take no ExecutionParameters');
        this.apply(ddl, input.QueryExecutionContext?.Database ?? 'default');
        return { state: 'SUCCEEDED', result: null };
      }
      const database = input.QueryExecutionContext?.Database ?? 'default';
      const catalog = this.databases.get(database);
      if (!catalog) throw new AthenaFailure('SCHEMA_NOT_FOUND', `Schema '${database}' does not exist`);
      const text = substituteParameters(sql, input.ExecutionParameters ?? []);
      const instance = await tablesFor([...catalog.values()], this.folders, this.today);
      return { state: 'SUCCEEDED', result: await evaluateSelect(instance, text) };
    } catch (e) {
      if (e instanceof AthenaFailure) return { state: 'FAILED', reason: e.message };
      throw e;
    }
  }

  private apply(ddl: Ddl, contextDatabase: string): void {
    if (ddl.kind === 'database') {
      if (this.databases.has(ddl.name) && !ddl.ifNotExists)
        throw new AthenaFailure('ALREADY_EXISTS', `Database ${ddl.name} already exists`);
      if (!this.databases.has(ddl.name)) this.databases.set(ddl.name, new Map());
      return;
    }
    const database = ddl.table.database || contextDatabase;
    const tables = this.databases.get(database);
    if (!tables) throw new AthenaFailure('SCHEMA_NOT_FOUND', `Database ${database} does not exist`);
    if (tables.has(ddl.table.name) && !ddl.ifNotExists)
      throw new AthenaFailure('ALREADY_EXISTS', `Table ${database}.${ddl.table.name} already exists`);
    if (!tables.has(ddl.table.name)) tables.set(ddl.table.name, ddl.table);
  }

  /**
   * Answers the mocked client's StartQueryExecution, GetQueryExecution and GetQueryResults as Athena:
   * QUEUED, RUNNING for `runningPolls`, then SUCCEEDED or FAILED with the reason; results paged.
   * Returns every StartQueryExecution input, in order.
   */
  play(
    mock: AwsClientStub<AthenaClient>,
    options: { bytesScanned?: number; runningPolls?: number } = {},
  ): StartQueryExecutionCommandInput[] {
    const started: StartQueryExecutionCommandInput[] = [];
    const outcomes = new Map<string, Outcome>();
    const polls = new Map<string, number>();
    mock.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
      started.push(input);
      const id = `qe-${started.length}`;
      outcomes.set(id, await this.run(input));
      return { QueryExecutionId: id };
    });
    mock.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId: id }: { QueryExecutionId: string }) => {
      const outcome = outcomes.get(id);
      const n = (polls.get(id) ?? 0) + 1;
      polls.set(id, n);
      const done = n > (options.runningPolls ?? 1) || outcome?.state !== 'SUCCEEDED' || outcome.result === null;
      const state: QueryExecutionState = !done ? (n === 1 ? 'QUEUED' : 'RUNNING') : (outcome?.state ?? 'FAILED');
      return {
        QueryExecution: {
          QueryExecutionId: id,
          Status: {
            State: state,
            ...(outcome?.state === 'FAILED' && done ? { StateChangeReason: outcome.reason } : {}),
          },
          Statistics: { DataScannedInBytes: done ? (options.bytesScanned ?? 123_456) : 1_000 * n },
          ResultConfiguration: { OutputLocation: `s3://acme-athena-results/audit/${id}.csv` },
        },
      };
    });
    mock.on(GetQueryResultsCommand).callsFake(resultsPage(outcomes));
    return started;
  }
}

/** GetQueryResults over the outcomes: the header row first, `MaxResults` rows a page, NextToken between. */
function resultsPage(outcomes: ReadonlyMap<string, Outcome>) {
  return ({
    QueryExecutionId: id,
    NextToken,
    MaxResults,
  }: {
    QueryExecutionId: string;
    NextToken?: string;
    MaxResults?: number;
  }) => {
    const outcome = outcomes.get(id);
    const result = outcome?.state === 'SUCCEEDED' ? outcome.result : null;
    if (!result) return { ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } };
    const datum = (v: string | null): Datum => (v === null ? {} : { VarCharValue: v });
    const all = [result.columns.map((c) => datum(c.name)), ...result.rows.map((r) => r.map(datum))];
    const start = NextToken ? Number(NextToken) : 0;
    const end = start + (MaxResults ?? 1000);
    const info: ColumnInfo[] = result.columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type }));
    return {
      ResultSet: { Rows: all.slice(start, end).map((Data) => ({ Data })), ResultSetMetadata: { ColumnInfo: info } },
      ...(end < all.length ? { NextToken: String(end) } : {}),
    };
  };
}
