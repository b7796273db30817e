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
 * Lines go to a spool file as they are found; only a small index (time, id, offset, object, line
 * number) stays in memory, sorted into the report's order (event time, then id) and used to write
 * `events.ndjson`, `event-lines.ndjson` (each line's SHA-256 and where it sits: object and line
 * number, so an examiner can find it in the object), `events.csv` and the PDF's table. An object's
 * stored bytes can be kept as they are read (the bundle then holds the cited objects themselves).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Day } from '../../../shared/day';
import { eventRowOf, type EventRow, type EventTimeFormat } from '../../../shared/reports/event-row';
import type { ArchiveStore } from '../archive/archive-store';
import { readArchivedPart, type ObjectDigest } from '../archive/archived-object';
import type { FieldCheck } from './field-check';

export interface ObjectToRead {
  readonly day: Day;
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly sha256Raw: string;
  readonly events: number;
  /** Stored size, as its manifest recorded it. */
  readonly size: number;
  /** The manifest that names it. */
  readonly manifestKey: string;
}

interface ReadBack {
  readonly sha256: string;
  readonly sha256Raw: string;
  readonly size: number;
  readonly events: number;
  readonly matches: boolean;
}

/**
 * Where each collected line is, column by column in typed arrays: 100,000 events as objects and
 * strings on the V8 heap would weigh ~15 MB, and the heap grows to a multiple of what stays live,
 * so the report's peak memory would grow with its event count. Ids are kept as their UTF-8 bytes,
 * only to break ties in the order.
 */
class EventIndex {
  count = 0;
  private ms = new Float64Array(1024);
  private offset = new Float64Array(1024);
  private length = new Uint32Array(1024);
  private object = new Uint32Array(1024);
  private line = new Uint32Array(1024);
  private idStart = new Float64Array(1024);
  private idLength = new Uint32Array(1024);
  private ids = Buffer.allocUnsafe(64 * 1024);
  private idBytes = 0;
  /** Entry numbers in the report's order, once sorted. */
  private order: Uint32Array | null = null;

