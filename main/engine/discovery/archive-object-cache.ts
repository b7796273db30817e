/**
 * ArchiveObjectCache: what the local engine derives from the archive, in a folder of its own (never
 * part of the archive, safe to delete, rebuilt on demand).
 *
 *   {folder}/objects/YYYY/MM/DD/<sha256>.jsonl.gz                S3 objects downloaded by version id (the range cache)
 *   {folder}/columnar-v3/YYYY/MM/<month key>-<sha256>.parquet    one Parquet file per month of archived objects
 *   {folder}/columnar-v3/YYYY/MM/<month key>.seal.json           which file is that month's, sealed
 *   {folder}/staging/                                            files being written (renamed into place when complete)
 *
 * Every byte that enters the cache is hashed on the way in and compared with the SHA-256 its manifest
 * recorded; an object that does not match is refused (ARCHIVE_INTEGRITY, naming day and key) and
 * nothing of it is kept. A month's Parquet file is built only from such checked bytes (private
 * copies, so a file changed after the check cannot slip in), must hold exactly the events each day's
 * manifests count, one row per event (the local definition of `audit_events` relies on it:
 * shared/discovery/audit-events-table.ts), and its month key is the SHA-256 of the list of its
 * objects (day, key, version, SHA-256): a month that gains a part (a reconcile) gets a new key and is
 * rebuilt.
 *
 * The cache folder may be held by someone else, so nothing in it is trusted because it exists: it is
 * checked at every use, in the run that uses it.
 * - A downloaded object is hashed again and compared with its manifest's SHA-256 and size.
 * - A month's file is hashed again and compared with its seal: SHA-256 and size under an HMAC keyed
 *   by this installation's cache seal key (cache-seal.ts), a secret kept outside the cache and state
 *   folders. A Parquet file rewritten in place (an event dropped, names changed) no longer matches;
 *   a seal rewritten to match it cannot be made without the key.
 * Whatever does not match is said in a warning and rebuilt from the archive before the query runs:
 * an answer never comes from bytes that were not checked in its run.
 *
 * Why columnar, and why by month: DuckDB reading the NDJSON.gz parts directly spends nearly all its
 * time in gunzip and JSON parsing, and opening one small file per archived object costs milliseconds
 * each (2,500 of them over seven years); bench/discovery.ts prints the figures. A month is one
 * file (84 over seven years).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import * as z from 'zod';
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
import { CacheSeal, type CacheSealKey } from '../archive/cache-seal';
import { readRegularFile } from '../files/regular-file';
import { writeFileAtomically } from '../files/write-file-atomically';
import { sqlString } from './duckdb-dialect';
import { hashFile, hashFiles } from './file-hashes';
import type { VouchedObject } from './vouched-objects';
import { formatCount } from '../../../shared/format-count';

/** Bump when the table's columns or the cache's layout change: older files are then simply not used. */
const COLUMNAR_FORMAT = 'columnar-v3';
/**
 * Layouts before this one, removed on first use: v1's files were trusted because they existed; v2's
 * were not yet written one row per (`dt`, `id`), which the local `audit_events` now relies on.
 */
const OLDER_COLUMNAR_FORMATS = ['columnar-v1', 'columnar-v2'];

interface CacheProgress {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

type Options = {
  signal?: AbortSignal;
  onProgress?: (p: CacheProgress) => void;
  concurrency?: number;
  /** What was found changed and rebuilt (or could not be checked), for the result to say. */
  onWarning?: (message: string) => void;
};

interface ArchiveObjectCacheOptions {
  readonly store: ArchiveStore;
  readonly folder: string;
  /** A connection of the engine's (locked-down) DuckDB instance, for building Parquet. */
  readonly connect: () => Promise<DuckDBConnection>;
  /** Objects downloaded or months checked at once (default 2: one per core). */
  readonly concurrency?: number;
  /** Where the secret that seals the months is kept (absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
}

const SEAL_PURPOSE = 'columnar-month';
const MonthSealSchema = z.object({
  format: z.literal('audit-archive/columnar-seal@1'),
  /** The month key the seal was made for (sealed too, so a seal moved to another month fails). */
  monthKey: z.string().regex(/^[0-9a-f]{64}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  keyId: z.string(),
  mac: z.string(),
});
type MonthSeal = z.infer<typeof MonthSealSchema>;

/** One month's objects and where its files go. */
interface Month {
  readonly objects: readonly VouchedObject[];
  readonly folder: string;
  readonly key: string;
}

export class ArchiveObjectCache {
  readonly folder: string;
  private readonly store: ArchiveStore;
  private readonly connect: () => Promise<DuckDBConnection>;
  private readonly concurrency: number;
  private readonly sealKey: CacheSealKey | null;
  private seal: Promise<CacheSeal> | null = null;

