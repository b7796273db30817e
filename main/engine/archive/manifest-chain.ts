/**
 * ManifestChain: writes manifests one at a time, each carrying the SHA-256 of the one before.
 *
 * Like CloudTrail's digest chain, the order is the write order across the whole archive: the global
 * sequence number names the key, and `previous` holds the key and SHA-256 of the manifest written
 * just before. Appends are serialised by an in-process mutex, so days exported concurrently still
 * form one chain. A manifest is written as canonical JSON (sorted keys) with the same lock as the
 * data, and read back (size and lock) before the append resolves.
 */
import { createHash } from 'node:crypto';
import { manifestKey, parseKey } from '../../../shared/archive-layout';
import { AuditArchiveError } from '../../../shared/errors';
import { describeIssues } from '../../../shared/ipc/contract';
import { ArchiveManifestSchema, type ArchiveManifest, type LockMode } from '../../../shared/manifest';
import type { ArchiveIndex } from './archive-index';
import type { ArchiveStore, ObjectLock } from './archive-store';
import { readArchiveIndex } from './read-archive-index';
import { confirmLock } from './stores/confirm-lock';

/** Manifests are small; anything bigger is not one of ours. */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export interface ChainLink {
  readonly key: string;
  readonly sha256: string;
}

export interface AppendedManifest {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
}

export interface ReadManifestResult {
  readonly manifest: ArchiveManifest;
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

export class ManifestChain {
  private tail: Promise<unknown> = Promise.resolve();
  /** Set when a write failed half-way: the next append re-reads the archive to find the real head. */
  private stale = false;

  private constructor(
    readonly store: ArchiveStore,
    private head: ChainLink | null,
    private lastSequence: number,
  ) {}

  /**
   * Opens the chain at its newest manifest (highest sequence), read and validated to get its SHA-256.
   * Pass the index when one was just read, to save the listing.
   */
  static async open(store: ArchiveStore, index?: ArchiveIndex): Promise<ManifestChain> {
    const { head, lastSequence } = await findHead(store, index ?? (await readArchiveIndex(store)));
    return new ManifestChain(store, head, lastSequence);
  }

  /** The newest manifest written (null for an empty archive). */
  get previous(): ChainLink | null {
    return this.head;
  }

  /** The sequence the next manifest will get. */
  get nextSequence(): number {
    return this.lastSequence + 1;
  }

