/**
 * Archive: one archive (a store under a prefix), the one home of its root object, its chain and
 * its single-writer lease. Export, catch-up, verify and status all go through it, from the app, the
 * schedule and the CLI alike.
 *
 * - `read()` judges the archive as it is now: one listing, the root, every manifest (from the local
 *   cache where known) and the assessment (assessment.ts), plus what this installation recorded.
 * - `withWriter()` is the only way to write. It first decides, from a read of the archive and
 *   without the lease, every refusal it can (the wrong kind of archive, another organisation's, a
 *   head that went backwards since this installation last saw it, a key it does not hold, and the
 *   caller's own `before`), so a refused command leaves the target exactly as it found it: no root,
 *   no lease object. Then it takes the writer lease (waiting for, or refusing beside, another
 *   writer with a message naming it), reads the archive fresh, decides the same again, and hands
 *   out an ArchiveWriter whose appends are serialised, lease-checked, signed, read back and
 *   recorded. A new archive's root object is written by the writer's first write, never before: a
 *   run that writes nothing leaves no root behind.
 */
import { randomUUID } from 'node:crypto';
import { dayDataFolder, dayManifestFolder, manifestKey, parseKey, rootKey } from '../../../shared/archive-layout';
import {
  ROOT_FORMAT,
  formatFingerprint,
  type ArchiveOrganisation,
  type ArchivePurpose,
  type ArchiveRoot,
} from '../../../shared/archive-root';
import type { Day } from '../../../shared/day';
import { AuditArchiveError } from '../../../shared/errors';
import {
  ArchiveManifestSchema,
  type ArchiveManifest,
  type LockMode,
  type ManifestLink,
  type UnsignedManifest,
} from '../../../shared/manifest';
import type { CheckpointUse } from '../../../shared/checkpoint';
import { describeIssues } from '../../../shared/describe-issues';
import type { VerifyProblem } from '../../../shared/verify';
import { readArchiveListing, originalVersion, type ArchiveListing } from './archive-listing';
import type { ArchiveStore, ObjectLock } from './archive-store';
import type { CacheSealKey } from './cache-seal';
import {
  assessArchive,
  assessKeys,
  checkRootBytes,
  type Assessment,
  type ChainHead,
  type ChainManifest,
  type RootState,
} from './assessment';
import { readHeadRecord, writeHeadRecord, type HeadRecord } from './head-record';
import { keyContinuityProblems, keyForSequence, readKeySuccessions, type KeyHistory } from './key-succession';
import { readAllCheckpoints, readNewestCheckpoints } from './checkpoint-reader';
import { seedsOf, type CheckpointSeeds } from './checkpoint-seeds';
import { ManifestCatalog } from './manifest-catalog';
import { readReportRecords } from './report-records';
import {
  canonicalJsonBytes,
  generateSigningKey,
  sha256Hex,
  signDocument,
  signManifest,
  type DocumentSignature,
  type SigningKey,
} from './signing';
import type { SigningKeyStore } from './signing-keys';
import { confirmLock } from './stores/confirm-lock';
import { acquireWriterLease, type LeaseHolder, type WriterLease } from './writer-lease';
import { readArchivedDocument } from './archived-object';

const MS_PER_DAY = 86_400_000;
const MAX_ROOT_BYTES = 64 * 1024;
/** The root's lock is extended when less than this is left beyond what new objects get. */
const ROOT_EXTEND_MARGIN_MS = 30 * MS_PER_DAY;
/** Below this many manifests to read, reading checkpoints first saves nothing worth the requests. */
const CHECKPOINTS_WORTH_READING = 64;

export interface ArchiveOptions {
  readonly store: ArchiveStore;
  /** The installation's state folder: manifest cache and head record (null: a reader that keeps nothing). */
  readonly stateDir: string | null;
  readonly keys: SigningKeyStore;
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
  readonly lease: { readonly ttlMs: number; readonly waitMs: number; readonly program: string };
  readonly toolVersion: string;
  readonly now?: () => number;
  /** Bookkeeping that failed (cache, head record): said, never fatal. */
  readonly onWarning?: (message: string) => void;
  /** Where the secret that seals the manifest cache is kept (absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
  /** A read with `checkpoints` reads them only when at least this many manifests are unknown here (default 64). */
  readonly checkpointsWorthReading?: number;
}