  constructor(options: ArchiveObjectCacheOptions) {
    this.store = options.store;
    this.folder = path.resolve(options.folder);
    this.connect = options.connect;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.sealKey = options.cacheSealKey ?? null;
  }

  get stagingFolder(): string {
    return path.join(this.folder, 'staging');
  }

  /**
   * Local NDJSON.gz files for the objects: the archive's own files for a local folder (read in
   * place, unhashed: this is the direct reader the benchmark compares against), downloads for S3,
   * each checked against its manifest now.
   */
  async gzipFiles(objects: readonly VouchedObject[], options: Options = {}): Promise<string[]> {
    const root = localRoot(this.store);
    if (root !== null) return objects.map((o) => path.join(root, ...o.key.split('/')));
    return this.forEach(objects, options, 'Downloading and checking archived objects', (o) =>
      this.downloaded(o, options),
    );
  }

  /**
   * One Parquet file per month of the objects (pass whole months: a month's file holds exactly the
   * objects given for it): each cached month checked against its seal now, the rest (missing,
   * changed, sealed by another key) built from bytes that matched their manifests.
   */
  async columnarMonths(objects: readonly VouchedObject[], options: Options = {}): Promise<string[]> {
    const seal = await this.openSeal(options);
    const months = [...groupByMonth(objects).values()].map((o) => this.monthOf(o));
    const checked = await this.checkedMonths(months, seal, options);
    const missing = months.filter((_, i) => checked[i] === null);
    const built = await this.forEach(
      missing,
      // One month at a time: DuckDB already reads a month's files on every thread, and two months
      // at once would double the memory a build takes.
      { ...options, concurrency: 1 },
      'Preparing archived months for queries',
      (m) => this.buildMonth(m, seal, options),
    );
    return checked.map((file) => file ?? (built.shift() as string));
  }

  /**
   * Each month's file when its seal is this key's and the file still hashes to what the seal says;
   * null where the month must be built. The seals are read first, then every sealed file is hashed
   * (on every core, see file-hashes.ts) and compared.
   */
  private async checkedMonths(
    months: readonly Month[],
    seal: CacheSeal,
    options: Options,
  ): Promise<Array<string | null>> {
    const sealed = await Promise.all(months.map((m) => this.sealedFile(m, seal, options)));
    const candidates = sealed.flatMap((s, i) => (s ? [{ ...s, index: i }] : []));
    let done = 0;
    const what = 'Checking the cached months against their seals';
    const progress = () =>
      options.onProgress?.({ done, total: candidates.length, message: `${what}: ${done} of ${candidates.length}` });
    progress();
    const hashes = await hashFiles(
      candidates.map((c) => c.file),
      {
        threads: this.concurrency,
        expectedBytes: candidates.reduce((n, c) => n + c.record.size, 0),
        ...(options.signal ? { signal: options.signal } : {}),
        onHashed: () => {
          done++;
          progress();
        },
      },
    ).catch((e: unknown) => {
      throw options.signal?.aborted ? cancelled() : e;
    });
    const out: Array<string | null> = months.map(() => null);
    candidates.forEach((c, i) => {
      const found = hashes[i];
      if (!found) return; // deleted: the cache may be emptied at any time
      if (found.notRegularFile)
        options.onWarning?.(
          `${c.file} is not a regular file (a named pipe, a socket or a device was put in its place); it was not read, and the month was rebuilt from the archive.`,
        );
      else if (found.sha256 === c.record.sha256 && found.size === c.record.size) out[c.index] = c.file;
      else
        options.onWarning?.(
          `${c.file} was changed after it was built (SHA-256 ${found.sha256.slice(0, 12)}…, ${found.size} bytes; its seal says ${c.record.sha256.slice(0, 12)}…, ${c.record.size} bytes); the month was rebuilt from the archive.`,
        );
    });
    return out;
  }

  private openSeal(options: Options): Promise<CacheSeal> {
    this.seal ??= (async () => {
      for (const older of OLDER_COLUMNAR_FORMATS)
        await fs.rm(path.join(this.folder, older), { recursive: true, force: true }).catch(() => undefined);
      return CacheSeal.open(this.sealKey, (m) => options.onWarning?.(m));
    })();
    return this.seal;
  }

