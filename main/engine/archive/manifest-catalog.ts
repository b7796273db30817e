/**
 * Reading manifests: each manifest version is read once per installation, checked (schema, key,
 * canonical form, signature against the key in effect at its sequence: the root's, or a successor's
 * after a key change, see key-succession.ts) and what was learned is kept in a local cache
 * keyed by key, version id, size and modification time, so the calendar over seven years needs the
 * listing and nothing else once warm. A new machine reads them all once, in parallel.
 *
 * The cache sits in the state folder, which someone else may hold, so it is checked at every use,
 * never trusted because it exists: the file carries a seal (HMAC under this installation's cache
 * seal key, cache-seal.ts) over its whole content. A file whose seal matches was written by this
 * installation from manifests it checked. Any other (no kept key, another installation's, or
 * changed since: said in a warning) is only a list of candidates: each cached manifest is checked
 * again as if just read (its key, its signature by the key in effect at its sequence, its SHA-256 recomputed from its
 * canonical bytes), and one that fails, or a cached "invalid", is read from the archive again.
 * Bytes the archive did not vouch for in this run never reach the assessment.
 *
 * A manifest is outside input: a bad one is an `invalid` read naming its key and why, never a
 * thrown error and never a crash; only an unreachable store throws.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import * as z from 'zod';
import { parseKey } from '../../../shared/archive-layout';
import { describeIssues } from '../../../shared/describe-issues';
import { ArchiveManifestSchema, type ArchiveManifest } from '../../../shared/manifest';
import { writeFileAtomically } from '../files/write-file-atomically';
import { originalVersion, type ArchiveListing } from './archive-listing';
import type { ArchiveStore, ObjectVersionEntry } from './archive-store';
import { CacheSeal, type CacheSealKey } from './cache-seal';
import { canonicalJsonBytes, manifestSignatureValid, sha256Hex } from './signing';
import { readArchivedDocument } from './archived-object';
import { TOOL_VERSION } from './tool-version';
import { seedBytesFor, type CheckpointSeeds } from './checkpoint-seeds';
import { readRegularFile } from '../files/regular-file';

/** The largest manifest cache read (seven years of daily manifests: 4.8 MB in the archive bench). */
const MAX_CACHE_FILE_BYTES = 512 * 1024 * 1024;

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
type KeyForSequence = (sequence: number) => RootKey | null;

/** Reads and checks one manifest version's bytes (no cache). */
function checkManifestBytes(
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
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(parsed.data))) {
    return invalid(
      `${key} is not in the canonical form the archive writes (bytes were added or rearranged after it was written).`,
    );
  }
  return checkManifest(prefix, key, versionId, parsed.data, bytes, keyFor);
}

/**
 * Checks a parsed manifest whose canonical bytes are `bytes`: its key names its day and sequence,
 * its signature (against the key in effect at its sequence) and the SHA-256 the next manifest's `previous` names.
 */
function checkManifest(
  prefix: string,
  key: string,
  versionId: string | null,
  manifest: ArchiveManifest,
  bytes: Uint8Array,
  keyFor: KeyForSequence,
): ManifestRead {
  const where = parseKey(prefix, key);
  if (where.kind === 'manifest' && (where.day !== manifest.day || where.sequence !== manifest.sequence)) {
    return {
      ok: false,
      key,
      versionId,
      detail: `${key} says day ${manifest.day} sequence ${manifest.sequence}, but its key says day ${where.day} sequence ${where.sequence}.`,
    };
  }
  const signer = keyFor(manifest.sequence);
  const signed = signer !== null && manifestSignatureValid(manifest, signer.publicKey, signer.fingerprint);
  return { ok: true, key, versionId, sha256: sha256Hex(bytes), manifest, signed };
}