/** How `read` reads the archive. */
export interface ReadOptions {
  /** `layout`: the root and the layout folders (the calendar, a writer); `whole`: everything under the prefix (verify). */
  readonly scope: 'layout' | 'whole';
  /** Every manifest from the store, none from the cache (verify). */
  readonly fresh?: boolean;
  readonly signal?: AbortSignal;
  /**
   * A new installation's calendar: manifests this installation has not checked yet may be taken from
   * the archive's signed monthly checkpoints, each checked as if read (checkpoints.ts).
   */
  readonly checkpoints?: boolean;
  /**
   * A reader's, never a writer's: data parts are listed and judged only for the months of these
   * days (archive-listing.ts).
   */
  readonly dataDays?: { from: Day; to: Day } | null;
}

export type { CheckpointUse } from '../../../shared/checkpoint';

export interface ArchiveSnapshot {
  readonly listing: ArchiveListing;
  readonly assessment: Assessment;
  /** What this installation recorded before this read (null: nothing yet). */
  readonly headRecord: HeadRecord | null;
  /** Requests the listing and the reads took, and manifests read from the store (not the cache). */
  readonly requests: number;
  readonly manifestReads: number;
  /** What was taken from monthly checkpoints (null: none were read). */
  readonly checkpoints: CheckpointUse | null;
}

export interface WriterRequest {
  readonly purpose: ArchivePurpose;
  /** The organisation whose events this writer archives (a new archive records it in its root). */
  readonly organisation: ArchiveOrganisation;
  readonly signal?: AbortSignal;
  /** Called while another writer holds the archive. */
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
  /**
   * The caller's own refusals (a day already archived), decided from the archive before the lease
   * is taken, so nothing is written; the caller's work decides them again under the lease.
   */
  readonly before?: (assessment: Assessment) => void;
}

/** An existing archive's root and the key that signs it. */
interface OpenedRoot {
  readonly root: ArchiveRoot;
  readonly key: SigningKey;
  /** The root object this writer wrote (a new archive's), its lock read back; absent for an existing archive. */
  readonly created?: CreatedRoot;
}

/** A new archive's root object as its writer wrote it. */
export interface CreatedRoot {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
}

export class Archive {
  readonly store: ArchiveStore;
  private readonly catalog: ManifestCatalog;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;

  constructor(readonly options: ArchiveOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.warn = options.onWarning ?? (() => undefined);
    this.catalog = new ManifestCatalog(
      options.store,
      options.stateDir === null ? null : ManifestCatalog.cacheFileFor(options.stateDir, options.store.url),
      this.warn,
      options.cacheSealKey ?? null,
    );
  }

  /**
   * An Archive only to read (discovery, reports): it never writes, so it needs no key or lease.
   * `stateDir` keeps its manifest cache (null: none), sealed with `cacheSealKey`.
   */
  static forReading(
    store: ArchiveStore,
    stateDir: string | null,
    options: { onWarning?: (message: string) => void; cacheSealKey?: CacheSealKey | null } = {},
  ): Archive {
    return new Archive({
      store,
      stateDir,
      keys: {
        description: 'none (a reader)',
        get: async () => null,
        save: async () => {
          throw new AuditArchiveError('INTERNAL', 'A reader does not keep keys.');
        },
      },
      policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
      lease: { ttlMs: 1, waitMs: 0, program: 'a reader' },
      toolVersion: 'reader',
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      cacheSealKey: options.cacheSealKey ?? null,
    });
  }

