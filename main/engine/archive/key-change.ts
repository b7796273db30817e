/**
 * Changing an archive's signing key: a rotation (the key in effect signs its successor) or, when that
 * key is lost, a restart (the new key signs the record itself). Both write one key-succession record
 * (shared/key-succession.ts) under the writer lease, locked like a manifest and read back, so no
 * export runs across the change.
 *
 * Order matters, so that no crash can leave the archive naming a key nobody holds:
 * 1. the new key is made and kept in custody (keychain or key file) before anything names it;
 * 2. the record is written with the lock, and read back;
 * 3. this installation records the new key as the one in effect (its head record);
 * 4. a rotation then retires the old private key from custody: it signs nothing any more.
 * A crash before 2 leaves a spare key in custody, never an archive whose key is lost.
 */
import { keySuccessionKey, MAX_KEY_SUCCESSION_INDEX } from '../../../shared/archive-layout';
import { formatFingerprint, type ArchiveRoot } from '../../../shared/archive-root';
import { AuditArchiveError } from '../../../shared/errors';
import {
  KEY_SUCCESSION_FORMAT,
  KeySuccessionSchema,
  type KeySuccession,
  type KeySuccessionKind,
  type UnsignedKeySuccession,
} from '../../../shared/key-succession';
import type { Archive, ArchiveSnapshot } from './archive';
import type { LeaseHolder } from './writer-lease';
import type { KeyHistory } from './key-succession';
import { canonicalJsonBytes, generateSigningKey, sha256Hex, signDocument, type SigningKey } from './signing';
import { confirmLock } from './stores/confirm-lock';

interface KeyChangeRequest {
  /** Why, in the officer's words (kept in the record; at most 500 characters). */
  readonly reason: string;
  readonly toolVersion: string;
  readonly signal?: AbortSignal;
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
}

export interface KeyChangeResult {
  readonly kind: KeySuccessionKind;
  readonly recordKey: string;
  readonly versionId: string | null;
  readonly previousKey: string;
  readonly newKey: string;
  /** The last manifest signed by the previous key (null: none yet). */
  readonly afterSequence: number | null;
  /** Whether the previous private key was removed from this installation's custody (rotation). */
  readonly retired: boolean;
  /** Bookkeeping that failed after the record was locked (said, never fatal). */
  readonly warnings: readonly string[];
}

/** Rotates the archive's signing key: the key in effect (which this installation must hold) signs its successor. */
export function rotateSigningKey(archive: Archive, request: KeyChangeRequest): Promise<KeyChangeResult> {
  return changeKey(archive, request, 'rotation', async (history, root) => {
    const current = history.current?.fingerprint as string;
    const held = await archive.options.keys.get(current, root.purpose);
    if (!held) {
      throw new AuditArchiveError(
        'ARCHIVE_KEY_MISSING',
        `${archive.store.url} is signed with key ${formatFingerprint(current)}, which this installation does not hold (looked in ${archive.options.keys.description}): rotate on the machine that holds it. If that key is lost, \`audit-archive key replace-lost\` restarts the chain under a new key. Nothing was written.`,
      );
    }
    return held;
  });
}

/**
 * Replaces a lost key: `lostKey` must be the key in effect, and this installation must not hold it
 * (a key that is held is not lost: rotate it instead).
 */
export function replaceLostSigningKey(
  archive: Archive,
  request: KeyChangeRequest & { readonly lostKey: string },
): Promise<KeyChangeResult> {
  return changeKey(archive, request, 'restart', async (history, root) => {
    const current = history.current?.fingerprint as string;
    if (request.lostKey !== current) {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `The key in effect for ${archive.store.url} is ${formatFingerprint(current)}, not ${formatFingerprint(request.lostKey)}: confirm the key that is lost by its fingerprint (audit-archive key show). Nothing was written.`,
      );
    }
    if (await archive.options.keys.get(current, root.purpose)) {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `This installation holds the key ${formatFingerprint(current)} (in ${archive.options.keys.description}), so it is not lost: use \`audit-archive key rotate\`, which keeps the archive's chain of keys unbroken. Nothing was written.`,
      );
    }
    return null;
  });
}

/**
 * The common part: under the lease, checks the archive, makes and keeps the new key, writes the
 * record signed by `signer` (null: the new key), records and retires. `authorise` returns the key
 * that signs a rotation, or null for a restart, or throws.
 */