  private monthOf(objects: readonly VouchedObject[]): Month {
    const list = objects
      .map((o) => `${o.day} ${o.key} ${o.versionId ?? ''} ${o.sha256}`)
      .sort()
      .join('\n');
    const key = createHash('sha256').update(list).digest('hex');
    const [year, month] = (objects[0]?.day ?? '0000-00').split('-');
    return { objects, key, folder: path.join(this.folder, COLUMNAR_FORMAT, year as string, month as string) };
  }

  /** The month's file and its seal when the seal is this key's and unchanged; null: build the month. */
  private async sealedFile(
    month: Month,
    seal: CacheSeal,
    options: Options,
  ): Promise<{ file: string; record: MonthSeal } | null> {
    const sealFile = path.join(month.folder, `${month.key}.seal.json`);
    let record: MonthSeal;
    try {
      const read = await readSealFile(sealFile);
      if (!read.ok) throw new SyntaxError(read.what);
      const parsed = MonthSealSchema.safeParse(JSON.parse(read.text));
      if (!parsed.success) throw new SyntaxError('not a seal');
      record = parsed.data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      options.onWarning?.(`${sealFile} is not a seal this installation wrote; the month was rebuilt from the archive.`);
      return null;
    }
    const file = path.join(month.folder, `${month.key}-${record.sha256}.parquet`);
    const rebuilt = (why: string) => {
      options.onWarning?.(`${file} ${why}; the month was rebuilt from the archive.`);
      return null;
    };
    // Without a kept key, only what this process sealed is known (the rest was said once, when the seal was opened).
    if (record.keyId !== seal.keyId)
      return seal.kept
        ? rebuilt(`was sealed by another key than this installation's (${this.sealKey?.description})`)
        : null;
    if (!seal.matches(record.mac, SEAL_PURPOSE, month.key, record.sha256, String(record.size)))
      return rebuilt('has a seal that does not match it (the seal was changed after it was written)');
    return { file, record };
  }

  /** The checked local copy of an S3 object, downloading it (by version id) if the cache lacks it. */
  private async downloaded(o: VouchedObject, options: Options): Promise<string> {
    const target = path.join(this.folder, 'objects', dayPath(o.day), `${o.sha256}.jsonl.gz`);
    const found = await hashFile(target).catch(() => null);
    if (found && found.sha256 === o.sha256 && found.size === o.size) return target;
    if (found) {
      options.onWarning?.(
        `${target}, the downloaded copy of ${o.key} (${o.day}), no longer matches its manifest: it was discarded and downloaded again.`,
      );
      await fs.rm(target, { force: true });
    }
    const staged = await this.copyVerified(o, this.storeBytes(o), this.stagingFolder, options.signal);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(staged, target);
    return target;
  }

  private storeBytes(o: VouchedObject): AsyncIterable<Uint8Array> {
    return this.store.getObject(o.key, o.versionId);
  }