  /** The archive as it is now (see ReadOptions). */
  async read(options: ReadOptions): Promise<ArchiveSnapshot> {
    const before = this.store.requestCount;
    const headRecord =
      this.options.stateDir === null ? null : await readHeadRecord(this.options.stateDir, this.store.url, this.warn);
    const listing = await readArchiveListing(this.store, options.scope, options.dataDays ?? null);
    options.signal?.throwIfAborted();
    const root = await this.readRoot(listing);
    // The key history first: it says which key each manifest must be signed with.
    const successions = await readKeySuccessions(this.store, listing, options.signal);
    const history = assessKeys(listing, root, successions, () => undefined);
    const seeded = options.checkpoints && !options.fresh ? await this.checkpointSeeds(listing, root, history) : null;
    const reads = await this.catalog.readAll(listing, (sequence) => keyForSequence(history, sequence), {
      ...(options.signal ? { signal: options.signal } : {}),
      fresh: options.fresh ?? false,
      ...(seeded ? { seeds: seeded.seeds } : {}),
    });
    // Report copies and checkpoints are listed only with the whole archive (verify); their records are read fresh.
    const reportReads =
      listing.reports.size > 0
        ? await readReportRecords(this.store, listing, root.status === 'ok' ? root.signingKey : null, options.signal)
        : undefined;
    const checkpointReads = await readAllCheckpoints(this.store, listing, options.signal);
    const assessment = assessArchive(
      this.store.prefix,
      listing,
      root,
      reads,
      reportReads,
      successions,
      checkpointReads,
    );
    return {
      listing,
      assessment,
      headRecord,
      requests: this.store.requestCount - before,
      manifestReads: this.catalog.lastReads,
      checkpoints: seeded ? { ...seeded.use, manifests: this.catalog.lastSeeded } : null,
    };
  }

  /**
   * The newest checkpoint of each month that counts, when enough manifests are unknown to this
   * installation for them to be worth reading (a new installation); null otherwise.
   */
  private async checkpointSeeds(
    listing: ArchiveListing,
    root: RootState,
    history: KeyHistory,
  ): Promise<{ seeds: CheckpointSeeds; use: Omit<CheckpointUse, 'manifests'> } | null> {
    const worth = this.options.checkpointsWorthReading ?? CHECKPOINTS_WORTH_READING;
    if (root.status !== 'ok' || (await this.catalog.unknownCount(listing)) < worth) return null;
    const newest = await readNewestCheckpoints(this.store, root.root.archiveId, history);
    const written = newest.checkpoints.map((c) => c.createdAt).sort();
    return {
      seeds: seedsOf(this.store.prefix, newest.checkpoints),
      use: { months: newest.checkpoints.length, newestWritten: written.at(-1) ?? null, refused: newest.refused },
    };
  }

  private async readRoot(listing: ArchiveListing): Promise<RootState> {
    if (!listing.root) return { status: 'absent' };
    const version = originalVersion(listing.root);
    if (!version)
      return {
        status: 'invalid',
        key: listing.root.key,
        detail: `The root object ${listing.root.key} is hidden by a delete marker.`,
      };
    const read = await readArchivedDocument(
      this.store,
      { key: listing.root.key, versionId: version.versionId },
      MAX_ROOT_BYTES,
    );
    if (!read.ok)
      return {
        status: 'invalid',
        key: listing.root.key,
        detail:
          read.reason === 'too-large'
            ? `The root object ${listing.root.key} is larger than a root object can be.`
            : `The root object ${listing.root.key} is listed but cannot be read.`,
      };
    return checkRootBytes(listing.root.key, version.versionId, read.bytes);
  }

