/**
 * Monthly checkpoints (shared/checkpoint.ts): what one is, how it is built, and how it is judged.
 * Pure functions; reading them is checkpoint-reader.ts, writing them checkpoint-writer.ts.
 *
 * The rules, so that nothing a checkpoint says is shown unchecked:
 * - A checkpoint counts only with one version (its original is the only one read), valid, in the
 *   canonical form, filed under its own month and head sequence, this archive's, and signed by the
 *   key in effect at its head (the key of the head's sequence, or the next one's: a checkpoint
 *   written just before or after a key change). Anything else under `checkpoints/` is a finding
 *   (`checkpoint-invalid`, or `unexpected-object` for a name outside the layout) and is never used.
 * - It never replaces the archive's listing: the calendar still lists every manifest key and
 *   version. A checkpoint only stands in for reading a manifest whose listed original version it
 *   names (version id, size, and where the store has no versions, its time); the manifest it
 *   carries is checked again exactly as if just read (key, archive, signature by the key in effect
 *   at its sequence). A manifest it does not name, or names otherwise, is read from the archive.
 * - verify reads every checkpoint and compares it with the chain it vouches for: its head must be
 *   on the chain, each manifest it carries must be the chain's at that key, and it must carry every
 *   manifest of its month up to its head.
 */
import { manifestKey, parseKey } from '../../../shared/archive-layout';
import {
  ArchiveCheckpointSchema,
  CHECKPOINT_FORMAT,
  type ArchiveCheckpoint,
  type CheckpointEntry,
  type UnsignedCheckpoint,
} from '../../../shared/checkpoint';
import { formatFingerprint } from '../../../shared/archive-root';
import { addDays, isSettled, type Day } from '../../../shared/day';
import { describeIssues } from '../../../shared/describe-issues';
import type { ArchiveManifest } from '../../../shared/manifest';
import { originalVersion, type ArchiveListing } from './archive-listing';
import { keyForSequence, type KeyHistory } from './key-succession';
import { canonicalJsonBytes, documentSignatureValid, sha256Hex } from './signing';

/** A month's manifests (31 days, a few manifests each) fit far below this. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

export type CheckpointRead =
  | {
      readonly ok: true;
      readonly key: string;
      readonly versionId: string | null;
      readonly sha256: string;
      readonly checkpoint: ArchiveCheckpoint;
    }
  | { readonly ok: false; readonly key: string; readonly versionId: string | null; readonly detail: string };

/** A chain manifest as the checkpoint needs it: the manifest and its key. */
interface ChainEntry {
  readonly key: string;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
}

/** The month (`YYYY-MM`) of a day. */
export function monthOf(day: Day): string {
  return day.slice(0, 7);
}

/** Schema, canonical form, and that its key names its month and head sequence. */
export function checkCheckpointBytes(
  prefix: string,
  key: string,
  versionId: string | null,
  bytes: Uint8Array,
): CheckpointRead {
  const invalid = (detail: string): CheckpointRead => ({ ok: false, key, versionId, detail });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`${key} is not valid JSON.`);
  }
  const parsed = ArchiveCheckpointSchema.safeParse(json);
  if (!parsed.success) return invalid(`${key} is not a checkpoint: ${describeIssues(parsed.error, 'checkpoint')}.`);
  const cp = parsed.data;
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(cp)))
    return invalid(
      `${key} is not in the canonical form the archive writes (bytes were added or rearranged after it was written).`,
    );
  const where = parseKey(prefix, key);
  if (where.kind !== 'checkpoint' || where.month !== cp.month || where.sequence !== cp.asOf.sequence)
    return invalid(`${key} says month ${cp.month} at sequence ${cp.asOf.sequence}, which its key does not.`);
  const stray = cp.manifests.find((e) => monthOf(e.manifest.day) !== cp.month);
  if (stray) return invalid(`${key} is the checkpoint of ${cp.month} but carries a manifest of ${stray.manifest.day}.`);
  return { ok: true, key, versionId, sha256: sha256Hex(bytes), checkpoint: cp };
}

/** Why a well-formed checkpoint does not count for this archive, or null when it does. */
export function checkpointProblem(
  read: Extract<CheckpointRead, { ok: true }>,
  archiveId: string,
  history: KeyHistory,
): string | null {
  const cp = read.checkpoint;
  if (cp.archiveId !== archiveId) return `${read.key} belongs to another archive (${cp.archiveId}), not ${archiveId}.`;
  const signers = [keyForSequence(history, cp.asOf.sequence), keyForSequence(history, cp.asOf.sequence + 1)];
  if (signers.some((k) => k !== null && documentSignatureValid(cp, k.publicKey, k.fingerprint))) return null;
  const inEffect = signers[0] ?? signers[1];
  return `${read.key} is not signed by the archive's key in effect at sequence ${cp.asOf.sequence}${inEffect ? ` (${formatFingerprint(inEffect.fingerprint)})` : ''}: it was not written by this archive's exporter, or it was changed. It is never used.`;
}

