/**
 * The Athena side of the `audit_events` table: a Glue database and one external table over
 * `{prefix}/audit-logs/`, created idempotently (IF NOT EXISTS) so the first query of a new
 * installation sets them up and every later one finds them.
 *
 * - Hive JSON SerDe (`org.apache.hive.hcatalog.data.JsonSerDe`): AWS documents that the OpenX SerDe
 *   can return non-deterministic row counts. Hive stores column names in lower case and the SerDe
 *   matches the events' camelCase keys to them without case (check with the README's first query).
 * - Nested fields typed (user, entity, client, message, propertyChanges, entityChanges, context, …);
 *   `eventDate` is a string (Hive's timestamp parser rejects a trailing Z): use from_iso8601_timestamp.
 * - Partition projection on `dt` (`yyyy/MM/dd`, one partition per UTC day, the archive's own folders):
 *   no crawler and no MSCK REPAIR are ever needed, and a `dt` bound makes Athena read only those days.
 *
 * DDL takes no ExecutionParameters, so the only values written into it are ones validated here: the
 * database name, and the bucket and prefix of the archive target.
 */
import {
  AUDIT_EVENT_FIELDS,
  AUDIT_EVENTS_RAW_TABLE,
  auditLogsLocation,
  DT_COLUMN,
  hiveType,
} from '../../../shared/discovery/audit-events-table';
import { AuditArchiveError } from '../../../shared/errors';

export interface AthenaTableLocation {
  readonly bucket: string;
  readonly prefix: string;
}

const DATABASE_RE = /^[a-z0-9_]{1,255}$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Characters a prefix may hold in the DDL's quoted location (no quote, backslash or `$`). */
const PREFIX_RE = /^[A-Za-z0-9!_.*()/ -]*$/;

/** The earliest `dt` the projection knows; days before it are never read. */
const PROJECTION_START = '2000/01/01';

function checked(database: string, location: AthenaTableLocation): { database: string; url: string } {
  if (!DATABASE_RE.test(database)) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `discovery.athena.database "${database}" must be lower-case letters, digits and _.`,
    );
  }
  if (!BUCKET_RE.test(location.bucket) || !PREFIX_RE.test(location.prefix)) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `The archive target s3://${location.bucket}/${location.prefix} cannot be written into Athena's table definition: use a prefix of letters, digits and / - _ . ! * ( ) only.`,
    );
  }
  return { database, url: auditLogsLocation(location.bucket, location.prefix) };
}

export function createDatabaseDdl(database: string): string {
  if (!DATABASE_RE.test(database)) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `discovery.athena.database "${database}" must be lower-case letters, digits and _.`,
    );
  }
  return `CREATE DATABASE IF NOT EXISTS \`${database}\``;
}

export function createTableDdl(database: string, location: AthenaTableLocation): string {
  const { url } = checked(database, location);
  const columns = AUDIT_EVENT_FIELDS.map((f) => `  \`${f.key.toLowerCase()}\` ${hiveType(f.type)}`).join(',\n');
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${AUDIT_EVENTS_RAW_TABLE}\` (`,
    columns,
    `)`,
    `PARTITIONED BY (\`${DT_COLUMN}\` string)`,
    `ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'`,
    `STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'`,
    `OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`,
    `LOCATION '${url}'`,
    `TBLPROPERTIES (`,
    `  'projection.enabled'='true',`,
    `  'projection.${DT_COLUMN}.type'='date',`,
    `  'projection.${DT_COLUMN}.format'='yyyy/MM/dd',`,
    `  'projection.${DT_COLUMN}.range'='${PROJECTION_START},NOW',`,
    `  'projection.${DT_COLUMN}.interval'='1',`,
    `  'projection.${DT_COLUMN}.interval.unit'='DAYS',`,
    `  'storage.location.template'='${url}\${${DT_COLUMN}}/'`,
    `)`,
  ].join('\n');
}
