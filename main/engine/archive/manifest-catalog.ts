/**
 * Reading manifests: each manifest version is read once per installation, checked (schema, key,
 * canonical form, signature against the key in effect at its sequence: the root's, or a successor's
 * after a key change, see key-succession.ts) and what was learned is kept in a local cache
 * keyed by key, version id, size and modification time, so the calendar over seven years needs the
 * listing and nothing else once warm. A new machine reads them all once, in parallel.
 *
 * A manifest is outside input: a bad one is an `invalid` read naming its key and why, never a
 * thrown error and never a crash; only an unreachable store throws.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseKey } from '../../../shared/archive-layout';
import { isAuditArchiveError } from '../../../shared/errors';
import { describeIssues } from '../../../shared/ipc/contract';
import { ArchiveManifestSchema, type ArchiveManifest } from '../../../shared/manifest';
import { writeFileAtomically } from '../files/write-file-atomically';
import { originalVersion, type ArchiveListing } from './archive-listing';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';
import { canonicalJsonBytes, manifestSignatureValid, sha256Hex } from './signing';

/** Manifests are small (a few kB); anything much bigger is not one of ours. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
const READ_CONCURRENCY = 16;

export type ManifestRead =
  | {
      readonly ok: true;
      readonly key: string;
      readonly versionId: string | null;
      /** SHA-256 of the stored bytes (what the next manifest's `previous` names). */
      readonly sha256: string;
      readonly manifest: ArchiveManifest;
      /** Whether its signature verifies with the key in effect at its sequence. */
      readonly signed: boolean;
    }
  | { readonly ok: false; readonly key: string; readonly versionId: string | null; readonly detail: string };

export interface RootKey {
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
}

/** The key a manifest of this sequence must be signed with (null: none is known, nothing is signed). */
export type KeyForSequence = (sequence: number) => RootKey | null;

/** Reads and checks one manifest version's bytes (no cache). */
export function checkManifestBytes(
  prefix: string,
  key: string,
  versionId: string | null,
  bytes: Uint8Array,
  keyFor: KeyForSequence,
): ManifestRead {
  const invalid = (detail: string): ManifestRead => ({ ok: false, key, versionId, detail });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`${key} is not valid JSON.`);
  }
  const parsed = ArchiveManifestSchema.safeParse(json);
  if (!parsed.success) return invalid(`${key} is not a manifest: ${describeIssues(parsed.error, 'manifest')}.`);
  const manifest = parsed.data;
  const where = parseKey(prefix, key);
  if (where.kind === 'manifest' && (where.day !== manifest.day || where.sequence !== manifest.sequence)) {
    return invalid(
      `${key} says day ${manifest.day} sequence ${manifest.sequence}, but its key says day ${where.day} sequence ${where.sequence}.`,
    );
  }
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(manifest))) {
    return invalid(
      `${key} is not in the canonical form the archive writes (bytes were added or rearranged after it was written).`,
    );
  }
  const signer = keyFor(manifest.sequence);
  const signed = signer !== null && manifestSignatureValid(manifest, signer.publicKey, signer.fingerprint);
  return { ok: true, key, versionId, sha256: sha256Hex(bytes), manifest, signed };
}

export async function readManifestVersion(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
  keyFor: KeyForSequence,
): Promise<ManifestRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of store.getObject(key, versionId)) {
      size += chunk.length;
      if (size > MAX_MANIFEST_BYTES)
        return {
          ok: false,
          key,
          versionId,
          detail: `${key} is larger than ${MAX_MANIFEST_BYTES} bytes: not a manifest.`,
        };
      chunks.push(chunk);
    }
  } catch (e) {
    if (isAuditArchiveError(e) && e.code === 'NOT_FOUND')
      return { ok: false, key, versionId, detail: `${key} is listed but cannot be read at its version.` };
    throw e;
  }
  return checkManifestBytes(store.prefix, key, versionId, Buffer.concat(chunks), keyFor);
}

const CachedSchema = z.union([
  z.object({
    ok: z.literal(true),
    sha256: z.string(),
    manifest: ArchiveManifestSchema,
    signedBy: z.string().nullable(),
  }),
  z.object({ ok: z.literal(false), detail: z.string() }),
]);
type Cached = z.infer<typeof CachedSchema>;
const CacheFileSchema = z.object({
  format: z.literal('audit-archive/manifest-cache@1'),
  archive: z.string(),
  entries: z.array(z.tuple([z.string(), CachedSchema])),
});

/**
 * The manifests of a listing (the original version of each manifest-shaped key), from the local
 * cache where it knows them, read from the store otherwise.
 */