  /**
   * Findings only this installation can make: the archive vanished, its root changed, or its head
   * went backwards since this installation last wrote or verified it. `expectKey` is a fingerprint
   * the officer recorded (verify --expect-key): it must vouch for the archive's current signing key,
   * as must the key this installation last saw in effect (key-succession.ts).
   */
  installationProblems(snapshot: ArchiveSnapshot, expectKey?: string): VerifyProblem[] {
    const problems: VerifyProblem[] = [];
    const { assessment, headRecord } = snapshot;
    const root = assessment.root;
    if (root.status === 'ok') {
      // The key this installation last saw in effect (records older than key successions name only the root's).
      const sameArchive =
        headRecord?.archiveId === root.root.archiveId && headRecord.keyFingerprint === root.root.signingKey.fingerprint;
      const recordedKey = sameArchive ? (headRecord.currentKey ?? headRecord.keyFingerprint) : undefined;
      const rootKey = { key: root.key, fingerprint: root.root.signingKey.fingerprint };
      problems.push(...keyContinuityProblems(assessment.keys, rootKey, { expectKey, recordedKey }));
    }
    if (!headRecord) return problems;
    if (root.status !== 'ok') {
      if (root.status === 'absent') {
        problems.push({
          day: null,
          kind: 'archive-missing',
          detail: `This installation last saw archive ${headRecord.archiveId} here${headRecord.head ? ` at sequence ${headRecord.head.sequence}` : ''} (${headRecord.at}); the target now holds no archive. Is the folder or bucket mounted and the prefix right? If the archive was removed, that is the finding.`,
        });
      }
      return problems;
    }
    if (
      root.root.archiveId !== headRecord.archiveId ||
      root.root.signingKey.fingerprint !== headRecord.keyFingerprint
    ) {
      problems.push({
        day: null,
        kind: 'root-changed',
        key: root.key,
        detail: `This installation recorded archive ${headRecord.archiveId} with key ${formatFingerprint(headRecord.keyFingerprint)} here; the root now names archive ${root.root.archiveId} with key ${formatFingerprint(root.root.signingKey.fingerprint)}.`,
      });
      return problems;
    }
    const recorded = headRecord.head;
    if (!recorded) return problems;
    const recordedKey = this.store.prefix ? `${this.store.prefix}/${recorded.key}` : recorded.key;
    const onChain = assessment.chain.find((c) => this.relativeKey(c.key) === recorded.key);
    const head = assessment.head;
    if (!head || head.sequence < recorded.sequence) {
      problems.push({
        day: dayOfManifest(onChain),
        kind: 'head-rewound',
        key: recordedKey,
        detail: `The chain's head is ${head ? `${head.key} (sequence ${head.sequence})` : 'gone'}, but this installation recorded ${recordedKey} (sequence ${recorded.sequence}) on ${headRecord.at}: the newest manifests were removed.`,
      });
    } else if (!onChain || onChain.sha256 !== recorded.sha256) {
      problems.push({
        day: dayOfManifest(onChain),
        kind: 'head-rewound',
        key: recordedKey,
        detail: `This installation recorded ${recordedKey} with SHA-256 ${recorded.sha256} on ${headRecord.at}; the chain ${onChain ? `holds it with SHA-256 ${onChain.sha256}` : 'no longer reaches it'}.`,
      });
    }
    return problems;
  }

  /**
   * Remembers the head this installation now vouches for (after a clean verify, or a write), and the
   * signing key in effect then.
   */
  async recordHead(root: ArchiveRoot, head: ChainHead | null, currentKey: string): Promise<void> {
    if (this.options.stateDir === null) return;
    // Keys are kept relative to the archive's prefix: one archive reached as a folder with a prefix,
    // or as that subfolder, is one archive.
    await writeHeadRecord(
      this.options.stateDir as string,
      {
        archiveUrl: this.store.url,
        archiveId: root.archiveId,
        keyFingerprint: root.signingKey.fingerprint,
        currentKey,
        head: head ? { ...head, key: this.relativeKey(head.key) } : null,
        at: new Date(this.now()).toISOString(),
      },
      this.warn,
    );
  }

  private relativeKey(key: string): string {
    const p = this.store.prefix;
    return p && key.startsWith(p + '/') ? key.slice(p.length + 1) : key;
  }

  /** Runs `fn` as the archive's only writer (see the module comment). */
  async withWriter<T>(request: WriterRequest, fn: (writer: ArchiveWriter) => Promise<T>): Promise<T> {
    const signal = request.signal ? { signal: request.signal } : {};
    await this.admit(await this.read({ scope: 'layout', ...signal }), request);
    // admit() refuses, before and under the lease, what this installation saw otherwise.
    return this.underLease({ ...request, scope: 'layout', refuseChanged: false }, async (lease, snapshot) => {
      const opened = await this.admit(snapshot, request);
      this.warnUnrecordedHead(snapshot);
      // The root is touched by the first write only: created for a new archive, its lock extended otherwise.
      const openRoot = opened
        ? async () => {
            await this.extendRootLock(snapshot);
            return opened;
          }
        : () => this.createRoot(request);
      return fn(new ArchiveWriter(this, lease, snapshot, openRoot));
    });
  }

