/**
 * ArchiveObjectCache: what the local engine derives from the archive, in a folder of its own (never
 * part of the archive, safe to delete, rebuilt on demand).
 *
 *   {folder}/objects/YYYY/MM/DD/<sha256>.jsonl.gz     S3 objects downloaded by version id (the range cache)
 *   {folder}/columnar-v1/YYYY/MM/<month key>.parquet   one Parquet file per month of archived objects
 *   {folder}/staging/                                  files being written (renamed into place when complete)
 *
 * Every byte that enters the cache is hashed on the way in and compared with the SHA-256 its manifest
 * recorded; an object that does not match is refused (ARCHIVE_INTEGRITY, naming day and key) and
 * nothing of it is kept. A month's Parquet file is built only from such checked bytes (private
 * copies, so a file changed after the check cannot slip in), must hold exactly the events each day's
 * manifests count, and is named by the SHA-256 of the list of its objects (day, key, version,
 * SHA-256): the same name can only ever mean the same vouched bytes, and a month that gains a part
 * (a reconcile) gets a new name and is rebuilt.
 *
 * Why columnar, and why by month: DuckDB reading the NDJSON.gz parts directly spends nearly all its
 * time in gunzip and JSON parsing, and opening one small file per archived object costs milliseconds
 * each (2,500 of them over seven years); bench/discovery.ts prints the figures. A month is one
 * file (84 over seven years).
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

type Options = { signal?: AbortSignal; onProgress?: (p: CacheProgress) => void; concurrency?: number };

export interface ArchiveObjectCacheOptions {
  readonly store: ArchiveStore;
  readonly folder: string;
  /** A connection of the engine's (locked-down) DuckDB instance, for building Parquet. */
  readonly connect: () => Promise<DuckDBConnection>;
  /** Objects downloaded or months built at once (default 2: one per core). */
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
  async gzipFiles(objects: readonly VouchedObject[], options: Options = {}): Promise<string[]> {
    const root = localRoot(this.store);
    if (root !== null) return objects.map((o) => path.join(root, ...o.key.split('/')));
    return this.forEach(objects, options, 'Downloading and checking archived objects', (o) =>
      this.downloaded(o, options.signal),
    );
  }

  /**
   * One Parquet file per month of the objects (pass whole months: a month's file holds exactly the
   * objects given for it), built where missing from bytes that matched their manifests.
   */
  async columnarMonths(objects: readonly VouchedObject[], options: Options = {}): Promise<string[]> {
    const months = new Map<string, VouchedObject[]>();
    for (const o of objects) {
      const month = o.day.slice(0, 7);
      months.set(month, [...(months.get(month) ?? []), o]);
    }
    return this.forEach(
      [...months.values()],
      // One month at a time: DuckDB already reads a month's files on every thread, and two months
      // at once would double the memory a build takes.
      { ...options, concurrency: 1 },
      'Preparing archived months for queries',
      async (monthObjects) => {
        const target = this.monthPath(monthObjects);
        if (await exists(target)) return target;
        await this.buildMonth(monthObjects, target, options.signal);
        return target;
      },
    );
  }

  /** The verified local copy of an S3 object, downloading it (by version id) if the cache lacks it. */
  private async downloaded(o: VouchedObject, signal?: AbortSignal): Promise<string> {
    const target = path.join(this.folder, 'objects', dayPath(o.day), `${o.sha256}.jsonl.gz`);
    if (await exists(target)) return target;
    const staged = await this.copyVerified(o, this.stagingFolder, signal);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(staged, target);
    return target;
  }

  private async buildMonth(objects: readonly VouchedObject[], target: string, signal?: AbortSignal): Promise<void> {
    const root = localRoot(this.store);
    // A local folder's files are copied while hashing, so the bytes converted are the bytes checked;
    // each copy sits under its day's path, which the reader turns into `dt`.
    const work = path.join(this.stagingFolder, randomUUID());
    const staged = `${work}.parquet`;
    try {
      const sources: string[] = [];
      for (const o of objects) {
        signal?.throwIfAborted();
        sources.push(
          root === null
            ? await this.downloaded(o, signal)
            : await this.copyVerified(o, path.join(work, dayPath(o.day)), signal),
        );
      }
      const connection = await this.connect();
      let perDay: Map<string, number>;
      try {
        await connection.run(
          `COPY (SELECT ${NDJSON_TABLE_SELECT} FROM read_json([${sources.map(sqlString).join(', ')}], ${NDJSON_READ_OPTIONS})) ` +
            `TO ${sqlString(staged)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)`,
        );
        const counts = await connection.runAndReadAll(
          `SELECT "${DT_COLUMN}", count(*) FROM read_parquet(${sqlString(staged)}) GROUP BY 1`,
        );
        perDay = new Map(counts.getRowsJson().map(([dt, n]) => [String(dt), Number(n)]));
      } catch (e) {
        const days = [...new Set(objects.map((o) => o.day))];
        throw new AuditArchiveError(
          'ARCHIVE_BAD_OBJECT',
          `The archived objects of ${days[0]}${days.length > 1 ? ` to ${days.at(-1)}` : ''} match their manifests but cannot be read as audit events: ${(e as Error).message.split('\n')[0]}. Run verify --full.`,
          { cause: e },
        );
      } finally {
        connection.closeSync();
      }
      const expected = new Map<string, number>();
      for (const o of objects) expected.set(dtOf(o.day), (expected.get(dtOf(o.day)) ?? 0) + o.events);
      for (const [dt, events] of expected) {
        const found = perDay.get(dt) ?? 0;
        if (found !== events) {
          throw new AuditArchiveError(
            'ARCHIVE_INTEGRITY',
            `The archived objects of ${dt.replaceAll('/', '-')} hold ${found} events, but their manifests say ${events}. Nothing was cached; run verify --full.`,
          );
        }
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(staged, target);
    } catch (e) {
      if (signal?.aborted) throw cancelled();
      throw e;
    } finally {
      await fs.rm(staged, { force: true });
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Streams one object version into `folder` as `<sha256>.jsonl.gz`, hashing it; refuses (and
   * deletes) it unless size and SHA-256 are the manifest's.
   */
  private async copyVerified(o: VouchedObject, folder: string, signal?: AbortSignal): Promise<string> {
    await fs.mkdir(folder, { recursive: true });
    const staged = path.join(folder, `${folder === this.stagingFolder ? randomUUID() : o.sha256}.jsonl.gz`);
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

  /** A month's file, named by the SHA-256 of exactly which object versions (and bytes) it holds. */
  private monthPath(objects: readonly VouchedObject[]): string {
    const list = objects
      .map((o) => `${o.day} ${o.key} ${o.versionId ?? ''} ${o.sha256}`)
      .sort()
      .join('\n');
    const key = createHash('sha256').update(list).digest('hex');
    const [year, month] = (objects[0]?.day ?? '0000-00').split('-');
    return path.join(this.folder, COLUMNAR_FORMAT, year as string, month as string, `${key}.parquet`);
  }

  /** Runs `each` over the items, a few at a time, keeping their order in the result. */
  private async forEach<T>(
    items: readonly T[],
    options: Options,
    what: string,
    each: (item: T) => Promise<string>,
  ): Promise<string[]> {
    const out: string[] = new Array(items.length);
    let next = 0;
    let done = 0;
    let lastReport = 0;
    const report = (force: boolean) => {
      const now = Date.now();
      if (force || now - lastReport > 250) {
        lastReport = now;
        options.onProgress?.({
          done,
          total: items.length,
          message: `${what}: ${done.toLocaleString('en')} of ${items.length.toLocaleString('en')}`,
        });
      }
    };
    report(true);
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency ?? this.concurrency, items.length) }, async () => {
        while (next < items.length) {
          const i = next++;
          if (options.signal?.aborted) throw cancelled();
          out[i] = await each(items[i] as T);
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
