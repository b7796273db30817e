/**
 * The cited events, byte for byte as the archive holds them.
 *
 * Query engines answer with parsed rows; a report for an examiner must hand over the archive's own
 * lines. So each cited event's line is taken from the objects the signed manifests of its day vouch
 * for (at their recorded version), found by its id, and copied unchanged (never re-serialised).
 * Each object read is hashed again on the way (stored bytes, uncompressed bytes, line count) and
 * set against its manifest: the objects the report's events come from are verified in full,
 * whatever the verification mode of the rest of the period.
 *
 * Lines go to a spool file as they are found; only a small index (time, id, offset) stays in
 * memory, sorted into the report's order (event time, then id) and used to write `events.ndjson`,
 * `events.csv` and the PDF's table.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Day } from '../../../shared/day';
import { eventRowOf, type EventRow, type EventTimeFormat } from '../../../shared/reports/event-row';
import type { ArchiveStore } from '../archive/archive-store';

export interface ObjectToRead {
  readonly day: Day;
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly sha256Raw: string;
  readonly events: number;
}

export interface ReadBack {
  readonly sha256: string;
  readonly sha256Raw: string;
  readonly events: number;
  readonly matches: boolean;
}

interface Entry {
  readonly ms: number;
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  /** Index into `objects`. */
  readonly object: number;
}

export interface CollectedEvents {
  readonly spoolFile: string;
  /** In the report's order: event time, then id. */
  readonly entries: readonly Entry[];
  readonly objects: readonly ObjectToRead[];
  /** By `key\nversionId`. */
  readonly readBack: ReadonlyMap<string, ReadBack>;
  /** Cited ids no vouched object of their day holds. */
  readonly notFound: ReadonlyArray<{ id: string; day: Day }>;
}

export function objectId(key: string, versionId: string | null): string {
  return `${key}\n${versionId ?? ''}`;
}

// `{"id":"`: how Genesys (and so the archive) starts every event line.
const ID_PREFIX = Buffer.from('{"id":"');
const FLUSH_BYTES = 1 << 20;