  /**
   * Takes the writer lease, reads the archive fresh and (with `refuseChanged`) refuses one whose
   * head, root or key this installation saw otherwise; then runs `fn`. Every write goes through here.
   */
  async underLease<T>(
    request: Pick<WriterRequest, 'signal' | 'onWait'> & {
      scope: 'layout' | 'whole';
      refuseChanged: boolean;
      /** How long to wait for another writer (default: the lease setting's). */
      waitMs?: number;
    },
    fn: (lease: WriterLease, snapshot: ArchiveSnapshot) => Promise<T>,
  ): Promise<T> {
    const lease = await acquireWriterLease(this.store.writerLease(), {
      program: this.options.lease.program,
      ttlMs: this.options.lease.ttlMs,
      waitMs: request.waitMs ?? this.options.lease.waitMs,
      archiveUrl: this.store.url,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onWait ? { onWait: request.onWait } : {}),
    });
    try {
      const snapshot = await this.read({
        scope: request.scope,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const refusal = request.refuseChanged ? this.installationProblems(snapshot)[0] : undefined;
      if (refusal)
        throw new AuditArchiveError(
          'ARCHIVE_INTEGRITY',
          `${refusal.detail} Nothing was written: run verify and resolve this first.`,
        );
      return await fn(lease, snapshot);
    } finally {
      await lease.release();
    }
  }

  /** A writer continuing a chain this installation has no record of says so: its head is trusted on first use. */
  private warnUnrecordedHead(snapshot: ArchiveSnapshot): void {
    const head = snapshot.assessment.head;
    if (snapshot.headRecord || !head || this.options.stateDir === null) return;
    this.warn(
      `This installation has no record of ${this.store.url}'s head (a new installation, or its state folder was reset): it continues the chain from ${head.key} (sequence ${head.sequence}), trusted on first use. If newest manifests were removed before now, this run cannot tell; verify --expect-head with a head you recorded can.`,
    );
  }

  /**
   * Every refusal a writer meets, from one read of the archive: the archive's root and key (null
   * for a new archive), or the reason it may not be written. Writes nothing.
   */
  private async admit(snapshot: ArchiveSnapshot, request: WriterRequest): Promise<OpenedRoot | null> {
    // A demo archive is not evidence: one the user removed may simply be started again.
    const refusal = request.purpose === 'demo' ? undefined : this.installationProblems(snapshot)[0];
    if (refusal)
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `${refusal.detail} Nothing was written: run verify and resolve this first.`,
      );
    const opened = await this.openRoot(snapshot, request);
    request.before?.(snapshot.assessment);
    return opened;
  }

  /** The root in effect (null: a new archive, its root written by the first write); refuses the wrong kind of archive. */
  private async openRoot(snapshot: ArchiveSnapshot, request: WriterRequest): Promise<OpenedRoot | null> {
    const { assessment } = snapshot;
    const url = this.store.url;
    if (request.purpose === 'demo' && this.store.kind !== 'local' && this.options.policy.lockMode === 'COMPLIANCE') {
      throw new AuditArchiveError(
        'ARCHIVE_SOURCE_MISMATCH',
        `The demo organisation's simulated events never go into COMPLIANCE-locked storage (${url}): they would be locked there for years. Connect your organisation (a client id), or use GOVERNANCE mode for a trial bucket. Nothing was written.`,
      );
    }
    const state = assessment.root;
    if (state.status === 'invalid')
      throw new AuditArchiveError('ARCHIVE_INTEGRITY', `${state.detail} Nothing was written: run verify.`);
    if (state.status === 'absent') {
      if (assessment.hasContent) {
        throw new AuditArchiveError(
          'ARCHIVE_INTEGRITY',
          `${url} holds manifests or data but no root object (archive.json), so its signing key is unknown. Nothing was written: run verify, and restore the root object or use a new prefix.`,
        );
      }
      await this.options.keys.given?.(); // a key given but missing or unreadable is refused now, not at the first write
      return null;
    }
    const root = state.root;
    if (root.purpose !== request.purpose) {
      throw new AuditArchiveError(
        'ARCHIVE_SOURCE_MISMATCH',
        root.purpose === 'demo'
          ? `${url} is a demo archive (it holds the simulated demo organisation's events); a real organisation's events never go into it. Choose another archive target. Nothing was written.`
          : `${url} is a real organisation's archive; the demo organisation's simulated events never go into it. Turn demo mode off (connect your organisation) or choose the demo archive. Nothing was written.`,
      );
    }
    const org = root.organisation;
    const sameOrg =
      org.id !== null && request.organisation.id !== null
        ? org.id === request.organisation.id
        : org.apiHost === request.organisation.apiHost;
    if (!sameOrg) {
      throw new AuditArchiveError(
        'ARCHIVE_SOURCE_MISMATCH',
        `${url} holds the events of organisation ${org.id ?? org.apiHost}${org.name ? ` (${org.name})` : ''}, but the configured Genesys client belongs to ${request.organisation.id ?? request.organisation.apiHost}${request.organisation.name ? ` (${request.organisation.name})` : ''}. One archive holds one organisation: check the client id and region, or choose that organisation's archive. Nothing was written.`,
      );
    }
    const current = assessment.keys.current?.fingerprint ?? root.signingKey.fingerprint;
    const key = await this.options.keys.get(current, root.purpose);
    if (!key) {
      throw new AuditArchiveError(
        'ARCHIVE_KEY_MISSING',
        `${url} is signed with key ${formatFingerprint(current)}, which this installation does not hold (looked in ${this.options.keys.description}). Export it on the machine that created the archive (audit-archive key export) and import it here (audit-archive key import); never create a second key for one archive. Nothing was written.`,
      );
    }
    return { root, key };
  }