  /**
   * Writes the manifest `build` returns for the next sequence, linked to the previous one.
   * `lock` is the retention the data got (ignored by stores without locks). Concurrent calls queue.
   */
  append(
    build: (sequence: number, previous: ChainLink | null) => ArchiveManifest,
    lock: ObjectLock,
  ): Promise<AppendedManifest> {
    const run = this.tail.then(() => this.appendNow(build, lock));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendNow(
    build: (sequence: number, previous: ChainLink | null) => ArchiveManifest,
    lock: ObjectLock,
  ): Promise<AppendedManifest> {
    // A second exporter on the same archive (the app and a scheduled CLI) that took this sequence
    // for the same day shows up as an existing key: re-read the head and link after it. The mutex
    // only orders this process; two processes writing different days are not detected here (keys
    // differ), which is why one archive should have one exporter at a time.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendOnce(build, lock);
      } catch (e) {
        if (!(e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS') || attempt >= 3) throw e;
      }
    }
  }

  private async appendOnce(
    build: (sequence: number, previous: ChainLink | null) => ArchiveManifest,
    lock: ObjectLock,
  ): Promise<AppendedManifest> {
    if (this.stale) {
      const { head, lastSequence } = await findHead(this.store, await readArchiveIndex(this.store));
      this.head = head;
      this.lastSequence = lastSequence;
      this.stale = false;
    }
    const sequence = this.lastSequence + 1;
    const parsed = ArchiveManifestSchema.safeParse(build(sequence, this.head));
    if (!parsed.success) {
      throw new AuditArchiveError(
        'INTERNAL',
        `The manifest built for sequence ${sequence} is invalid: ${describeIssues(parsed.error, 'manifest')}. Nothing was written.`,
      );
    }
    const manifest = parsed.data;
    if (manifest.sequence !== sequence || !sameLink(manifest.previous, this.head)) {
      throw new AuditArchiveError(
        'INTERNAL',
        `The manifest built for sequence ${sequence} does not link to the chain head. Nothing was written.`,
      );
    }
    const key = manifestKey(this.store.prefix, manifest.day, sequence);
    const bytes = canonicalManifestBytes(manifest);
    const sha256 = sha256Hex(bytes);
    try {
      const put = await this.store.putObject({ key, body: bytes, sha256, contentType: 'application/json', lock });
      await confirmStoredObject(this.store, key, put.versionId, { size: bytes.length, lock });
      this.head = { key, sha256 };
      this.lastSequence = sequence;
      return { key, versionId: put.versionId, sha256, manifest };
    } catch (e) {
      this.stale = true;
      throw e;
    }
  }
}

async function findHead(
  store: ArchiveStore,
  index: ArchiveIndex,
): Promise<{ head: ChainLink | null; lastSequence: number }> {
  let newest: { key: string; versionId: string | null; sequence: number } | null = null;
  for (const entry of index.days.values()) {
    for (const m of entry.manifests) if (!newest || m.sequence > newest.sequence) newest = m;
  }
  if (!newest) return { head: null, lastSequence: index.maxSequence };
  const { sha256 } = await readManifest(store, newest.key, newest.versionId);
  return { head: { key: newest.key, sha256 }, lastSequence: Math.max(index.maxSequence, newest.sequence) };
}

function sameLink(a: ChainLink | null, b: ChainLink | null): boolean {
  return a === null || b === null ? a === b : a.key === b.key && a.sha256 === b.sha256;
}

/** Reads one manifest version, validates it and hashes its exact bytes. A bad one is ARCHIVE_BAD_OBJECT naming the key. */
export async function readManifest(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
): Promise<ReadManifestResult> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of store.getObject(key, versionId)) {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES) throw badManifest(key, `it is larger than ${MAX_MANIFEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw badManifest(key, 'it is not valid JSON');
  }
  const parsed = ArchiveManifestSchema.safeParse(json);
  if (!parsed.success) throw badManifest(key, describeIssues(parsed.error, 'manifest'));
  const manifest = parsed.data;
  const where = parseKey(store.prefix, key);
  if (where.kind === 'manifest' && (where.day !== manifest.day || where.sequence !== manifest.sequence)) {
    throw badManifest(
      key,
      `it says day ${manifest.day} sequence ${manifest.sequence}, but its key says day ${where.day} sequence ${where.sequence}`,
    );
  }
  return { manifest, sha256: sha256Hex(bytes), bytes };
}

function badManifest(key: string, why: string): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_BAD_OBJECT',
    `The manifest ${key} cannot be read: ${why}. It is kept as found (never overwritten); run verify, and treat its day as not proven until it is resolved.`,
  );
}

/** Manifest bytes: JSON with keys sorted at every level, 2-space indent, final newline. */
export function canonicalManifestBytes(manifest: ArchiveManifest): Uint8Array {
  return Buffer.from(JSON.stringify(sortKeys(manifest), null, 2) + '\n', 'utf8');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the read-back found, to record in the manifest (null lock: the store has none, i.e. a local folder). */
export interface ConfirmedLock {
  readonly lockMode: LockMode | null;
  readonly retainUntil: string | null;
}

/**
 * Reads back what was just written (HeadObject on the returned version, via confirmLock) and refuses
 * to go on unless its size and lock are what was asked: some S3-compatible stores accept lock headers
 * and ignore them. Only a local folder may report no lock (it says it is not WORM; see checkReady).
 */
export async function confirmStoredObject(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
  expected: { size: number; lock: ObjectLock },
): Promise<ConfirmedLock> {
  const info = await confirmLock(store, { key, versionId, size: expected.size }, expected);
  if (!info.lock) return { lockMode: null, retainUntil: null };
  return { lockMode: info.lock.mode, retainUntil: new Date(Date.parse(info.lock.retainUntil)).toISOString() };
}