  /**
   * Private copies of the month's objects, each hashed as it is copied (from the local archive, or
   * from the checked download), converted to Parquet, counted against the manifests, sealed.
   */
  private async buildMonth(month: Month, seal: CacheSeal, options: Options): Promise<string> {
    const signal = options.signal;
    const root = localRoot(this.store);
    const work = path.join(this.stagingFolder, randomUUID());
    const staged = `${work}.parquet`;
    try {
      const sources: string[] = [];
      for (const o of month.objects) {
        signal?.throwIfAborted();
        // Each copy sits under its day's path, which the reader turns into `dt`.
        const bytes = root === null ? fileBytes(await this.downloaded(o, options)) : this.storeBytes(o);
        sources.push(await this.copyVerified(o, bytes, path.join(work, dayPath(o.day)), signal));
      }
      await this.convert(month.objects, sources, staged);
      const made = await hashFile(staged);
      const file = path.join(month.folder, `${month.key}-${made.sha256}.parquet`);
      await fs.mkdir(month.folder, { recursive: true });
      await fs.rename(staged, file);
      await this.writeSeal(month, made, seal);
      return file;
    } catch (e) {
      if (signal?.aborted) throw cancelled();
      throw e;
    } finally {
      await fs.rm(staged, { force: true });
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /** Records which file is the month's, sealed; the file it replaces (if any) is removed. */
  private async writeSeal(month: Month, made: { sha256: string; size: number }, seal: CacheSeal): Promise<void> {
    const sealFile = path.join(month.folder, `${month.key}.seal.json`);
    const previous = await readSealFile(sealFile)
      .then((r) => (r.ok ? (MonthSealSchema.safeParse(JSON.parse(r.text)).data?.sha256 ?? null) : null))
      .catch(() => null);
    const record: MonthSeal = {
      format: 'audit-archive/columnar-seal@1',
      monthKey: month.key,
      sha256: made.sha256,
      size: made.size,
      keyId: seal.keyId,
      mac: seal.mac(SEAL_PURPOSE, month.key, made.sha256, String(made.size)),
    };
    await writeFileAtomically(sealFile, JSON.stringify(record));
    if (previous && previous !== made.sha256)
      await fs.rm(path.join(month.folder, `${month.key}-${previous}.parquet`), { force: true }).catch(() => undefined);
  }

  /**
   * The copies as one Parquet file with one row per (`dt`, `id`), after the lines of each day were
   * found to be exactly the events its manifests count. The lines are written as they are (in the
   * objects' order), counted, and looked at for an id twice in a day, on two narrow columns of the
   * Parquet file. The exporter never archives an event twice in a day; if copies ever were (an older
   * writer), the file is written again with each kept once, as Athena's definition of `audit_events`
   * reads them (shared/discovery/audit-events-table.ts). Deduplicating every month whole (DISTINCT ON
   * and a sort of every column) doubled the cache's first build (bench/discovery.ts --rebuild-cache).
   */
  private async convert(objects: readonly VouchedObject[], sources: readonly string[], staged: string): Promise<void> {
    const connection = await this.connect();
    const json = `read_json([${sources.map(sqlString).join(', ')}], ${NDJSON_READ_OPTIONS})`;
    try {
      await connection.run(
        `COPY (SELECT ${NDJSON_TABLE_SELECT} FROM ${json}) TO ${sqlString(staged)} ${PARQUET_OPTIONS}`,
      );
      checkCounts(eventsPerDay(objects), await linesPerDay(connection, staged));
      if (await holdsRepeatedEvents(connection, staged)) await keepEachEventOnce(connection, staged);
    } catch (e) {
      if (isAuditArchiveError(e)) throw e;
      const days = [...new Set(objects.map((o) => o.day))];
      throw new AuditArchiveError(
        'ARCHIVE_BAD_OBJECT',
        `The archived objects of ${days[0]}${days.length > 1 ? ` to ${days.at(-1)}` : ''} match their manifests but cannot be read as audit events: ${(e as Error).message.split('\n')[0]}. Run verify --full.`,
        { cause: e },
      );
    } finally {
      connection.closeSync();
    }
  }

  /**
   * Streams one object's bytes into `folder` as `<sha256>.jsonl.gz` (a unique name in staging),
   * hashing them; refuses (and deletes) the copy unless size and SHA-256 are the manifest's.
   */
  private async copyVerified(
    o: VouchedObject,
    bytes: AsyncIterable<Uint8Array>,
    folder: string,
    signal?: AbortSignal,
  ): Promise<string> {
    await fs.mkdir(folder, { recursive: true });
    const staged = path.join(folder, `${folder === this.stagingFolder ? randomUUID() : o.sha256}.jsonl.gz`);
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(staged, { flags: 'wx' });
    try {
      for await (const chunk of bytes) {
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

  /** Runs `each` over the items, a few at a time, keeping their order in the result. */
  private async forEach<T, R>(
    items: readonly T[],
    options: Options,
    what: string,
    each: (item: T) => Promise<R>,
  ): Promise<R[]> {
    if (items.length === 0) return [];
    const out: R[] = new Array(items.length);
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
          message: `${what}: ${formatCount(done)} of ${formatCount(items.length)}`,
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

/** The objects by month (`YYYY-MM`), in the order given. */
function groupByMonth(objects: readonly VouchedObject[]): Map<string, VouchedObject[]> {
  const months = new Map<string, VouchedObject[]>();
  for (const o of objects) {
    const month = o.day.slice(0, 7);
    const list = months.get(month);
    if (list) list.push(o);
    else months.set(month, [o]);
  }
  return months;
}

async function* fileBytes(file: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
}

/** The folder a local archive's keys are files under, or null for other stores. */
function localRoot(store: ArchiveStore): string | null {
  return store.kind === 'local' && 'root' in store && typeof store.root === 'string' ? store.root : null;
}

/** The JSON reader's columns: the event's own keys, typed. */
const JSON_COLUMNS = `{${Object.entries(duckJsonColumns())
  .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
  .join(', ')}}`;

/** A month's seal is a few hundred bytes; anything larger is not one this installation wrote. */
const MAX_SEAL_BYTES = 64 * 1024;

/**
 * A seal file's text, read only if it is a regular file (files/regular-file.ts): a named pipe in a
 * seal's place would otherwise hold the query until someone wrote to it.
 */
function readSealFile(file: string) {
  return readRegularFile(file, MAX_SEAL_BYTES);
}

/** The same columns with Athena's lower-case names (a struct cast renames fields by name). */
const CAST_TO_TABLE = AUDIT_EVENT_FIELDS.map(
  (f) => `CAST("${f.key}" AS ${duckTableType(f)}) AS "${f.key.toLowerCase()}"`,
).join(', ');

/** The SELECT list that turns `read_json` rows (with `filename`) into table rows, `dt` from the path. */
export const NDJSON_TABLE_SELECT = `${CAST_TO_TABLE}, regexp_extract(replace("filename", '\\', '/'), '(\\d{4}/\\d{2}/\\d{2})/[^/]+$', 1) AS "${DT_COLUMN}"`;
export const NDJSON_READ_OPTIONS = `format = 'newline_delimited', compression = 'gzip', filename = true, columns = ${JSON_COLUMNS}`;

/** Table rows (with `dt`), one per (`dt`, `id`). */
const ONE_ROW_PER_EVENT_OF = (tableRows: string) => `SELECT DISTINCT ON ("${DT_COLUMN}", "id") * FROM ${tableRows}`;

/** The events of `rows` (a `read_json` of archived parts) as table rows, one per (`dt`, `id`). */
export const ONE_ROW_PER_EVENT = (rows: string) => ONE_ROW_PER_EVENT_OF(`(SELECT ${NDJSON_TABLE_SELECT} FROM ${rows})`);

const PARQUET_OPTIONS = '(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)';

/** Rows per `dt` of a month's Parquet file (before deduplication: its lines). */
async function linesPerDay(connection: DuckDBConnection, file: string): Promise<Map<string, number>> {
  const counts = await connection.runAndReadAll(
    `SELECT "${DT_COLUMN}", count(*) FROM read_parquet(${sqlString(file)}) GROUP BY 1`,
  );
  return new Map(counts.getRowsJson().map(([dt, n]) => [String(dt), Number(n)]));
}

/** Whether an event id is in the file twice on one day. */
async function holdsRepeatedEvents(connection: DuckDBConnection, file: string): Promise<boolean> {
  const found = await connection.runAndReadAll(
    `SELECT 1 FROM read_parquet(${sqlString(file)}) GROUP BY "${DT_COLUMN}", "id" HAVING count(*) > 1 LIMIT 1`,
  );
  return found.currentRowCount > 0;
}

/** Writes the file again with one row per (`dt`, `id`), in day order. */
async function keepEachEventOnce(connection: DuckDBConnection, file: string): Promise<void> {
  const once = `${file}.once`;
  await connection.run(
    `COPY (${ONE_ROW_PER_EVENT_OF(`read_parquet(${sqlString(file)})`)} ORDER BY "${DT_COLUMN}", "id") TO ${sqlString(once)} ${PARQUET_OPTIONS}`,
  );
  await fs.rename(once, file);
}

/** Events per `dt` as the manifests count them. */
function eventsPerDay(objects: readonly VouchedObject[]): Map<string, number> {
  const expected = new Map<string, number>();
  for (const o of objects) expected.set(dtOf(o.day), (expected.get(dtOf(o.day)) ?? 0) + o.events);
  return expected;
}

/** Refuses a month whose lines per day are not the events its manifests count. */
function checkCounts(expected: Map<string, number>, lines: Map<string, number>): void {
  for (const [dt, events] of expected) {
    const found = lines.get(dt) ?? 0;
    if (found !== events) {
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `The archived objects of ${dt.replaceAll('/', '-')} hold ${found} events, but their manifests say ${events}. Nothing was cached; run verify --full.`,
      );
    }
  }
}

export function cancelled(): AuditArchiveError {
  return new AuditArchiveError('QUERY_CANCELLED', 'The query was cancelled; nothing was changed.');
}
