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

/**
 * Where each collected line is, column by column in typed arrays: 100,000 events as objects and
 * strings on the V8 heap would weigh ~15 MB, and the heap grows to a multiple of what stays live,
 * so the report's peak memory would grow with its event count. Ids are kept as their UTF-8 bytes,
 * only to break ties in the order.
 */
export class EventIndex {
  count = 0;
  private ms = new Float64Array(1024);
  private offset = new Float64Array(1024);
  private length = new Uint32Array(1024);
  private object = new Uint32Array(1024);
  private idStart = new Float64Array(1024);
  private idLength = new Uint32Array(1024);
  private ids = Buffer.allocUnsafe(64 * 1024);
  private idBytes = 0;
  /** Entry numbers in the report's order, once sorted. */
  private order: Uint32Array | null = null;

  add(ms: number, id: string, offset: number, length: number, object: number): void {
    if (this.count === this.ms.length) this.grow();
    const i = this.count++;
    const idLength = Buffer.byteLength(id);
    if (this.idBytes + idLength > this.ids.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.ids.length * 2, this.idBytes + idLength));
      this.ids.copy(bigger, 0, 0, this.idBytes);
      this.ids = bigger;
    }
    this.ms[i] = ms;
    this.offset[i] = offset;
    this.length[i] = length;
    this.object[i] = object;
    this.idStart[i] = this.idBytes;
    this.idLength[i] = idLength;
    this.idBytes += this.ids.write(id, this.idBytes);
  }

  private grow(): void {
    const n = this.ms.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.ms = f64(this.ms);
    this.offset = f64(this.offset);
    this.idStart = f64(this.idStart);
    this.length = u32(this.length);
    this.object = u32(this.object);
    this.idLength = u32(this.idLength);
  }

  private id(i: number): string {
    const start = this.idStart[i] as number;
    return this.ids.toString('utf8', start, start + (this.idLength[i] as number));
  }

  /** Event time, then id (as strings compare); an event without a readable time goes last. */
  sort(): void {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const time = (i: number) => {
      const t = this.ms[i] as number;
      return Number.isNaN(t) ? Infinity : t;
    };
    order.sort((a, b) => {
      const am = time(a);
      const bm = time(b);
      if (am !== bm) return am - bm;
      const ai = this.id(a);
      const bi = this.id(b);
      return ai < bi ? -1 : ai > bi ? 1 : 0;
    });
    this.order = order;
  }

  /** The entries in the report's order. */
  *inOrder(): Generator<{ offset: number; length: number; object: number }> {
    const order = this.order ?? Uint32Array.from({ length: this.count }, (_, i) => i);
    for (const i of order)
      yield { offset: this.offset[i] as number, length: this.length[i] as number, object: this.object[i] as number };
  }
}

export interface CollectedEvents {
  readonly spoolFile: string;
  /** How many events were collected. */
  readonly count: number;
  /** Where each line is in the spool, in the report's order: event time, then id. */
  readonly index: EventIndex;
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
const SPOOL_WINDOW_BYTES = 1 << 20;

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
  const index = new EventIndex();
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
          index.add(ms, id, offset, copy.length, objectIndex);
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
  index.sort();
  return { spoolFile, count: index.count, index, objects, readBack, notFound };
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
  // The spool holds the lines in archive order, which is mostly the report's (time) order: read it
  // in windows rather than one read per event (100,000 reads on a busy machine take minutes).
  let window = Buffer.alloc(0);
  let windowStart = 0;
  const lineAt = async (offset: number, length: number): Promise<Buffer> => {
    if (offset < windowStart || offset + length > windowStart + window.length) {
      const buf = Buffer.allocUnsafe(Math.max(SPOOL_WINDOW_BYTES, length));
      const { bytesRead } = await spool.read(buf, 0, buf.length, offset);
      window = buf.subarray(0, bytesRead);
      windowStart = offset;
    }
    return window.subarray(offset - windowStart, offset - windowStart + length);
  };
  try {
    let n = 0;
    for (const e of collected.index.inOrder()) {
      const buf = Buffer.from(await lineAt(e.offset, e.length + 1));
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