  private async createRoot(request: WriterRequest): Promise<OpenedRoot> {
    // A key given to this installation (kept by whoever gave it) signs a new archive; otherwise a new
    // one is made and kept before the root names it: a crash in between leaves a spare key, never a
    // root whose key is lost.
    const given = (await this.options.keys.given?.()) ?? null;
    const key = given ?? generateSigningKey();
    if (!given) await this.options.keys.save(key, request.purpose);
    const now = this.now();
    const root: ArchiveRoot = {
      format: ROOT_FORMAT,
      archiveId: randomUUID(),
      createdAt: new Date(now).toISOString(),
      purpose: request.purpose,
      organisation: request.organisation,
      signingKey: { algorithm: 'Ed25519', publicKey: key.publicKeyBase64, fingerprint: key.fingerprint },
      policy: { lockMode: this.options.policy.lockMode, retentionDays: this.options.policy.retentionDays },
      tool: { name: 'audit-archive', version: this.options.toolVersion },
    };
    const bytes = canonicalJsonBytes(root);
    const lock = this.lockFor(now);
    const put = await this.store.putObject({
      key: rootKey(this.store.prefix),
      body: bytes,
      sha256: sha256Hex(bytes),
      contentType: 'application/json',
      lock,
    });
    await confirmLock(this.store, put, { size: bytes.length, lock });
    this.warn(
      `Created the archive ${this.store.url} (${root.purpose}) with signing key ${formatFingerprint(key.fingerprint)}. Record this fingerprint: verify --expect-key checks it later.`,
    );
    return {
      root,
      key,
      created: { key: rootKey(this.store.prefix), versionId: put.versionId, sha256: sha256Hex(bytes) },
    };
  }

  /** Keeps the root locked at least as long as anything written now. */
  private async extendRootLock(snapshot: ArchiveSnapshot): Promise<void> {
    if (this.store.kind === 'local' || !snapshot.listing.root) return;
    const version = originalVersion(snapshot.listing.root);
    if (!version) return;
    const info = await this.store.headObject(version.key, version.versionId);
    const wanted = this.lockFor(this.now());
    if (info?.lock && Date.parse(info.lock.retainUntil) < Date.parse(wanted.retainUntil) - ROOT_EXTEND_MARGIN_MS) {
      await this.store.extendRetention(version.key, version.versionId, {
        mode: info.lock.mode,
        retainUntil: wanted.retainUntil,
      });
    }
  }

  /** The lock an object written at `ms` gets. */
  lockFor(ms: number): ObjectLock {
    return {
      mode: this.options.policy.lockMode,
      retainUntil: new Date(ms + this.options.policy.retentionDays * MS_PER_DAY).toISOString(),
    };
  }
}

function dayOfManifest(c: ChainManifest | undefined): Day | null {
  return c?.manifest.day ?? null;
}

interface AppendedManifest {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
}

/** What `ArchiveWriter.append` asks the caller for: everything but the chain fields and the signature. */
export type ManifestDraft = Omit<UnsignedManifest, 'format' | 'archiveId' | 'sequence' | 'previous' | 'policy'>;

/**
 * The writer an Archive hands out under its lease. Appends are serialised (days exported
 * concurrently still form one chain), checked against the lease before anything is written,
 * signed, written with the lock, read back, and recorded as this installation's head.
 */