/** Reads the cited events' lines from the objects of their days. */
export async function collectEventLines(
  store: ArchiveStore,
  wanted: ReadonlyMap<Day, ReadonlySet<string>>,
  objectsOf: (day: Day) => readonly ObjectToRead[],
  spoolFile: string,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<CollectedEvents> {
  const days = [...wanted.keys()].sort();
  const objects = days.flatMap((d) => objectsOf(d));
  const entries: Entry[] = [];
  const readBack = new Map<string, ReadBack>();
  const notFound: Array<{ id: string; day: Day }> = [];
  const fd = openSync(spoolFile, 'wx', 0o600);
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    writeSync(fd, Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  try {
    let done = 0;
    for (const day of days) {
      const ids = wanted.get(day) as ReadonlySet<string>;
      const seen = new Set<string>();
      for (let objectIndex = 0; objectIndex < objects.length; objectIndex++) {
        const object = objects[objectIndex] as ObjectToRead;
        if (object.day !== day) continue;
        options.signal?.throwIfAborted();
        const take = (line: Buffer, id: string) => {
          if (!ids.has(id) || seen.has(id)) return;
          seen.add(id);
          const copy = Buffer.from(line);
          let ms = Number.NaN;
          try {
            const parsed = JSON.parse(copy.toString('utf8')) as { eventDate?: unknown; eventTime?: unknown };
            const date = parsed.eventDate ?? parsed.eventTime;
            if (typeof date === 'string') ms = Date.parse(date);
          } catch {
            // kept as archived; sorted last
          }
          entries.push({ ms, id, offset, length: copy.length, object: objectIndex });
          pending.push(copy, NEWLINE);
          pendingBytes += copy.length + 1;
          offset += copy.length + 1;
          if (pendingBytes > FLUSH_BYTES) flush();
        };
        const digest = await readObjectLines(store, object, take);
        readBack.set(objectId(object.key, object.versionId), {
          ...digest,
          matches:
            digest.sha256 === object.sha256 && digest.sha256Raw === object.sha256Raw && digest.events === object.events,
        });
        options.onProgress?.(++done, objects.length);
      }
      for (const id of [...ids].sort()) if (!seen.has(id)) notFound.push({ id, day });
    }
    flush();
  } finally {
    closeSync(fd);
  }
  entries.sort((a, b) => {
    const am = Number.isNaN(a.ms) ? Infinity : a.ms;
    const bm = Number.isNaN(b.ms) ? Infinity : b.ms;
    return am !== bm ? am - bm : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return { spoolFile, entries, objects, readBack, notFound };
}

const NEWLINE = Buffer.from('\n');

/**
 * Streams one object: SHA-256 of the stored and the uncompressed bytes, its line count, and each
 * line with its id. Bytes that are not valid gzip give an empty raw hash and -1 lines.
 */
async function readObjectLines(
  store: ArchiveStore,
  object: ObjectToRead,
  onLine: (line: Buffer, id: string) => void,
): Promise<{ sha256: string; sha256Raw: string; events: number }> {
  const stored = createHash('sha256');
  const raw = createHash('sha256');
  let lines = 0;
  let carry: Buffer | null = null;
  let corrupt = false;
  const gunzip = createGunzip();
  const lineOf = (buf: Buffer, start: number, end: number) => {
    lines += 1;
    const line = buf.subarray(start, end);
    let id: string | null = null;
    if (line.length > ID_PREFIX.length && line.subarray(0, ID_PREFIX.length).equals(ID_PREFIX)) {
      const close = line.indexOf(0x22, ID_PREFIX.length);
      const backslash = line.indexOf(0x5c, ID_PREFIX.length);
      if (close > 0 && (backslash === -1 || backslash > close)) id = line.toString('utf8', ID_PREFIX.length, close);
    }
    if (id === null) {
      try {
        const parsed = JSON.parse(line.toString('utf8')) as { id?: unknown };
        if (typeof parsed.id === 'string') id = parsed.id;
      } catch {
        return; // not an event: verify reports the object
      }
    }
    if (id !== null) onLine(line, id);
  };
  gunzip.on('data', (chunk: Buffer) => {
    raw.update(chunk);
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      lineOf(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  });
  const done = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('error', () => {
      corrupt = true;
      resolve();
    });
  });
  for await (const chunk of store.getObject(object.key, object.versionId)) {
    stored.update(chunk);
    if (!corrupt && !gunzip.write(chunk)) await Promise.race([new Promise((r) => gunzip.once('drain', r)), done]);
  }
  if (!corrupt) gunzip.end();
  await done;
  // A last line without its newline is still a line of the object (the exporter always ends with one).
  if (!corrupt && carry) lineOf(carry, 0, (carry as Buffer).length);
  return { sha256: stored.digest('hex'), sha256Raw: corrupt ? '' : raw.digest('hex'), events: corrupt ? -1 : lines };
}

/** Writes the collected lines in the report's order to `ndjsonFile`, and hands each event's row to `onRow`. */
export async function writeEventsNdjson(
  collected: CollectedEvents,
  ndjsonFile: string,
  times: EventTimeFormat,
  onRow: (row: EventRow, from: ObjectToRead) => void | Promise<void>,
): Promise<void> {
  const spool = await fs.open(collected.spoolFile, 'r');
  const out = createWriteStream(ndjsonFile, { flags: 'wx' });
  try {
    let n = 0;
    for (const e of collected.entries) {
      const buf = Buffer.alloc(e.length + 1);
      await spool.read(buf, 0, buf.length, e.offset);
      await write(out, buf);
      n += 1;
      const object = collected.objects[e.object] as ObjectToRead;
      let event: unknown = {};
      try {
        event = JSON.parse(buf.toString('utf8', 0, e.length));
      } catch {
        // shown with empty fields; the line itself is in the NDJSON as archived
      }
      await onRow(eventRowOf(event, n, times), object);
    }
    out.end();
    await finished(out);
  } finally {
    await spool.close();
    out.destroy();
  }
}

/** The events of `events.ndjson`, as rows, in file order (once per PDF pass). */
export async function* readEventRows(ndjsonFile: string, times: EventTimeFormat): AsyncGenerator<EventRow> {
  const lines = createInterface({ input: createReadStream(ndjsonFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line === '') continue;
    n += 1;
    let event: unknown = {};
    try {
      event = JSON.parse(line);
    } catch {
      // see writeEventsNdjson
    }
    yield eventRowOf(event, n, times);
  }
}

export function write(out: WriteStream, data: string | Buffer): Promise<void> {
  return out.write(data) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
}
