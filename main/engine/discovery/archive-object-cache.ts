/**
 * ArchiveObjectCache: what the local engine derives from the archive, in a folder of its own (never
 * part of the archive, safe to delete, rebuilt on demand).
 *
 *   {folder}/objects/YYYY/MM/DD/<sha256>.jsonl.gz    S3 objects downloaded by version id (the range cache)
 *   {folder}/columnar-v1/YYYY/MM/DD/<sha256>.parquet  one Parquet file per archived object
 *   {folder}/staging/                                 files being written (renamed into place when complete)
 *
 * Every byte that enters the cache is hashed on the way in and compared with the SHA-256 its manifest
 * recorded; an object that does not match is refused (ARCHIVE_INTEGRITY, naming day and key) and
 * nothing of it is kept. A Parquet file is built only from such checked bytes (a private copy, so a
 * file changed after the check cannot slip in), must hold exactly the manifest's event count, and is
 * named by the object's SHA-256: the same name can only ever mean the same vouched bytes.
 *
 * Why a columnar cache at all: DuckDB reading the NDJSON.gz parts directly spends nearly all its time
 * in gunzip and JSON parsing (bench/discovery.ts prints both figures); Parquet keeps the parsed
 * columns, so a question over seven years reads only the columns it needs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dayPath } from '../../../shared/archive-layout';
import {
  AUDIT_EVENT_FIELDS,
  DT_COLUMN,
  duckJsonColumns,
  duckTableType,
  dtOf,
} from '../../../shared/discovery/audit-events-table';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveStore } from '../archive/archive-store';
import { sqlString } from './duckdb-dialect';
import type { VouchedObject } from './vouched-objects';

/** Bump when the table's columns change: older Parquet files are then simply not used. */
export const COLUMNAR_FORMAT = 'columnar-v1';

export interface CacheProgress {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

export interface ArchiveObjectCacheOptions {
  readonly store: ArchiveStore;
  readonly folder: string;
  /** A connection of the engine's (locked-down) DuckDB instance, for building Parquet. */
  readonly connect: () => Promise<DuckDBConnection>;
  /** Objects prepared at once (default 2: one per core). */
  readonly concurrency?: number;
}

export class ArchiveObjectCache {
  readonly folder: string;
  private readonly store: ArchiveStore;
  private readonly connect: () => Promise<DuckDBConnection>;
  private readonly concurrency: number;

  constructor(options: ArchiveObjectCacheOptions) {
    this.store = options.store;
    this.folder = path.resolve(options.folder);
    this.connect = options.connect;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
  }

  get stagingFolder(): string {
    return path.join(this.folder, 'staging');
  }

  /**
   * Local NDJSON.gz files for the objects: the archive's own files for a local folder (read in
   * place, unhashed: this is the direct reader the benchmark compares against), verified downloads
   * for S3.
   */
  async gzipFiles(
    objects: readonly VouchedObject[],
    options: { signal?: AbortSignal; onProgress?: (p: CacheProgress) => void } = {},
  ): Promise<string[]> {
    const root = localRoot(this.store);
    if (root !== null) return objects.map((o) => path.join(root, ...o.key.split('/')));
    return this.forEach(objects, options, 'Downloading and checking', (o) => this.downloaded(o, options.signal));
  }

  /** Parquet files for the objects, built where missing from bytes that matched their manifest. */
  async columnarFiles(
    objects: readonly VouchedObject[],
    options: { signal?: AbortSignal; onProgress?: (p: CacheProgress) => void } = {},
  ): Promise<string[]> {
    return this.forEach(objects, options, 'Preparing archived objects for queries', async (o) => {
      const target = this.columnarPath(o);
      if (await exists(target)) return target;
      await this.buildColumnar(o, target, options.signal);
      return target;
    });
  }

  /** The verified local copy of an S3 object, downloading it (by version id) if the cache lacks it. */
  private async downloaded(o: VouchedObject, signal?: AbortSignal): Promise<string> {
    const target = path.join(this.folder, 'objects', dayPath(o.day), `${o.sha256}.jsonl.gz`);
    if (await exists(target)) return target;
    const staged = await this.copyVerified(o, signal);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(staged, target);
    return target;
  }