export class ArchiveWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private head: ChainHead | null;
  /** Manifests appended by this writer, by day. */
  private readonly appended = new Map<Day, ChainManifest[]>();
  private readonly parts = new Map<Day, number>();
  private readonly busy = new Set<Day>();
  /** Manifest keys found taken after the archive was read (junk planted meanwhile). */
  private readonly plantedSince = new Set<string>();

  /** The archive as read when the lease was taken. */
  readonly assessment: Assessment;

  private opening: Promise<OpenedRoot> | null = null;
  private opened: OpenedRoot | null = null;

  constructor(
    readonly archive: Archive,
    private readonly lease: WriterLease,
    private readonly snapshot: ArchiveSnapshot,
    /** Opens the root for the first write: creates a new archive's, or extends an existing one's lock. */
    private readonly openRoot: () => Promise<OpenedRoot>,
  ) {
    this.assessment = snapshot.assessment;
    this.head = snapshot.assessment.head;
  }

  /**
   * Makes sure the root exists before anything else is written (a new archive's root is written
   * here, once): every write calls it first, so a run that writes nothing leaves no root.
   */
  async ensureRoot(): Promise<ArchiveRoot> {
    this.opening ??= this.openRoot().then((o) => (this.opened = o));
    return (await this.opening).root;
  }

  /** The root object this writer created (a new archive's first write), else null (the archive had one). */
  get createdRoot(): CreatedRoot | null {
    return this.opened?.created ?? null;
  }

  /** The archive's root; only once `ensureRoot` has run (every write does). */
  get root(): ArchiveRoot {
    return this.openedRoot().root;
  }

  private get key(): SigningKey {
    return this.openedRoot().key;
  }

  private openedRoot(): OpenedRoot {
    if (!this.opened)
      throw new AuditArchiveError('INTERNAL', 'The archive root is used before the first write opened it.');
    return this.opened;
  }

  get store(): ArchiveStore {
    return this.archive.store;
  }

  /** The day's manifests on the chain, including those this writer appended. */
  dayManifests(day: Day): ChainManifest[] {
    return [...(this.assessment.days.get(day)?.manifests ?? []), ...(this.appended.get(day) ?? [])];
  }

  /**
   * Problems with what a day's chain manifests reference (the manifests themselves and their
   * parts: a second version, a delete marker, a missing object). A reconcile builds on those, so it
   * refuses such a day. Junk beside them (an invalid manifest-shaped key, a stray part) never
   * stops a writer: it is ignored here and reported by verify.
   */
  dayProblems(day: Day): VerifyProblem[] {
    const referenced = new Set<string>();
    for (const c of this.dayManifests(day)) {
      referenced.add(c.key);
      for (const o of c.manifest.objects) referenced.add(o.key);
    }
    return (this.assessment.days.get(day)?.problems ?? []).filter(
      (p) => p.key !== undefined && referenced.has(p.key) && p.kind !== 'orphan',
    );
  }

  /** Data parts of the day that no manifest names, at their original version. */
  dayOrphans(day: Day): Array<{ key: string; versionId: string | null }> {
    const named = new Set(this.dayManifests(day).flatMap((c) => c.manifest.objects.map((o) => o.key)));
    const out: Array<{ key: string; versionId: string | null }> = [];
    for (const k of this.snapshot.listing.data.values()) {
      if (k.day !== day || named.has(k.key)) continue;
      const v = originalVersion(k);
      if (v) out.push({ key: k.key, versionId: v.versionId });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** Claims a day for this process's run of it; throws when it is already being exported here. */
  beginDay(day: Day): () => void {
    if (this.busy.has(day)) {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `${day} is already being exported to ${this.store.url} by this process. Wait for that run to finish; nothing was written.`,
      );
    }
    this.busy.add(day);
    return () => this.busy.delete(day);
  }

  /** The next part number of a day (never a key that exists). */
  nextPart(day: Day): number {
    const n = this.parts.get(day) ?? this.assessment.nextPart(day);
    this.parts.set(day, n + 1);
    return n;
  }

  /**
   * After a part's key was found taken (planted since the archive was read): lists the day's data
   * folder again so `nextPart` continues above every part key there. Bounded by that listing.
   */
  async stepOverTakenParts(day: Day): Promise<void> {
    let above = this.parts.get(day) ?? this.assessment.nextPart(day);
    for await (const v of this.store.listVersions(dayDataFolder(this.store.prefix, day))) {
      const parsed = parseKey(this.store.prefix, v.key);
      if (parsed.kind === 'data' && parsed.day === day) above = Math.max(above, parsed.part + 1);
    }
    this.parts.set(day, above);
  }

  lockFor(ms: number): ObjectLock {
    return this.archive.lockFor(ms);
  }

  /** Signs an archive document other than a manifest (a report copy's record) with the archive's key. */
  sign<T extends object>(unsigned: T): T & { signature: DocumentSignature } {
    return signDocument(unsigned, this.key);
  }

  /**
   * Writes one new object beside the chain (a report copy) with the policy's lock, once the lease is
   * confirmed, and reads it back (size and lock). Serialised with appends; never replaces a key.
   */
  putLocked(input: { key: string; body: Uint8Array; contentType: string }): Promise<{
    versionId: string | null;
    size: number;
    lock: ObjectLock | null;
  }> {
    const run = this.tail.then(async () => {
      await this.lease.confirm();
      await this.ensureRoot();
      const lock = this.lockFor((this.archive.options.now ?? Date.now)());
      const put = await this.store.putObject({ ...input, sha256: sha256Hex(input.body), lock });
      const info = await confirmLock(this.store, put, { size: input.body.length, lock });
      return { versionId: put.versionId, size: put.size, lock: info.lock };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  append(draft: ManifestDraft, lock: ObjectLock): Promise<AppendedManifest> {
    const run = this.tail.then(() => this.appendNow(draft, lock));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendNow(draft: ManifestDraft, lock: ObjectLock): Promise<AppendedManifest> {
    await this.lease.confirm();
    await this.ensureRoot();
    // A key taken by something else (junk planted under the next sequence numbers of that day) is
    // stepped over, never replaced: every such key the listing showed, and those planted since,
    // found by listing the day's folder again when a write finds its key taken. The steps are
    // bounded by what the listings hold, however many keys were planted.
    const taken = (key: string) => this.snapshot.listing.manifests.has(key) || this.plantedSince.has(key);
    let sequence = (this.head?.sequence ?? 0) + 1;
    for (let relisted = 0; ; sequence++) {
      while (taken(manifestKey(this.store.prefix, draft.day, sequence))) sequence++;
      const previous: ManifestLink | null = this.head
        ? { key: this.head.key, sequence: this.head.sequence, sha256: this.head.sha256 }
        : null;
      const unsigned: UnsignedManifest = {
        format: 'audit-archive/manifest@2',
        archiveId: this.root.archiveId,
        sequence,
        previous,
        policy: {
          lockMode: this.archive.options.policy.lockMode,
          retentionDays: this.archive.options.policy.retentionDays,
        },
        ...draft,
      };
      const manifest = signManifest(unsigned, this.key);
      const parsed = ArchiveManifestSchema.safeParse(manifest);
      if (!parsed.success) {
        throw new AuditArchiveError(
          'INTERNAL',
          `The manifest built for ${draft.day} is invalid: ${describeIssues(parsed.error, 'manifest')}. Nothing was written.`,
        );
      }
      const key = manifestKey(this.store.prefix, manifest.day, sequence);
      const bytes = canonicalJsonBytes(manifest);
      const sha256 = sha256Hex(bytes);
      let put;
      try {
        put = await this.store.putObject({ key, body: bytes, sha256, contentType: 'application/json', lock });
      } catch (e) {
        if (!(e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS') || relisted++ >= 3) throw e;
        for await (const v of this.store.listVersions(dayManifestFolder(this.store.prefix, draft.day)))
          this.plantedSince.add(v.key);
        continue;
      }
      await confirmLock(this.store, put, { size: bytes.length, lock });
      this.head = { key, sequence, sha256 };
      const entry: ChainManifest = { key, versionId: put.versionId, sha256, manifest };
      this.appended.set(manifest.day, [...(this.appended.get(manifest.day) ?? []), entry]);
      await this.archive.recordHead(this.root, this.head, this.key.fingerprint);
      return { key, versionId: put.versionId, sha256, manifest };
    }
  }
}
