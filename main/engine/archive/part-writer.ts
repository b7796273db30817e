/**
 * PartWriter: events -> NDJSON -> gzip -> SHA-256 -> parts of bounded size, one part in memory.
 *
 * Each event becomes one line: its own JSON text as Genesys sent it (`record.json`, already one line;
 * Athena's JSON SerDe reads one object per line). The raw and the compressed bytes are hashed as they stream.
 * A part is cut before its compressed size could pass `maxPartBytes`, and handed to `onPart`, which
 * stores it; the writer waits for it (backpressure), so memory holds at most one part whatever the
 * size of the day.
 *
 * Compressed size is only known once zlib has emitted its output, and zlib compresses off the main
 * thread while the next batch fills, so the writer bounds what it has not seen yet by zlib's worst case
 * (deflateBound) and asks for a sync flush, which makes the size exact, only when that bound nears the limit.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TransformOptions } from 'node:stream';
import { constants as zlibConstants, createGzip, type Gzip, type ZlibOptions } from 'node:zlib';
import type { AuditEventRecord } from '../../../shared/audit-event';

/**
 * Gzip level 3: measured on simulator events (about 1 KB of JSON each) it runs about twice as fast
 * as zlib's default level 6 for 83% of its ratio (7.8x against 9.4x), which the 30,000 events/s target
 * on one core needs; levels 4 and up switch to zlib's slower lazy matching.
 */
const DEFAULT_GZIP_LEVEL = 3;

/** Raw bytes gathered before they are handed to zlib. */
const BATCH_BYTES = 256 * 1024;
/** Raw bytes zlib may hold unprocessed before `write` waits (compression overlaps the next batches). */
const ZLIB_QUEUE_BYTES = 1024 * 1024;
/** gzip header (10) + trailer (8) + the final empty block and a sync flush, rounded up. */
const GZIP_OVERHEAD = 32;
/** The compressed-output buffer is reserved at most this big up front; beyond, it grows. */
const MAX_RESERVE = 1024 * 1024 * 1024;

export interface FinishedPart {
  /** The stored (gzip) bytes. Only valid until `onPart` resolves: the buffer is reused. */
  readonly body: Uint8Array;
  /** Lowercase hex SHA-256 of `body`. */
  readonly sha256: string;
  /** Lowercase hex SHA-256 of the uncompressed NDJSON. */
  readonly sha256Raw: string;
  readonly size: number;
  readonly rawSize: number;
  readonly events: number;
  /** `eventDate` of the earliest and latest event in the part, as Genesys wrote them. */
  readonly firstEventDate: string | null;
  readonly lastEventDate: string | null;
}

interface PartWriterOptions {
  /** Upper bound of one part's compressed size (a single event larger than this gets a part of its own). */
  readonly maxPartBytes: number;
  /** Stores the part; the writer waits for it before accepting more events. */
  readonly onPart: (part: FinishedPart) => Promise<void>;
  readonly gzipLevel?: number;
  /** Output buffers to take from and give back once the day is done (a run of many days shares them). */
  readonly buffers?: PartBuffers;
}

/**
 * The compressed-output buffers of a run of days (a catch-up), handed from one day's writer to the
 * next: each is reserved at the part bound, and reserving it afresh for each of hundreds of small
 * days made V8 collect garbage again and again (a 90-day demo fill spent 5.0 s collecting garbage
 * that way, 1.6 s with shared buffers). Holds at most `keep` (one per day exported at once); the
 * run drops them when it ends, so nothing outlives it.
 */
export class PartBuffers {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep: number) {}

  /** A buffer of at least `size` bytes, not in use elsewhere until it is given back; null when none is free. */
  take(size: number): Buffer | null {
    const i = this.free.findIndex((b) => b.length >= size);
    return i >= 0 ? (this.free.splice(i, 1)[0] as Buffer) : null;
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

/** zlib's deflateBound for `n` raw bytes: what they can compress to at worst. */
function deflateBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13;
}

export class PartWriter {
  private readonly maxPartBytes: number;
  private readonly onPart: (part: FinishedPart) => Promise<void>;
  private readonly level: number;
  private readonly buffers: PartBuffers | null;

  private gzip: Gzip | null = null;
  private rawHash: Hash | null = null;
  private gzHash: Hash | null = null;
  /**
   * Compressed bytes of the current part. Reserved once at the part bound and reused: pages never
   * written cost no memory, and nothing is copied as a part grows.
   */
  private out: Buffer = Buffer.alloc(0);
  private outLength = 0;
  private failure: Error | null = null;

  /** The batch being filled, and spare batch buffers zlib has finished with. */
  private batch: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private batchLength = 0;
  private readonly spare: Buffer[] = [];
  /** Raw bytes handed to zlib since its output was last known exactly (sync flush). */
  private rawSinceSync = 0;

  private partRaw = 0;
  private partEvents = 0;
  private firstMs = Infinity;
  private firstDate: string | null = null;
  private lastMs = -Infinity;
  private lastDate: string | null = null;

  /** Parts handed to onPart so far. */
  parts = 0;

  constructor(options: PartWriterOptions) {
    if (!Number.isInteger(options.maxPartBytes) || options.maxPartBytes < 1024) {
      throw new RangeError('maxPartBytes must be an integer of at least 1024');
    }
    this.maxPartBytes = options.maxPartBytes;
    this.onPart = options.onPart;
    this.level = options.gzipLevel ?? DEFAULT_GZIP_LEVEL;
    this.buffers = options.buffers ?? null;
  }