/** Months whose every day is settled and that hold manifests on the chain, oldest first. */
export function completeMonths(chain: readonly ChainEntry[], now: number, settlementMinutes: number): string[] {
  const months = new Set<string>();
  for (const c of chain) months.add(monthOf(c.manifest.day));
  return [...months].sort().filter((m) => isSettled(lastDayOfMonth(m), now, settlementMinutes));
}

function lastDayOfMonth(month: string): Day {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

/**
 * The checkpoint of `month` over the chain as read (null when the chain holds nothing of it, or a
 * manifest of it is no longer listed at one original version).
 */
export function buildCheckpoint(input: {
  readonly archiveId: string;
  readonly month: string;
  readonly head: { readonly key: string; readonly sequence: number; readonly sha256: string };
  readonly chain: readonly ChainEntry[];
  readonly listing: ArchiveListing;
  readonly createdAt: string;
  readonly toolVersion: string;
}): UnsignedCheckpoint | null {
  const manifests: CheckpointEntry[] = [];
  for (const c of input.chain) {
    if (monthOf(c.manifest.day) !== input.month) continue;
    const listed = input.listing.manifests.get(c.key);
    const version = listed && originalVersion(listed);
    if (!version) return null;
    manifests.push({
      versionId: version.versionId,
      size: version.size,
      lastModified: version.lastModified,
      manifest: c.manifest,
    });
  }
  if (manifests.length === 0) return null;
  return {
    format: CHECKPOINT_FORMAT,
    archiveId: input.archiveId,
    month: input.month,
    asOf: { key: input.head.key, sequence: input.head.sequence, sha256: input.head.sha256 },
    manifests,
    createdAt: input.createdAt,
    tool: { name: 'audit-archive', version: input.toolVersion },
  };
}

/** Whether a checkpoint already carries exactly these manifests (then a new one would say nothing new). */
export function carriesSame(cp: ArchiveCheckpoint, fresh: UnsignedCheckpoint): boolean {
  if (cp.manifests.length !== fresh.manifests.length) return false;
  return cp.manifests.every((e, i) => {
    const f = fresh.manifests[i] as CheckpointEntry;
    return e.versionId === f.versionId && e.size === f.size && manifestSha(e.manifest) === manifestSha(f.manifest);
  });
}

function manifestSha(m: ArchiveManifest): string {
  return sha256Hex(canonicalJsonBytes(m));
}

/**
 * verify: how a counted checkpoint disagrees with the chain, or null when it agrees. Its head must be
 * on the chain; each manifest it carries must be the chain's at that key and version; and it must
 * carry every manifest of its month on the chain up to its head.
 */
export function checkpointChainProblem(
  prefix: string,
  read: Extract<CheckpointRead, { ok: true }>,
  chain: readonly (ChainEntry & { readonly versionId: string | null })[],
): string | null {
  const cp = read.checkpoint;
  const byKey = new Map(chain.map((c) => [c.key, c]));
  const head = byKey.get(cp.asOf.key);
  if (!head || head.sha256 !== cp.asOf.sha256 || head.manifest.sequence !== cp.asOf.sequence)
    return `${read.key} was written at ${cp.asOf.key} (sequence ${cp.asOf.sequence}, SHA-256 ${cp.asOf.sha256}), which the chain ${head ? `holds with SHA-256 ${head.sha256}` : 'does not hold'}.`;
  for (const e of cp.manifests) {
    const key = manifestKey(prefix, e.manifest.day, e.manifest.sequence);
    const onChain = byKey.get(key);
    if (!onChain || onChain.sha256 !== manifestSha(e.manifest) || onChain.versionId !== e.versionId)
      return `${read.key} carries ${key} as ${onChain ? 'other bytes or another version than' : 'a manifest'} the chain ${onChain ? 'holds' : 'does not hold'}.`;
  }
  const carried = new Set(cp.manifests.map((e) => manifestKey(prefix, e.manifest.day, e.manifest.sequence)));
  const left = chain.find(
    (c) => monthOf(c.manifest.day) === cp.month && c.manifest.sequence <= cp.asOf.sequence && !carried.has(c.key),
  );
  return left
    ? `${read.key} leaves out ${left.key}, a manifest of ${cp.month} the chain held when it was written: a checkpoint must carry every one.`
    : null;
}