export class ManifestCatalog {
  private entries = new Map<string, Cached>();
  private loaded = false;
  private dirty = false;
  /** Manifest versions read from the store (not the cache) by the last `readAll`. */
  lastReads = 0;

  constructor(
    private readonly store: ArchiveStore,
    /** null: no cache (nothing is kept between runs). */
    private readonly cacheFile: string | null,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  static cacheFileFor(stateDir: string, archiveUrl: string): string {
    return join(stateDir, `manifests-${createHash('sha256').update(archiveUrl).digest('hex').slice(0, 16)}.json`);
  }

  /** Every manifest-shaped key's original version, read and checked; by key. */
  async readAll(
    listing: ArchiveListing,
    keyFor: KeyForSequence,
    options: { signal?: AbortSignal; fresh?: boolean } = {},
  ): Promise<Map<string, ManifestRead>> {
    await this.load();
    const out = new Map<string, ManifestRead>();
    const todo: Array<{ key: string; version: ObjectVersionEntry; cacheKey: string }> = [];
    for (const k of listing.manifests.values()) {
      const version = originalVersion(k);
      if (!version) continue; // only delete markers: the assessment reports it
      const cacheKey = cacheKeyOf(version);
      const cached = options.fresh ? undefined : this.entries.get(cacheKey);
      if (cached) out.set(k.key, this.fromCache(k.key, version.versionId, cached, keyFor));
      else todo.push({ key: k.key, version, cacheKey });
    }
    this.lastReads = todo.length;
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        options.signal?.throwIfAborted();
        const item = todo[next++]!;
        const read = await readManifestVersion(this.store, item.key, item.version.versionId, keyFor);
        out.set(item.key, read);
        this.entries.set(
          item.cacheKey,
          read.ok
            ? {
                ok: true,
                sha256: read.sha256,
                manifest: read.manifest,
                signedBy: read.signed ? (keyFor(read.manifest.sequence)?.fingerprint ?? null) : null,
              }
            : { ok: false, detail: read.detail },
        );
        this.dirty = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
    await this.save(listing);
    return out;
  }

  private fromCache(key: string, versionId: string | null, cached: Cached, keyFor: KeyForSequence): ManifestRead {
    if (!cached.ok) return { ok: false, key, versionId, detail: cached.detail };
    // Known valid for the key in effect, or checked again (the key changed, or none was known then).
    const signer = keyFor(cached.manifest.sequence);
    let signed = signer !== null && cached.signedBy === signer.fingerprint;
    if (!signed && signer) {
      signed = manifestSignatureValid(cached.manifest, signer.publicKey, signer.fingerprint);
      if (signed) {
        cached.signedBy = signer.fingerprint;
        this.dirty = true;
      }
    }
    return { ok: true, key, versionId, sha256: cached.sha256, manifest: cached.manifest, signed };
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.cacheFile) return;
    this.loaded = true;
    let text: string;
    try {
      text = await readFile(this.cacheFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.onWarning(
          `The manifest cache ${this.cacheFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); manifests are read from the archive instead.`,
        );
      return;
    }
    try {
      const parsed = CacheFileSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.archive === this.store.url) this.entries = new Map(parsed.data.entries);
    } catch {
      // A damaged cache is only a slower status: it is rebuilt from the archive.
    }
  }

  /** Keeps what the listing still holds (bounded by the archive), if anything changed. */
  private async save(listing: ArchiveListing): Promise<void> {
    if (!this.cacheFile || !this.dirty) return;
    const live = new Set<string>();
    for (const k of listing.manifests.values()) {
      const v = originalVersion(k);
      if (v) live.add(cacheKeyOf(v));
    }
    const entries = [...this.entries].filter(([k]) => live.has(k));
    this.entries = new Map(entries);
    try {
      await mkdir(dirname(this.cacheFile), { recursive: true, mode: 0o700 });
      await writeFileAtomically(
        this.cacheFile,
        JSON.stringify({ format: 'audit-archive/manifest-cache@1', archive: this.store.url, entries }),
      );
      this.dirty = false;
    } catch (e) {
      this.onWarning(
        `The manifest cache ${this.cacheFile} cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}); the next status reads the manifests again.`,
      );
    }
  }
}

/** Same key, version, size and time: the same bytes (S3 versions never change; a rewritten file changes size or time). */
function cacheKeyOf(v: ObjectVersionEntry): string {
  return `${v.key}\n${v.versionId ?? ''}\n${v.size}\n${v.lastModified}`;
}
