/**
 * The one reader of archived objects. Every part of the engine that reads an object version back
 * from the archive (verify, reconcile, a report's cited lines, the root, manifests and records)
 * reads it here, so each hashes, unpacks, splits lines and fails the same way:
 *
 * - A data part (gzip of NDJSON) is streamed once: SHA-256 and size of the stored bytes, then
 *   gunzipped, with SHA-256 and size of the unpacked bytes and its lines split on `\n` (a last
 *   line without its newline is still a line, and said to be cut: the exporter always ends with
 *   one). Bytes that are not valid gzip are no error: the digest says so (`gzip: false`, no raw
 *   hash, -1 lines) and `digestProblems` reports it, like any other difference from the manifest.
 * - A small document (root, manifest, key-succession or report record) is read whole, up to a
 *   bound: larger is `too-large`, a version the store no longer finds is `not-found`; the caller
 *   names the key in its own finding.
 * - An unreachable store, or a cancel, is thrown as it comes: it says nothing about the object.
 */
import { createHash } from 'node:crypto';
import type { Gunzip } from 'node:zlib';
import { isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveStore } from './archive-store';

/** An object version as a manifest records it. */
interface ObjectVersion {
  readonly key: string;
  readonly versionId: string | null;
}

/** What reading a data part found. */
export interface ObjectDigest {
  /** SHA-256 (hex) and size of the stored bytes. */
  readonly sha256: string;
  readonly size: number;
  /** Whether the stored bytes are valid gzip; when not, the fields below say nothing (`''`, -1). */
  readonly gzip: boolean;
  readonly sha256Raw: string;
  readonly rawSize: number;
  /** Lines of the unpacked NDJSON, a cut last line included. */
  readonly lines: number;
  /** True when the last line has no newline. */
  readonly lastLineCut: boolean;
}

