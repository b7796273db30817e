/**
 * What the copy must hold: every object the primary's manifests vouch for (the root, each chain
 * manifest and each data part it records), with the SHA-256 the archive recorded and the primary's
 * retain-until, and how one is copied: from the primary's bytes at their version, hashed and
 * compared with the record first (never from Genesys, never bytes that do not match), then written
 * to the copy with the primary's lock and read back.
 */
import type { Day } from '../../../../shared/day';
import { AuditArchiveError } from '../../../../shared/errors';
import type { ArchiveWriter } from '../archive';
import { readArchivedDocument } from '../archived-object';
import type { ArchiveStore, ObjectLock } from '../archive-store';
import type { Assessment, ChainManifest } from '../assessment';
import { sha256Hex } from '../signing';
import { confirmLock } from '../stores/confirm-lock';
import type { CopyTarget } from './copy-target';

export interface VouchedObject {
  readonly day: Day | null;
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  /** The lock the manifest recorded; null: read from the primary (manifests, the root). */
  readonly lock: ObjectLock | null;
}

/** The root, and each chain manifest of a day in range with the parts it records. */
export function vouchedObjects(assessment: Assessment, inRange: (day: Day) => boolean): VouchedObject[] {
  const out: VouchedObject[] = [];
  const root = assessment.root;
  if (root.status === 'ok')
    out.push({ day: null, key: root.key, versionId: root.versionId, sha256: root.sha256, lock: null });
  for (const c of assessment.chain) if (inRange(c.manifest.day)) out.push(...manifestObjects(c));
  return out;
}

/**
 * The root a writer's days rest on: the archive's root as read when the lease was taken, or the
 * root this writer created (a new archive's, written by its first write), so the export that
 * creates an archive copies its root as it copies every other object.
 */
export function writerRootObject(writer: ArchiveWriter): VouchedObject[] {
  const existing = vouchedObjects(writer.assessment, () => false);
  if (existing.length > 0) return existing;
  const created = writer.createdRoot;
  return created ? [{ day: null, ...created, lock: null }] : [];
}

/** One chain manifest's data parts (with the lock it recorded), then the manifest itself. */
export function manifestObjects(c: ChainManifest): VouchedObject[] {
  const day = c.manifest.day;
  return [
    ...c.manifest.objects.map((o) => ({
      day,
      key: o.key,
      versionId: o.versionId,
      sha256: o.sha256,
      lock: o.lockMode && o.retainUntil ? { mode: o.lockMode, retainUntil: o.retainUntil } : null,
    })),
    { day, key: c.key, versionId: c.versionId, sha256: c.sha256, lock: null },
  ];
}

/** The primary's lock of one object: the recorded retain-until, else the one it reads back with. */
export async function primaryLock(primary: ArchiveStore, o: VouchedObject): Promise<ObjectLock | null> {
  if (o.lock) return o.lock;
  return (await primary.headObject(o.key, o.versionId))?.lock ?? null;
}

/** Reads one object from the primary at its version and checks it against the record. Throws ARCHIVE_INTEGRITY otherwise. */
async function verifiedBytes(primary: ArchiveStore, o: VouchedObject): Promise<Buffer> {
  const read = await readArchivedDocument(primary, o, Number.MAX_SAFE_INTEGER);
  if (!read.ok)
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `${o.key} is not in ${primary.url} at its recorded version: it is not copied (run verify).`,
    );
  const bytes = read.bytes;
  const sha256 = sha256Hex(bytes);
  if (sha256 !== o.sha256) {
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `${o.key} in ${primary.url} has SHA-256 ${sha256}, not the ${o.sha256} recorded: it is not copied (run verify --full).`,
    );
  }
  return bytes;
}

/** Copies one vouched object from the primary's verified bytes to the copy, locked as long as the primary's, read back. */
export async function copyObject(primary: ArchiveStore, copy: CopyTarget, o: VouchedObject): Promise<void> {
  const bytes = await verifiedBytes(primary, o);
  const lock = await primaryLock(primary, o);
  if (!lock) return; // the primary shows no lock: verify names it; nothing weaker is copied
  const put = await copy.store.putObject({
    key: copy.copyKey(o.key),
    body: bytes,
    sha256: o.sha256,
    contentType: o.key.endsWith('.gz') ? 'application/gzip' : 'application/json',
    lock,
  });
  await confirmLock(copy.store, put, { size: bytes.length, lock });
}