  /** Adds one event; resolves once it is accepted (which may include storing a finished part). */
  async write(record: AuditEventRecord): Promise<void> {
    const line = record.json;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a bound without measuring the line.
    const worst = line.length * 3 + 1;
    if (
      this.partEvents > 0 &&
      this.outLength + deflateBound(this.rawSinceSync + this.batchLength + worst) + GZIP_OVERHEAD > this.maxPartBytes
    ) {
      // The worst case would not fit: learn the exact compressed size, then decide.
      await this.syncFlush();
      if (this.outLength + deflateBound(worst) + GZIP_OVERHEAD > this.maxPartBytes) await this.cutPart();
    }
    if (!this.gzip) this.startPart();
    if (this.batch.length - this.batchLength < worst) {
      await this.sendBatch();
      if (this.batch.length < worst) this.batch = Buffer.allocUnsafeSlow(worst);
    }
    const n = this.batch.write(line, this.batchLength, 'utf8');
    this.batch[this.batchLength + n] = 0x0a;
    this.batchLength += n + 1;
    this.partRaw += n + 1;
    this.partEvents++;
    const ms = record.eventTimeMs;
    if (ms < this.firstMs) {
      this.firstMs = ms;
      this.firstDate = record.eventDate;
    }
    if (ms > this.lastMs || this.lastDate === null) {
      this.lastMs = ms;
      this.lastDate = record.eventDate;
    }
  }

  /**
   * Stores the last part, if it holds any event (an empty day produces no part), and gives the
   * output buffer back to `buffers`: every part has been stored by then, so none of its bytes is in use.
   */
  async finish(): Promise<void> {
    if (this.partEvents > 0) await this.cutPart();
    if (this.out.length > 0) this.buffers?.give(this.out);
    this.out = Buffer.alloc(0);
  }

  /** Stops without storing the current part (the caller failed or was aborted). */
  discard(): void {
    this.gzip?.destroy();
    this.gzip = null;
    this.batchLength = 0;
    this.partEvents = 0;
  }

  private startPart(): void {
    // zlib streams take the stream options too, though ZlibOptions does not list them.
    const options: ZlibOptions & TransformOptions = {
      level: this.level,
      chunkSize: 64 * 1024,
      writableHighWaterMark: ZLIB_QUEUE_BYTES,
    };
    const gzip = createGzip(options);
    gzip.on('data', (chunk: Buffer) => this.collect(chunk));
    gzip.on('error', (e: Error) => (this.failure = e));
    this.gzip = gzip;
    this.rawHash = createHash('sha256');
    this.gzHash = createHash('sha256');
    this.outLength = 0;
    this.failure = null;
    this.rawSinceSync = 0;
    this.partRaw = 0;
    this.partEvents = 0;
    this.firstMs = Infinity;
    this.lastMs = -Infinity;
    this.firstDate = null;
    this.lastDate = null;
    if (this.out.length === 0) {
      const reserve = Math.min(this.maxPartBytes + 64 * 1024, MAX_RESERVE);
      this.out = this.buffers?.take(reserve) ?? Buffer.allocUnsafeSlow(reserve);
    }
  }

  private collect(chunk: Buffer): void {
    this.gzHash!.update(chunk);
    const need = this.outLength + chunk.length;
    if (need > this.out.length) {
      // Only a part over MAX_RESERVE, or the lone oversized event, gets here.
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, Math.ceil(this.out.length * 1.5)));
      this.out.copy(bigger, 0, 0, this.outLength);
      this.out = bigger;
    }
    chunk.copy(this.out, this.outLength);
    this.outLength += chunk.length;
  }

  /** Hands the filled batch to zlib (which compresses it off the main thread) and starts a new one. */
  private async sendBatch(): Promise<void> {
    const gzip = this.gzip;
    if (!gzip || this.batchLength === 0) return;
    const full = this.batch;
    const bytes = full.subarray(0, this.batchLength);
    this.rawHash!.update(bytes);
    this.rawSinceSync += this.batchLength;
    this.batch = this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.batchLength = 0;
    const queued = gzip.write(bytes, () => {
      if (full.length === BATCH_BYTES) this.spare.push(full);
    });
    if (!queued) await this.settle(gzip, 'drain');
  }

  /** Sends the batch and makes zlib emit everything so far (Z_SYNC_FLUSH keeps the dictionary). */
  private async syncFlush(): Promise<void> {
    await this.sendBatch();
    const gzip = this.gzip!;
    await new Promise<void>((resolve) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    await this.drained(gzip);
    this.rawSinceSync = 0;
  }

  /** Waits for `event`, or fails with the stream's error instead of waiting forever. */
  private settle(gzip: Gzip, event: 'drain' | 'end'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const done = (): void => {
        gzip.off('error', fail);
        resolve();
      };
      const fail = (e: Error): void => {
        gzip.off(event, done);
        reject(e);
      };
      gzip.once(event, done);
      gzip.once('error', fail);
    });
  }

  /** Output is pushed before the flush callback runs; this guards against any still queued. */
  private async drained(gzip: Gzip): Promise<void> {
    while (gzip.readableLength > 0) await new Promise((r) => setImmediate(r));
    if (this.failure) throw this.failure;
  }

  private async cutPart(): Promise<void> {
    await this.sendBatch();
    const gzip = this.gzip!;
    const ended = this.settle(gzip, 'end');
    gzip.end();
    await ended;
    await this.drained(gzip);
    this.gzip = null;
    const part: FinishedPart = {
      body: this.out.subarray(0, this.outLength),
      sha256: this.gzHash!.digest('hex'),
      sha256Raw: this.rawHash!.digest('hex'),
      size: this.outLength,
      rawSize: this.partRaw,
      events: this.partEvents,
      firstEventDate: this.firstDate,
      lastEventDate: this.lastDate,
    };
    this.partEvents = 0;
    this.parts++;
    await this.onPart(part);
  }
}
