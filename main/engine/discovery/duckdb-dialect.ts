/**
 * Where DuckDB differs from Athena (Trino), in one place: discovery SQL is written in Athena's
 * dialect, and the local engine gives DuckDB the few Trino functions it lacks as macros, so one SQL
 * text runs on both (test/unit/discovery/duckdb-dialect.test.ts checks each against Trino's meaning).
 *
 * Also: how a DuckDB instance is locked down before it runs a person's SQL (it may read only the
 * folders the engine names, write nothing else, and its settings cannot be changed back), and how
 * DuckDB values become result cells.
 */
import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import type { ResultValue } from '../../../shared/discovery/result-metadata';

/** Trino functions discovery SQL may use that DuckDB spells differently. */
const TRINO_COMPATIBILITY_MACROS: readonly string[] = [
  // Trino: json_format(JSON) -> varchar. DuckDB's JSON type is text already.
  `CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
  // Trino: from_iso8601_timestamp(varchar) -> timestamp with time zone; accepts a trailing Z.
  `CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  // Trino: array_join(array, sep) skips NULL elements, like array_to_string.
  `CREATE OR REPLACE MACRO array_join(l, sep) AS array_to_string(l, sep)`,
  // Trino: regexp_like(s, pattern): true when the pattern matches anywhere.
  `CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
];

/** A SQL string literal (quotes doubled), for paths and values the engine itself writes into DDL. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Locks an instance down before any query: file access only under `readableFolders` (each ending in
 * a separator), no other external access (no environment, no network), and the configuration locked
 * so a query cannot undo it. Run once per instance, before the first person's SQL.
 */
export async function lockDown(
  connection: DuckDBConnection,
  options: { readableFolders: readonly string[]; memoryLimit: string; threads: number; spillFolder: string },
): Promise<void> {
  const folders = options.readableFolders.map((f) => sqlString(f.endsWith('/') ? f : `${f}/`)).join(', ');
  for (const statement of [
    `SET threads = ${Math.max(1, Math.floor(options.threads))}`,
    `SET memory_limit = ${sqlString(options.memoryLimit)}`,
    `SET temp_directory = ${sqlString(options.spillFolder)}`,
    `SET preserve_insertion_order = false`,
    `SET allowed_directories = [${folders}]`,
    `SET enable_external_access = false`,
    `SET autoinstall_known_extensions = false`,
    `SET autoload_known_extensions = false`,
    `SET lock_configuration = true`,
  ]) {
    await connection.run(statement);
  }
  for (const macro of TRINO_COMPATIBILITY_MACROS) await connection.run(macro);
}

const INTEGER_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

/**
 * DuckDB values as result cells: JSON-compatible, with whole numbers as numbers while they are exact
 * (a count is a number, as Athena's bigint becomes one), timestamps as text, structs as objects and
 * lists as arrays.
 */
export const resultValueConverter: DuckDBValueConverter<ResultValue> = (
  value: DuckDBValue,
  type: DuckDBType,
  converter,
) => {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(type.typeId)) {
    const text = String(value);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  return JsonDuckDBValueConverter(value, type, converter as DuckDBValueConverter<Json>) as ResultValue;
};
