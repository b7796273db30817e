/**
 * PartWriter: events -> NDJSON -> gzip -> SHA-256 -> parts of bounded size, one part in memory.
 *
 * Each event becomes one line, `JSON.stringify` of the object exactly as Genesys returned it (Athena's
 * JSON SerDe reads one object per line). The raw and the compressed bytes are hashed as they stream.
 * A part is cut before its compressed size could pass `maxPartBytes`, and handed to `onPart`, which
 * stores it; the writer waits for it (backpressure), so memory holds at most one part whatever the
 * size of the day.
 *
 * Compressed size is only known once zlib has emitted its output, so lines are gathered in batches
 * and each batch ends with a sync flush (Z_SYNC_FLUSH keeps the dictionary, costs a few bytes): the
 * size is then exact, and the next batch is kept under zlib's worst-case bound of what remains.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import type { AuditEventRecord } from '../../../shared/audit-event';

/**
 * Gzip level 4: measured on simulator events it keeps ~90% of level 6's ratio at well over twice its
 * speed, which the 30,000 events/s target on one core needs (level 6 alone would eat most of the budget).
 */
export const DEFAULT_GZIP_LEVEL = 4;

/** Raw bytes gathered before they are handed to zlib. */
const BATCH_BYTES = 256 * 1024;
/** gzip header (10) + trailer (8) + the final empty block, rounded up. */
const GZIP_OVERHEAD = 32;

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

export interface PartWriterOptions {
  /** Upper bound of one part's compressed size (a single event larger than this gets a part of its own). */
  readonly maxPartBytes: number;
  /** Stores the part; the writer waits for it before accepting more events. */
  readonly onPart: (part: FinishedPart) => Promise<void>;
  readonly gzipLevel?: number;
}

/** zlib's deflateBound for `n` raw bytes: what they can compress to at worst. */
function deflateBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13;
}

export class PartWriter {
  private readonly maxPartBytes: number;
  private readonly onPart: (part: FinishedPart) => Promise<void>;
  private readonly level: number;

  private gzip: Gzip | null = null;
  private rawHash: Hash | null = null;
  private gzHash: Hash | null = null;
  /** Compressed bytes of the current part, in a buffer reused across parts. */
  private out: Buffer = Buffer.alloc(0);
  private outLength = 0;
  private outError: Error | null = null;

  private batch: string[] = [];
  private batchBytes = 0;
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
  }

  /** Adds one event; resolves once it is accepted (which may include storing a finished part). */
  async write(record: AuditEventRecord): Promise<void> {
    const line = JSON.stringify(record.event) + '\n';
    const lineBytes = Buffer.byteLength(line);
    if (
      this.partEvents > 0 &&
      this.outLength + deflateBound(this.batchBytes + lineBytes) + GZIP_OVERHEAD > this.maxPartBytes
    ) {
      // The worst case would not fit: flush to learn the exact size, then decide.
      await this.flushBatch();
      if (this.outLength + deflateBound(lineBytes) + GZIP_OVERHEAD > this.maxPartBytes) await this.cutPart();
    }
    if (!this.gzip) this.startPart();
    this.batch.push(line);
    this.batchBytes += lineBytes;
    this.partRaw += lineBytes;
    this.partEvents++;
    const ms = record.eventTimeMs;
    if (ms < this.firstMs) {
      this.firstMs = ms;
      this.firstDate = eventDateOf(record);
    }
    if (ms > this.lastMs || this.lastDate === null) {
      this.lastMs = ms;
      this.lastDate = eventDateOf(record);
    }
    if (this.batchBytes >= BATCH_BYTES) await this.flushBatch();
  }

  /** Stores the last part, if it holds any event. An empty day produces no part. */
  async finish(): Promise<void> {
    if (this.partEvents > 0) await this.cutPart();
  }

  /** Stops without storing the current part (the caller failed or was aborted). */
  discard(): void {
    this.gzip?.destroy();
    this.gzip = null;
    this.batch = [];
  }

  private startPart(): void {
    const gzip = createGzip({ level: this.level, chunkSize: 64 * 1024 });
    gzip.on('data', (chunk: Buffer) => this.collect(chunk));
    gzip.on('error', (e: Error) => (this.outError = e));
    this.gzip = gzip;
    this.rawHash = createHash('sha256');
    this.gzHash = createHash('sha256');
    this.outLength = 0;
    this.outError = null;
    this.partRaw = 0;
    this.partEvents = 0;
    this.firstMs = Infinity;
    this.lastMs = -Infinity;
    this.firstDate = null;
    this.lastDate = null;
  }

  private collect(chunk: Buffer): void {
    this.gzHash!.update(chunk);
    const need = this.outLength + chunk.length;
    if (need > this.out.length) {
      // Grow by 1.5x, capped near the part bound, so a part is held once (plus one growth step).
      const size = Math.max(
        need,
        Math.min(Math.ceil(this.out.length * 1.5) || 64 * 1024, this.maxPartBytes + 64 * 1024),
      );
      const bigger = Buffer.allocUnsafe(size);
      this.out.copy(bigger, 0, 0, this.outLength);
      this.out = bigger;
    }
    chunk.copy(this.out, this.outLength);
    this.outLength += chunk.length;
  }

  /** Hands the gathered lines to zlib and waits until all their output has been collected. */
  private async flushBatch(): Promise<void> {
    const gzip = this.gzip;
    if (!gzip || this.batchBytes === 0) return;
    const raw = Buffer.from(this.batch.join(''), 'utf8');
    this.batch = [];
    this.batchBytes = 0;
    this.rawHash!.update(raw);
    gzip.write(raw);
    await new Promise<void>((resolve) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    await this.drained(gzip);
  }

  /** Output is pushed before the flush callback runs; this guards against any still queued. */
  private async drained(gzip: Gzip): Promise<void> {
    while (gzip.readableLength > 0) await new Promise((r) => setImmediate(r));
    if (this.outError) throw this.outError;
  }

  private async cutPart(): Promise<void> {
    await this.flushBatch();
    const gzip = this.gzip!;
    await new Promise<void>((resolve, reject) => {
      gzip.once('end', resolve);
      gzip.once('error', reject);
      gzip.end();
    });
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

function eventDateOf(record: AuditEventRecord): string {
  const d = record.event['eventDate'];
  return typeof d === 'string' ? d : new Date(record.eventTimeMs).toISOString();
}