async function readManifestVersion(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
  keyFor: KeyForSequence,
): Promise<ManifestRead> {
  const read = await readArchivedDocument(store, { key, versionId }, MAX_MANIFEST_BYTES);
  if (!read.ok)
    return {
      ok: false,
      key,
      versionId,
      detail:
        read.reason === 'too-large'
          ? `${key} is larger than ${MAX_MANIFEST_BYTES} bytes: not a manifest.`
          : `${key} is listed but cannot be read at its version.`,
    };
  return checkManifestBytes(store.prefix, key, versionId, read.bytes, keyFor);
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

const MANIFEST_CACHE_FORMAT = 'audit-archive/manifest-cache@2';
/** The first line of the cache file; the entries follow it, sealed as they are written. */
const CacheHeaderSchema = z.object({
  format: z.literal(MANIFEST_CACHE_FORMAT),
  archive: z.string(),
  /** Which seal key sealed it (null: none that outlives a process). */
  keyId: z.string().nullable(),
  seal: z.string().nullable(),
  /** The tool version that wrote it: a sealed cache of this version needs no second schema check. */
  tool: z.string().optional(),
});
const CacheBodySchema = z.object({ entries: z.array(z.tuple([z.string(), CachedSchema])) });
const SEAL_PURPOSE = 'manifest-catalogue';

/**
 * What this process last loaded (sealed) or saved, per cache file: manifests it checked itself,
 * kept in its own memory, which no holder of the state folder can change. The next read in this
 * process (the app's next query or calendar refresh) starts from it instead of parsing the file
 * again, while the file is as this process left it (same size, time and inode): a file changed
 * since is read and judged again, so an edit is still said.
 */
const remembered = new Map<
  string,
  { archive: string; keyId: string | null; file: string; entries: ReadonlyMap<string, Cached> }
>();

/**
 * The manifests of a listing (the original version of each manifest-shaped key), from the local
 * cache where it knows them (checked at use, see the module comment), read from the store otherwise.
 */
export class ManifestCatalog {
  private entries = new Map<string, Cached>();
  /** Entries this process read from the store, or found in a cache file its seal vouched for. */
  private trusted = new Set<string>();
  private loaded = false;
  private dirty = false;
  private seal: CacheSeal | null = null;
  /** Manifest versions read from the store (not the cache) by the last `readAll`. */
  lastReads = 0;
  /** Manifests the last `readAll` took from checkpoints (checked, not read; never cached). */
  lastSeeded = 0;

  constructor(
    private readonly store: ArchiveStore,
    /** null: no cache (nothing is kept between runs). */
    private readonly cacheFile: string | null,
    private readonly onWarning: (message: string) => void = () => undefined,
    /** Where the seal's secret is kept (absent: a seal of this process only). */
    private readonly sealKey: CacheSealKey | null = null,
  ) {}

  static cacheFileFor(stateDir: string, archiveUrl: string): string {
    return join(stateDir, `manifests-${createHash('sha256').update(archiveUrl).digest('hex').slice(0, 16)}.json`);
  }

  /** Every manifest-shaped key's original version, read and checked; by key. */
  async readAll(
    listing: ArchiveListing,
    keyFor: KeyForSequence,
    options: { signal?: AbortSignal; fresh?: boolean; seeds?: CheckpointSeeds } = {},
  ): Promise<Map<string, ManifestRead>> {
    await this.load();
    const out = new Map<string, ManifestRead>();
    const todo: Array<{ key: string; version: ObjectVersionEntry; cacheKey: string }> = [];
    this.lastSeeded = 0;
    for (const k of listing.manifests.values()) {
      const version = originalVersion(k);
      if (!version) continue; // only delete markers: the assessment reports it
      const cacheKey = cacheKeyOf(version);
      const cached = options.fresh ? undefined : this.entries.get(cacheKey);
      const read =
        (cached && this.fromCache(k.key, version.versionId, cacheKey, cached, keyFor)) ||
        (options.seeds && this.fromSeed(k.key, version, options.seeds, keyFor));
      if (read) out.set(k.key, read);
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
        this.trusted.add(item.cacheKey);
        this.dirty = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
    await this.save(listing);
    return out;
  }

  /** How many manifest versions of the listing the cache knows nothing of (each would be read from the store). */
  async unknownCount(listing: ArchiveListing): Promise<number> {
    await this.load();
    let n = 0;
    for (const k of listing.manifests.values()) {
      const version = originalVersion(k);
      if (version && !this.entries.has(cacheKeyOf(version))) n++;
    }
    return n;
  }

  /**
   * A manifest a checkpoint carries for this listed version, checked as if just read (its key, its
   * signature by the key in effect at its sequence); null when it must be read from the store. Kept
   * out of the cache: the next read without checkpoints reads it from the archive.
   */
  private fromSeed(
    key: string,
    version: ObjectVersionEntry,
    seeds: CheckpointSeeds,
    keyFor: KeyForSequence,
  ): ManifestRead | null {
    const seed = seeds.get(key);
    const bytes = seed && seedBytesFor(seed, version);
    if (!seed || !bytes) return null;
    const read = checkManifest(this.store.prefix, key, version.versionId, seed.manifest, bytes, keyFor);
    if (!read.ok || !read.signed) return null;
    this.lastSeeded++;
    return read;
  }

  /**
   * The cached read of a manifest, or null when it must be read from the store: a trusted entry as
   * kept; any other only when it checks out again now (signed by the key in effect at its sequence).
   */
  private fromCache(
    key: string,
    versionId: string | null,
    cacheKey: string,
    cached: Cached,
    keyFor: KeyForSequence,
  ): ManifestRead | null {
    if (!this.trusted.has(cacheKey)) {
      const signer = cached.ok ? keyFor(cached.manifest.sequence) : null;
      if (!cached.ok || !signer) return null;
      const read = checkManifest(
        this.store.prefix,
        key,
        versionId,
        cached.manifest,
        canonicalJsonBytes(cached.manifest),
        keyFor,
      );
      if (!read.ok || !read.signed) return null;
      this.entries.set(cacheKey, {
        ok: true,
        sha256: read.sha256,
        manifest: read.manifest,
        signedBy: signer.fingerprint,
      });
      this.trusted.add(cacheKey);
      // Sealed again at the next save, so the next run need not check it again (only with a kept key).
      if (this.seal?.kept) this.dirty = true;
      return read;
    }
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
    if (this.loaded) return;
    this.loaded = true;
    this.seal = await CacheSeal.open(this.sealKey, this.onWarning);
    if (!this.cacheFile || (await this.recall(this.cacheFile))) return;
    let text: string;
    // Taken before the read: a rewrite racing it leaves a different identity, read again next time.
    const identity = await fileIdentity(this.cacheFile);
    try {
      // Only a regular file is read: a named pipe in its place would hold the command until written to.
      const read = await readRegularFile(this.cacheFile, MAX_CACHE_FILE_BYTES);
      if (!read.ok) {
        this.onWarning(
          `The manifest cache ${this.cacheFile} is ${read.what}, not a file; manifests are read from the archive instead.`,
        );
        return;
      }
      text = read.text;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.onWarning(
          `The manifest cache ${this.cacheFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); manifests are read from the archive instead.`,
        );
      return;
    }
    // A damaged or foreign cache is only a slower status: its entries are checked again or re-read.
    const newline = text.indexOf('\n');
    const header = CacheHeaderSchema.safeParse(parseJson(text.slice(0, Math.max(0, newline))));
    if (!header.success || header.data.archive !== this.store.url) return;
    const body = text.slice(newline + 1);
    const ours = this.seal.kept && header.data.keyId === this.seal.keyId;
    const sealed =
      ours && !!header.data.seal && this.seal.matches(header.data.seal, SEAL_PURPOSE, this.store.url, body);
    const entries = sealed && header.data.tool === TOOL_VERSION ? sealedEntries(body) : checkedEntries(body);
    if (!entries) return;
    this.entries = new Map(entries);
    if (sealed) {
      this.trusted = new Set(this.entries.keys());
      this.remember(this.cacheFile, identity);
      // Written again with this version's mark at the next save, so the next run takes the short path.
      if (header.data.tool !== TOOL_VERSION) this.dirty = true;
    } else if (ours) {
      this.onWarning(
        `The manifest cache ${this.cacheFile} was changed after this installation wrote it (its seal does not match): none of it is trusted; each cached manifest is checked again against the archive's key, and any that fails is read from the archive.`,
      );
    }
  }

  /** Starts from what this process last knew of this cache file (same archive, same seal key), if anything. */
  private async recall(cacheFile: string): Promise<boolean> {
    const known = remembered.get(cacheFile);
    if (!known || known.archive !== this.store.url || known.keyId !== this.sealKeyId()) return false;
    if ((await fileIdentity(cacheFile)) !== known.file) return false;
    this.entries = new Map(known.entries);
    this.trusted = new Set(known.entries.keys());
    return true;
  }

  /** Keeps the trusted entries in this process's memory for the next read of the same cache file. */
  private remember(cacheFile: string, file: string): void {
    const entries = new Map([...this.entries].filter(([k]) => this.trusted.has(k)));
    if (file) remembered.set(cacheFile, { archive: this.store.url, keyId: this.sealKeyId(), file, entries });
  }

  private sealKeyId(): string | null {
    return this.seal?.kept ? this.seal.keyId : null;
  }

  /** Keeps what the listing still holds (bounded by the archive), sealed, if anything changed. */
  private async save(listing: ArchiveListing): Promise<void> {
    if (!this.cacheFile || !this.dirty) return;
    const live = new Set<string>();
    for (const k of listing.manifests.values()) {
      const v = originalVersion(k);
      if (v) live.add(cacheKeyOf(v));
    }
    // Only what this process checked is written (and so sealed): an untrusted entry stays out.
    const entries = [...this.entries].filter(([k]) => live.has(k) && this.trusted.has(k));
    this.entries = new Map(entries);
    const seal = this.seal as CacheSeal;
    const body = JSON.stringify({ entries });
    const header = {
      format: MANIFEST_CACHE_FORMAT,
      archive: this.store.url,
      keyId: seal.kept ? seal.keyId : null,
      seal: seal.kept ? seal.mac(SEAL_PURPOSE, this.store.url, body) : null,
      tool: TOOL_VERSION,
    };
    try {
      await mkdir(dirname(this.cacheFile), { recursive: true, mode: 0o700 });
      await writeFileAtomically(this.cacheFile, `${JSON.stringify(header)}\n${body}`);
      this.dirty = false;
      this.remember(this.cacheFile, await fileIdentity(this.cacheFile));
    } catch (e) {
      this.onWarning(
        `The manifest cache ${this.cacheFile} cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}); the next status reads the manifests again.`,
      );
    }
  }
}

/**
 * The entries of a body this installation sealed with this tool version: written only from
 * manifests it checked against the schema (the seal proves the bytes are those it wrote), so the
 * schema is not run over them again; that check is most of a warm status's time on a large archive.
 */
function sealedEntries(body: string): Array<[string, Cached]> | null {
  const json = parseJson(body) as { entries?: unknown } | undefined;
  return Array.isArray(json?.entries) ? (json.entries as Array<[string, Cached]>) : null;
}

/** The entries of any other body (another version's, or not sealed by this installation): schema-checked. */
function checkedEntries(body: string): Array<[string, Cached]> | null {
  const parsed = CacheBodySchema.safeParse(parseJson(body));
  return parsed.success ? parsed.data.entries : null;
}

/** A file's size, modification time and inode ('' when it cannot be read): what changes when it is rewritten. */
async function fileIdentity(file: string): Promise<string> {
  try {
    const st = await stat(file, { bigint: true });
    return `${st.size}:${st.mtimeNs}:${st.ino}`;
  } catch {
    return '';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Same key, version, size and time: the same bytes (S3 versions never change; a rewritten file changes size or time). */
function cacheKeyOf(v: ObjectVersionEntry): string {
  return `${v.key}\n${v.versionId ?? ''}\n${v.size}\n${v.lastModified}`;
}
