/**
 * ArchiveStore: one interface, one real implementation per backend (S3 Object Lock, local folder,
 * Azure immutable blob). The exporter, status and verifier depend only on this.
 *
 * Keys are full keys (the prefix already applied, see shared/archive-layout.ts); a store never
 * invents or rewrites keys.
 */
import type { LockMode } from '../../../shared/manifest';
import type { LeaseMechanism } from './writer-lease';

export interface ObjectLock {
  readonly mode: LockMode;
  /** ISO-8601 instant. */
  readonly retainUntil: string;
}

export interface RetentionPolicy {
  readonly lockMode: LockMode;
  readonly retentionDays: number;
}

export interface PutObjectInput {
  readonly key: string;
  /** A bounded part (the exporter splits a day into parts of at most `maxPartBytes`). */
  readonly body: Uint8Array;
  /** Lowercase hex SHA-256 of `body`, computed by the caller while streaming. */
  readonly sha256: string;
  readonly contentType: string;
  /** The lock to apply; ignored (and reported as null) by stores without one. */
  readonly lock: ObjectLock;
}

export interface PutObjectResult {
  readonly key: string;
  /** Version id the store returned; null when the store has no versions (local folder). */
  readonly versionId: string | null;
  readonly size: number;
}

export interface ObjectInfo {
  readonly key: string;
  readonly versionId: string | null;
  readonly size: number;
  /** The lock in force as the store reports it now; null when none. */
  readonly lock: ObjectLock | null;
  readonly legalHold: boolean;
}

/** One entry of a version listing. Delete markers are listed: they are evidence of tampering. */
export interface ObjectVersionEntry {
  readonly key: string;
  readonly versionId: string | null;
  readonly isDeleteMarker: boolean;
  readonly isLatest: boolean;
  readonly size: number;
  readonly lastModified: string;
  /**
   * Set when the entry is no object the store would ever read (a local folder: a named pipe, a
   * socket, a device, a symbolic link, a dot file): what it is, in words. It is listed so verify
   * names it, and never opened.
   */
  readonly unreadable?: string;
}

export interface StoreReadiness {
  /** True when the store enforces WORM (S3 Object Lock, locked Azure policy). */
  readonly worm: boolean;
  /** Default retention found on the bucket/container, if any. */
  readonly defaultRetention: { mode: LockMode; days: number } | null;
  /** Things the user must know (e.g. GOVERNANCE mode, a local folder is not WORM). */
  readonly warnings: readonly string[];
}

export interface ArchiveStore {
  readonly kind: 's3' | 'local' | 'azure';
  /** `s3://bucket/prefix`, `file:///…`: for messages and manifests. */
  readonly url: string;
  /** The prefix under which the layout lives (may be ''). */
  readonly prefix: string;

  /**
   * Checks the store can hold the archive under this policy. Throws ARCHIVE_NOT_WORM or
   * ARCHIVE_RETENTION_TOO_SHORT (S3/Azure), ARCHIVE_UNREACHABLE when it cannot be reached.
   */
  checkReady(policy: RetentionPolicy): Promise<StoreReadiness>;

  /**
   * Writes a new object, never replacing one: throws ARCHIVE_OBJECT_EXISTS if any version of the key
   * exists. Carries the lock, Content-MD5 and a SHA-256 checksum where the backend takes them.
   */
  putObject(input: PutObjectInput): Promise<PutObjectResult>;

  /** Reads back one version's metadata and lock; null when it does not exist (or is a delete marker). */
  headObject(key: string, versionId: string | null): Promise<ObjectInfo | null>;

  /** Streams one version's stored bytes. Throws NOT_FOUND when it is gone. */
  getObject(key: string, versionId: string | null): AsyncIterable<Uint8Array>;

  /** Every version and delete marker under a prefix, in as few requests as the backend allows. */
  listVersions(prefix: string): AsyncIterable<ObjectVersionEntry>;

  /**
   * Extends one version's retention to `lock` (S3 PutObjectRetention; never shortens, which S3
   * refuses anyway). A no-op for stores without locks.
   */
  extendRetention(key: string, versionId: string | null, lock: ObjectLock): Promise<void>;

  /**
   * Turns one version's legal hold ON or OFF (S3 PutObjectLegalHold). Absent on stores that cannot
   * enforce a hold (a local folder). Throws ARCHIVE_HOLD_DENIED when the credentials may not.
   */
  setLegalHold?(key: string, versionId: string | null, on: boolean): Promise<void>;

  /** The store's primitive for the single-writer lease (see writer-lease.ts). */
  writerLease(): LeaseMechanism;

  /** Requests made so far (for benchmarks and the "status in at most N requests" promise). */
  readonly requestCount: number;
}