  private async buildColumnar(o: VouchedObject, target: string, signal?: AbortSignal): Promise<void> {
    const root = localRoot(this.store);
    // A local folder's file is copied while hashing, so the bytes converted are the bytes checked.
    const source = root === null ? await this.downloaded(o, signal) : await this.copyVerified(o, signal);
    const staged = path.join(this.stagingFolder, `${randomUUID()}.parquet`);
    try {
      signal?.throwIfAborted();
      const connection = await this.connect();
      let rows: number;
      try {
        const reader = await connection.runAndReadAll(
          `COPY (SELECT ${CAST_TO_TABLE}, ${sqlString(dtOf(o.day))} AS "${DT_COLUMN}" ` +
            `FROM read_json(${sqlString(source)}, format = 'newline_delimited', compression = 'gzip', columns = ${JSON_COLUMNS})) ` +
            `TO ${sqlString(staged)} (FORMAT parquet, COMPRESSION snappy)`,
        );
        rows = Number(reader.getRowsJson()[0]?.[0] ?? -1);
      } catch (e) {
        throw new AuditArchiveError(
          'ARCHIVE_BAD_OBJECT',
          `${o.key} (${o.day}) matches its manifest but cannot be read as audit events: ${(e as Error).message.split('\n')[0]}. Run verify --full.`,
          { cause: e },
        );
      } finally {
        connection.closeSync();
      }
      if (rows !== o.events) {
        throw new AuditArchiveError(
          'ARCHIVE_INTEGRITY',
          `${o.key} (${o.day}) holds ${rows} events, but its manifest says ${o.events}. Nothing was cached; run verify --full.`,
        );
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(staged, target);
    } finally {
      await fs.rm(staged, { force: true });
      if (root !== null) await fs.rm(source, { force: true });
    }
  }

  /**
   * Streams one object version into staging, hashing it; refuses (and deletes) it unless size and
   * SHA-256 are the manifest's.
   */
  private async copyVerified(o: VouchedObject, signal?: AbortSignal): Promise<string> {
    await fs.mkdir(this.stagingFolder, { recursive: true });
    const staged = path.join(this.stagingFolder, `${randomUUID()}.jsonl.gz`);
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(staged, { flags: 'wx' });
    try {
      for await (const chunk of this.store.getObject(o.key, o.versionId)) {
        signal?.throwIfAborted();
        hash.update(chunk);
        size += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
      out.end();
      await finished(out);
    } catch (e) {
      out.destroy();
      await fs.rm(staged, { force: true });
      if (signal?.aborted) throw cancelled();
      if (isAuditArchiveError(e)) throw e;
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `Could not read ${o.key} from ${this.store.url}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== o.sha256 || size !== o.size) {
      await fs.rm(staged, { force: true });
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `${o.key}${o.versionId ? ` (version ${o.versionId})` : ''} of ${o.day} does not match its manifest ` +
          `(SHA-256 ${sha256.slice(0, 12)}…, ${size} bytes; the manifest says ${o.sha256.slice(0, 12)}…, ${o.size} bytes). ` +
          `It was not used and nothing of it was cached; run verify for ${o.day}.`,
      );
    }
    return staged;
  }

  private columnarPath(o: VouchedObject): string {
    return path.join(this.folder, COLUMNAR_FORMAT, dayPath(o.day), `${o.sha256}.parquet`);
  }

  /** Runs `each` over the objects, a few at a time, in order of the result. */
  private async forEach(
    objects: readonly VouchedObject[],
    options: { signal?: AbortSignal; onProgress?: (p: CacheProgress) => void },
    what: string,
    each: (o: VouchedObject) => Promise<string>,
  ): Promise<string[]> {
    const out: string[] = new Array(objects.length);
    let next = 0;
    let done = 0;
    let lastReport = 0;
    const report = (force: boolean) => {
      const now = Date.now();
      if (force || now - lastReport > 250) {
        lastReport = now;
        options.onProgress?.({
          done,
          total: objects.length,
          message: `${what}: ${done.toLocaleString('en')} of ${objects.length.toLocaleString('en')}`,
        });
      }
    };
    report(true);
    await Promise.all(
      Array.from({ length: Math.min(this.concurrency, objects.length) }, async () => {
        while (next < objects.length) {
          const i = next++;
          if (options.signal?.aborted) throw cancelled();
          out[i] = await each(objects[i] as VouchedObject);
          done++;
          report(false);
        }
      }),
    );
    report(true);
    return out;
  }
}

/** The folder a local archive's keys are files under, or null for other stores. */
function localRoot(store: ArchiveStore): string | null {
  return store.kind === 'local' && 'root' in store && typeof store.root === 'string' ? store.root : null;
}

/** The JSON reader's columns: the event's own keys, typed. */
const JSON_COLUMNS = `{${Object.entries(duckJsonColumns())
  .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
  .join(', ')}}`;

/** The same columns with Athena's lower-case names (a struct cast renames fields by name). */
const CAST_TO_TABLE = AUDIT_EVENT_FIELDS.map(
  (f) => `CAST("${f.key}" AS ${duckTableType(f)}) AS "${f.key.toLowerCase()}"`,
).join(', ');

/** The SELECT list that turns `read_json` rows (with `filename`) into table rows, `dt` from the path. */
export const NDJSON_TABLE_SELECT = `${CAST_TO_TABLE}, regexp_extract(replace("filename", '\\', '/'), '(\\d{4}/\\d{2}/\\d{2})/[^/]+$', 1) AS "${DT_COLUMN}"`;
export const NDJSON_READ_OPTIONS = `format = 'newline_delimited', compression = 'gzip', filename = true, columns = ${JSON_COLUMNS}`;

export function cancelled(): AuditArchiveError {
  return new AuditArchiveError('QUERY_CANCELLED', 'The query was cancelled; nothing was changed.');
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