  add(ms: number, id: string, offset: number, length: number, object: number, line: number): void {
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
    this.line[i] = line;
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
    this.line = u32(this.line);
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
  *inOrder(): Generator<{ offset: number; length: number; object: number; line: number }> {
    const order = this.order ?? Uint32Array.from({ length: this.count }, (_, i) => i);
    for (const i of order)
      yield {
        offset: this.offset[i] as number,
        length: this.length[i] as number,
        object: this.object[i] as number,
        line: this.line[i] as number,
      };
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

interface CollectOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** Checks each cited row against its event's archived line (field-check.ts). */
  readonly fieldCheck?: FieldCheck;
  /** Where to keep an object's stored bytes as they are read (null: not kept). */
  readonly keepObjectAt?: (object: ObjectToRead, index: number) => string | null;
}

/** Parses a line read from the archive; null when it is not a JSON object (verify reports the object). */
function parseEvent(line: Buffer): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(line.toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Reads the cited events' lines from the objects of their days. */
export async function collectEventLines(
  store: ArchiveStore,
  wanted: ReadonlyMap<Day, ReadonlySet<string>>,
  objectsOf: (day: Day) => readonly ObjectToRead[],
  spoolFile: string,
  options: CollectOptions = {},
): Promise<CollectedEvents> {
  const days = [...wanted.keys()].sort();
  const objects = days.flatMap((d) => objectsOf(d));
  const index = new EventIndex();
  const readBack = new Map<string, ReadBack>();
  const notFound: Array<{ id: string; day: Day }> = [];
  const spool = new LineSpool(spoolFile);
  try {
    let done = 0;
    for (const day of days) {
      const ids = wanted.get(day) as ReadonlySet<string>;
      const seen = new Set<string>();
      for (let objectIndex = 0; objectIndex < objects.length; objectIndex++) {
        const object = objects[objectIndex] as ObjectToRead;
        if (object.day !== day) continue;
        options.signal?.throwIfAborted();
        const take = (line: Buffer, id: string, lineNumber: number) => {
          if (!ids.has(id) || seen.has(id)) return;
          seen.add(id);
          const event = parseEvent(line);
          const date = event?.eventDate ?? event?.eventTime;
          index.add(
            typeof date === 'string' ? Date.parse(date) : Number.NaN,
            id,
            spool.offset,
            line.length,
            objectIndex,
            lineNumber,
          );
          spool.add(line);
          if (event && options.fieldCheck?.wants(id)) options.fieldCheck.checkEvent(id, event);
        };
        const keepAt = options.keepObjectAt?.(object, objectIndex) ?? null;
        const digest = await readObjectLines(store, object, take, keepAt);
        readBack.set(objectId(object.key, object.versionId), {
          ...digest,
          matches:
            digest.sha256 === object.sha256 && digest.sha256Raw === object.sha256Raw && digest.events === object.events,
        });
        options.onProgress?.(++done, objects.length);
      }
      for (const id of [...ids].sort()) if (!seen.has(id)) notFound.push({ id, day });
    }
    spool.flush();
  } finally {
    spool.close();
  }
  index.sort();
  return { spoolFile, count: index.count, index, objects, readBack, notFound };
}

/** The collected lines, appended to a spool file in large writes. */
class LineSpool {
  offset = 0;
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'wx', 0o600);
  }

  add(line: Buffer): void {
    this.pending.push(Buffer.from(line), NEWLINE);
    this.pendingBytes += line.length + 1;
    this.offset += line.length + 1;
    if (this.pendingBytes > FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    writeSync(this.fd, Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * Reads one object (archived-object.ts): SHA-256 and size of the stored bytes, SHA-256 of the
 * uncompressed bytes, its line count, and each line with its id and line number (from 1). Bytes
 * that are not valid gzip give an empty raw hash and -1 lines. `keepAt`: a file the stored bytes
 * are copied to as read.
 */
async function readObjectLines(
  store: ArchiveStore,
  object: ObjectToRead,
  onLine: (line: Buffer, id: string, lineNumber: number) => void,
  keepAt: string | null,
): Promise<{ sha256: string; sha256Raw: string; size: number; events: number }> {
  const keep = keepAt ? createWriteStream(keepAt, { flags: 'wx', mode: 0o600 }) : null;
  let digest: ObjectDigest;
  try {
    digest = await readArchivedPart(store, object, {
      onLine: (line, n) => {
        const id = idOfLine(line);
        if (id !== null) onLine(line, id, n);
      },
      ...(keep ? { onStored: (chunk: Uint8Array) => write(keep, Buffer.from(chunk)) } : {}),
    });
  } finally {
    keep?.end();
    if (keep) await finished(keep);
  }
  return { sha256: digest.sha256, sha256Raw: digest.sha256Raw, size: digest.size, events: digest.lines };
}

/** The event id of an archived line: read from its start (how Genesys writes every event), else parsed. */
function idOfLine(line: Buffer): string | null {
  if (line.length > ID_PREFIX.length && line.subarray(0, ID_PREFIX.length).equals(ID_PREFIX)) {
    const close = line.indexOf(0x22, ID_PREFIX.length);
    const backslash = line.indexOf(0x5c, ID_PREFIX.length);
    if (close > 0 && (backslash === -1 || backslash > close)) return line.toString('utf8', ID_PREFIX.length, close);
  }
  const parsed = parseEvent(line);
  return parsed && typeof parsed.id === 'string' ? parsed.id : null;
}

/** Where a line of events.ndjson comes from: its SHA-256, the object and the line number in it. */
export interface EventLineSource {
  readonly n: number;
  readonly id: string;
  readonly day: Day;
  readonly object: string;
  readonly versionId: string | null;
  readonly line: number;
  readonly sha256: string;
}

/** Reads spooled lines by offset, through a window (the spool is mostly in the report's order already). */
function spoolReader(spool: fs.FileHandle): (offset: number, length: number) => Promise<Buffer> {
  // Reading in windows rather than one read per event: 100,000 reads on a busy machine take minutes.
  let window = Buffer.alloc(0);
  let windowStart = 0;
  return async (offset, length) => {
    if (offset < windowStart || offset + length > windowStart + window.length) {
      const buf = Buffer.allocUnsafe(Math.max(SPOOL_WINDOW_BYTES, length));
      const { bytesRead } = await spool.read(buf, 0, buf.length, offset);
      window = buf.subarray(0, bytesRead);
      windowStart = offset;
    }
    return window.subarray(offset - windowStart, offset - windowStart + length);
  };
}

/**
 * Writes the collected lines in the report's order to `files.ndjson` (and, with `files.sources`,
 * one JSON object per line saying where it comes from), and hands each event's row to `onRow`.
 */
export async function writeEventsNdjson(
  collected: CollectedEvents,
  files: { readonly ndjson: string; readonly sources?: string },
  times: EventTimeFormat,
  onRow: (row: EventRow, from: ObjectToRead, source: EventLineSource) => void | Promise<void>,
): Promise<void> {
  const spool = await fs.open(collected.spoolFile, 'r');
  const out = createWriteStream(files.ndjson, { flags: 'wx' });
  const sources = files.sources ? createWriteStream(files.sources, { flags: 'wx' }) : null;
  const lineAt = spoolReader(spool);
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
      const row = eventRowOf(event, n, times);
      const source: EventLineSource = {
        n,
        id: row.id,
        day: object.day,
        object: object.key,
        versionId: object.versionId,
        line: e.line,
        sha256: createHash('sha256').update(buf.subarray(0, e.length)).digest('hex'),
      };
      if (sources) await write(sources, JSON.stringify(source) + '\n');
      await onRow(row, object, source);
    }
    for (const stream of [out, sources]) stream?.end();
    await finished(out);
    if (sources) await finished(sources);
  } finally {
    await spool.close();
    out.destroy();
    sources?.destroy();
  }
}

/** The events of `events.ndjson`, as rows, with where each line comes from (`event-lines.ndjson`), in file order. */
export async function* readEventRows(
  ndjsonFile: string,
  sourcesFile: string,
  times: EventTimeFormat,
): AsyncGenerator<{ row: EventRow; source: EventLineSource | null }> {
  const lines = createInterface({ input: createReadStream(ndjsonFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  const sources = createInterface({ input: createReadStream(sourcesFile, { encoding: 'utf8' }), crlfDelay: Infinity })[
    Symbol.asyncIterator
  ]();
  let n = 0;
  try {
    for await (const line of lines) {
      if (line === '') continue;
      n += 1;
      let event: unknown = {};
      try {
        event = JSON.parse(line);
      } catch {
        // see writeEventsNdjson
      }
      const next = await sources.next();
      const source = next.done ? null : (JSON.parse(next.value) as EventLineSource);
      yield { row: eventRowOf(event, n, times), source };
    }
  } finally {
    await sources.return?.();
  }
}

export function write(out: WriteStream, data: string | Buffer): Promise<void> {
  return out.write(data) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
}