async function changeKey(
  archive: Archive,
  request: KeyChangeRequest,
  kind: KeySuccessionKind,
  authorise: (history: KeyHistory, root: ArchiveRoot) => Promise<SigningKey | null>,
): Promise<KeyChangeResult> {
  checkReason(request.reason);
  return archive.underLease(
    {
      scope: 'whole',
      refuseChanged: true,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onWait ? { onWait: request.onWait } : {}),
    },
    async (lease, snapshot) => {
      const root = changeableRoot(archive, snapshot);
      const history = snapshot.assessment.keys;
      const signer = await authorise(history, root);
      const newKey = generateSigningKey();
      await archive.options.keys.save(newKey, root.purpose);
      const createdAt = new Date((archive.options.now ?? Date.now)()).toISOString();
      const unsigned = unsignedRecord(snapshot, root, { kind, createdAt, newKey, reason: request.reason });
      const record = signDocument(
        { ...unsigned, tool: { name: 'audit-archive', version: request.toolVersion } },
        signer ?? newKey,
      ) as KeySuccession;
      if (!KeySuccessionSchema.safeParse(record).success)
        throw new AuditArchiveError('INTERNAL', 'The key-succession record built is invalid. Nothing was written.');
      const recordKey = keySuccessionKey(archive.store.prefix, history.nextIndex);
      await lease.confirm();
      const put = await writeRecord(archive, recordKey, record);
      const warnings: string[] = [];
      await archive.recordHead(root, snapshot.assessment.head, newKey.fingerprint);
      const retired = signer ? await retireQuietly(archive, signer.fingerprint, warnings) : false;
      return {
        kind,
        recordKey,
        versionId: put.versionId,
        previousKey: record.previousKey.fingerprint,
        newKey: newKey.fingerprint,
        afterSequence: record.lastManifest?.sequence ?? null,
        retired,
        warnings,
      };
    },
  );
}

/** The officer's reason goes into a locked record: one line, bounded. */
function checkReason(reason: string): void {
  if (reason.length > 500 || /\p{Cc}/u.test(reason))
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      'The reason must be one line of at most 500 characters (it is kept in the archive for good). Nothing was written.',
    );
}

/** The root of an archive whose key may change now, or a refusal saying why not. */
function changeableRoot(archive: Archive, snapshot: ArchiveSnapshot): ArchiveRoot {
  const { assessment } = snapshot;
  const root = assessment.root;
  if (root.status === 'absent')
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${archive.store.url} holds no archive yet: its signing key is made by the first export. Nothing was written.`,
    );
  if (root.status === 'invalid')
    throw new AuditArchiveError('ARCHIVE_INTEGRITY', `${root.detail} Nothing was written: run verify.`);
  // An invalid record (junk someone planted) changes no key and is stepped over: it cannot block a
  // rotation, which matters most when a key must be rotated at once.
  if (assessment.keys.nextIndex > MAX_KEY_SUCCESSION_INDEX)
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `Every key-succession record number of ${archive.store.url} is taken (junk was written there): run verify. Nothing was written.`,
    );
  return root.root;
}

function unsignedRecord(
  snapshot: ArchiveSnapshot,
  root: ArchiveRoot,
  change: { kind: KeySuccessionKind; createdAt: string; newKey: SigningKey; reason: string },
): Omit<UnsignedKeySuccession, 'tool'> {
  const { assessment } = snapshot;
  const { kind, createdAt, newKey, reason } = change;
  const previous = assessment.keys.current?.fingerprint as string;
  const head = assessment.head;
  return {
    format: KEY_SUCCESSION_FORMAT,
    archiveId: root.archiveId,
    index: assessment.keys.nextIndex,
    kind,
    createdAt,
    previousKey: { fingerprint: previous },
    newKey: { algorithm: 'Ed25519', publicKey: newKey.publicKeyBase64, fingerprint: newKey.fingerprint },
    lastManifest: head ? { key: head.key, sequence: head.sequence, sha256: head.sha256 } : null,
    reportsSigned: (assessment.reports ?? [])
      .filter((r) => r.record.signature.keyFingerprint === previous)
      .map((r) => r.reportId),
    reason,
  };
}

/** Writes the record with the policy's lock (never over an existing key) and reads the lock back. */
async function writeRecord(
  archive: Archive,
  key: string,
  record: KeySuccession,
): Promise<{ versionId: string | null }> {
  const body = canonicalJsonBytes(record);
  const lock = archive.lockFor(Date.parse(record.createdAt));
  try {
    const put = await archive.store.putObject({
      key,
      body,
      sha256: sha256Hex(body),
      contentType: 'application/json',
      lock,
    });
    await confirmLock(archive.store, put, { size: body.length, lock });
    return put;
  } catch (e) {
    if (e instanceof AuditArchiveError && e.code === 'ARCHIVE_OBJECT_EXISTS')
      throw new AuditArchiveError(
        'ARCHIVE_INTEGRITY',
        `${key} appeared while the key change was being prepared (written by something else): nothing was written over it. Run verify, then try again. The new key stays in custody unused.`,
        { cause: e },
      );
    throw e;
  }
}

async function retireQuietly(archive: Archive, fingerprint: string, warnings: string[]): Promise<boolean> {
  try {
    return (await archive.options.keys.retire?.(fingerprint)) ?? false;
  } catch (e) {
    warnings.push(
      `The old key ${formatFingerprint(fingerprint)} could not be removed from ${archive.options.keys.description} (${(e as Error).message}); it signs nothing any more, but delete it by hand.`,
    );
    return false;
  }
}