interface ReadPartOptions {
  /** Each line (without its newline) and its number, from 1. Not called once the bytes prove not to be gzip. */
  readonly onLine?: (line: Buffer, lineNumber: number) => void;
  /** Each chunk of stored bytes as read (to keep a copy). */
  readonly onStored?: (chunk: Uint8Array) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** Streams one data part version: hashes, gunzip, lines. */
export async function readArchivedPart(
  store: ArchiveStore,
  object: ObjectVersion,
  options: ReadPartOptions = {},
): Promise<ObjectDigest> {
  const stored = createHash('sha256');
  let size = 0;
  const unpack = new Unpacker(options.onLine);
  try {
    for await (const chunk of store.getObject(object.key, object.versionId)) {
      options.signal?.throwIfAborted();
      stored.update(chunk);
      size += chunk.length;
      await options.onStored?.(chunk);
      await unpack.write(chunk);
    }
    const raw = await unpack.end();
    return { sha256: stored.digest('hex'), size, ...raw };
  } finally {
    unpack.destroy();
  }
}

/** The part as a manifest records it. `rawSize` is compared when given. */
export interface RecordedPart {
  readonly sha256: string;
  readonly size: number;
  readonly sha256Raw: string;
  readonly rawSize?: number;
  readonly events: number;
}

/** How a digest differs from what its manifest recorded, in words (empty: it matches). */
export function digestProblems(digest: ObjectDigest, recorded: RecordedPart): string[] {
  if (!digest.gzip) return ['it is not valid gzip'];
  const problems: string[] = [];
  if (digest.sha256 !== recorded.sha256) problems.push('its SHA-256 differs');
  if (digest.size !== recorded.size) problems.push(`it holds ${digest.size} bytes, not ${recorded.size}`);
  if (digest.sha256Raw !== recorded.sha256Raw) problems.push('its uncompressed SHA-256 differs');
  if (recorded.rawSize !== undefined && digest.rawSize !== recorded.rawSize)
    problems.push(`it unpacks to ${digest.rawSize} bytes, not ${recorded.rawSize}`);
  if (digest.lastLineCut) problems.push('its last line is cut');
  if (digest.lines !== recorded.events) problems.push(`it holds ${digest.lines} events, not ${recorded.events}`);
  return problems;
}

/** SHA-256 and size of an object version's stored bytes (a report bundle), streaming. */
export async function hashArchivedObject(
  store: ArchiveStore,
  object: ObjectVersion,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of store.getObject(object.key, object.versionId)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

type DocumentRead =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly reason: 'too-large' | 'not-found' };

/** A small document version read whole, refused past `maxBytes`. */
export async function readArchivedDocument(
  store: ArchiveStore,
  object: ObjectVersion,
  maxBytes: number,
): Promise<DocumentRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of store.getObject(object.key, object.versionId)) {
      size += chunk.length;
      if (size > maxBytes) return { ok: false, reason: 'too-large' };
      chunks.push(chunk);
    }
  } catch (e) {
    if (isAuditArchiveError(e) && e.code === 'NOT_FOUND') return { ok: false, reason: 'not-found' };
    throw e;
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/** gunzip with backpressure; the unpacked bytes hashed and split into lines. */
class Unpacker {
  // zlib is loaded at the first part read: a query over the local cache reads only small documents.
  private readonly gunzip: Gunzip = process.getBuiltinModule('node:zlib').createGunzip();
  private readonly raw = createHash('sha256');
  private readonly lines: LineSplitter;
  private rawSize = 0;
  private corrupt = false;
  private readonly done: Promise<void>;

  constructor(onLine: ((line: Buffer, lineNumber: number) => void) | undefined) {
    this.lines = new LineSplitter(onLine);
    this.gunzip.on('data', (chunk: Buffer) => {
      if (this.corrupt) return;
      this.raw.update(chunk);
      this.rawSize += chunk.length;
      this.lines.push(chunk);
    });
    this.done = new Promise<void>((resolve) => {
      this.gunzip.on('end', resolve);
      this.gunzip.on('error', () => {
        this.corrupt = true;
        resolve();
      });
    });
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.corrupt || this.gunzip.write(chunk)) return;
    await Promise.race([new Promise((r) => this.gunzip.once('drain', r)), this.done]);
  }

  async end(): Promise<Omit<ObjectDigest, 'sha256' | 'size'>> {
    if (!this.corrupt) this.gunzip.end();
    await this.done;
    if (this.corrupt) return { gzip: false, sha256Raw: '', rawSize: -1, lines: -1, lastLineCut: false };
    const lastLineCut = this.lines.end();
    return {
      gzip: true,
      sha256Raw: this.raw.digest('hex'),
      rawSize: this.rawSize,
      lines: this.lines.count,
      lastLineCut,
    };
  }

  destroy(): void {
    this.gunzip.destroy();
  }
}

const NEWLINE = 10;

/** Splits bytes on `\n`; without a listener it only counts (no line is copied). */
class LineSplitter {
  count = 0;
  /** The pieces of a line cut between chunks (kept as pieces: a long line is joined once, not per chunk). */
  private carry: Buffer[] = [];
  /** Bytes after the last newline, when only counting. */
  private trailing = 0;

  constructor(private readonly onLine: ((line: Buffer, lineNumber: number) => void) | undefined) {}

  push(chunk: Buffer): void {
    if (!this.onLine) return this.countOnly(chunk);
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (this.carry.length > 0) {
      if (nl === -1) {
        this.carry.push(Buffer.from(chunk));
        return;
      }
      // Only the line cut between chunks is copied, never the whole chunk.
      this.onLine(Buffer.concat([...this.carry, chunk.subarray(0, nl)]), ++this.count);
      this.carry = [];
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    for (; nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.onLine(chunk.subarray(start, nl), ++this.count);
      start = nl + 1;
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  private countOnly(chunk: Buffer): void {
    let last = -1;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, nl + 1)) {
      this.count += 1;
      last = nl;
    }
    this.trailing = last === -1 ? this.trailing + chunk.length : chunk.length - last - 1;
  }

  /** Ends the last line; true when it had no newline. */
  end(): boolean {
    if (this.carry.length > 0) {
      this.onLine?.(Buffer.concat(this.carry), ++this.count);
      this.carry = [];
      return true;
    }
    if (this.trailing > 0) {
      this.count += 1;
      return true;
    }
    return false;
  }
}
