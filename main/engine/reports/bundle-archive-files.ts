/**
 * The archive's own files in the bundle, byte for byte as stored, under `archive/<key>` (the
 * archive's layout, prefix included): the root object (its id and public key), the key-succession
 * records that link the root's key to the key in effect (each signed by the key before it, or for a
 * lost key's restart by the new key), every manifest of
 * the period (signed, naming each object's SHA-256), the manifests that link the period's last one
 * to the chain's head at report time, and optionally the cited objects themselves. With them an
 * examiner re-checks, without the app, the signatures (OpenSSL), the chain links and the hashes.
 *
 * Each is read again at its recorded version and must hash to what the report's verification read
 * (a manifest that changed in between is a finding); its lock is read back now (S3), or, for a
 * local folder (not WORM), recorded as not checked.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { Day } from '../../../shared/day';
import { AuditArchiveError } from '../../../shared/errors';
import type { ArchiveFile, LockRead } from '../../../shared/reports/report-evidence';
import type { ArchiveStore } from '../archive/archive-store';
import type { Assessment, ChainManifest } from '../archive/assessment';
import { sha256Hex } from '../archive/signing';

export const ARCHIVE_FOLDER = 'archive';
/** Root objects and manifests are small; anything much bigger is not one of ours. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const LOCK_READS_AT_ONCE = 8;

/** Where an archive key sits in the bundle (`archive/<key>`); a key that could leave the folder is refused. */
export function bundlePathOf(key: string): string {
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\')))
    throw new AuditArchiveError(
      'ARCHIVE_INTEGRITY',
      `The archive key ${key.slice(0, 300)} cannot be a file name in the bundle.`,
    );
  return `${ARCHIVE_FOLDER}/${key}`;
}

/** The lock of one version as the store reports it now (a local folder has none, and none is checked). */
export async function readLock(store: ArchiveStore, key: string, versionId: string | null): Promise<LockRead> {
  if (store.kind === 'local') return { state: 'not-checked' };
  const info = await store.headObject(key, versionId);
  return info?.lock ? { state: 'locked', mode: info.lock.mode, retainUntil: info.lock.retainUntil } : { state: 'none' };
}

/** Runs `fn` over `items`, a few at a time, keeping their order. */
export async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOCK_READS_AT_ONCE, items.length) }, worker));
  return out;
}

async function readBytes(store: ArchiveStore, key: string, versionId: string | null): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of store.getObject(key, versionId)) {
    size += chunk.length;
    if (size > MAX_FILE_BYTES) throw new AuditArchiveError('ARCHIVE_INTEGRITY', `${key} is larger than it can be.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

interface Wanted {
  readonly role: ArchiveFile['role'];
  readonly key: string;
  readonly versionId: string | null;
  /** What the report's verification read. */
  readonly sha256: string;
}

/**
 * The root, the key-succession records from the root's key to the key in effect, the period's
 * manifests, and the chain from the period's last manifest to the head.
 */
export function archiveFilesWanted(assessment: Assessment, days: readonly Day[]): Wanted[] {
  const wanted: Wanted[] = [];
  const root = assessment.root;
  if (root.status === 'ok')
    wanted.push({ role: 'root', key: root.key, versionId: root.versionId, sha256: root.sha256 });
  // The records linking the root's key to the key in effect: manifests signed by an earlier key are checked with it.
  for (const e of assessment.keys.epochs)
    if (e.record)
      wanted.push({ role: 'succession', key: e.record.key, versionId: e.record.versionId, sha256: e.record.sha256 });
  const manifest = (role: Wanted['role'], c: ChainManifest): Wanted => ({
    role,
    key: c.key,
    versionId: c.versionId,
    sha256: c.sha256,
  });
  const inPeriod = days.flatMap((d) => assessment.days.get(d)?.manifests ?? []);
  wanted.push(...inPeriod.map((c) => manifest('manifest', c)));
  const last = Math.max(0, ...inPeriod.map((c) => c.manifest.sequence));
  if (last > 0) for (const c of assessment.chain) if (c.manifest.sequence > last) wanted.push(manifest('chain', c));
  return wanted;
}

/** Writes the wanted files into `folder`; returns what was written and any that changed since verification. */
export async function writeArchiveFiles(
  store: ArchiveStore,
  wanted: readonly Wanted[],
  folder: string,
): Promise<{ files: ArchiveFile[]; findings: string[] }> {
  const findings: string[] = [];
  const files = await mapLimited(wanted, async (w): Promise<ArchiveFile> => {
    const file = bundlePathOf(w.key);
    const bytes = await readBytes(store, w.key, w.versionId);
    const sha256 = sha256Hex(bytes);
    if (sha256 !== w.sha256)
      findings.push(
        `${w.key} read for the bundle has SHA-256 ${sha256}, not the ${w.sha256} the report's verification read: the archive changed while the report was made.`,
      );
    await fs.mkdir(path.join(folder, path.dirname(file)), { recursive: true });
    await fs.writeFile(path.join(folder, file), bytes, { flag: 'wx' });
    const lock = await readLock(store, w.key, w.versionId);
    return { role: w.role, key: w.key, versionId: w.versionId, file, sha256, size: bytes.length, lock };
  });
  return { files, findings: findings.sort() };
}
