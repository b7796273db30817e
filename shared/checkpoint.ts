/**
 * A monthly checkpoint: every manifest the chain held for the days of one month when the chain's
 * head was at `asOf`, each with the listing facts of its original version (version id, size, time),
 * the whole signed with the archive's key in effect (main/engine/archive/checkpoints.ts).
 *
 * It exists so that a new installation can paint seven years of the calendar from a few dozen reads
 * instead of one read per manifest. It is never evidence by itself: each manifest it carries is the
 * manifest's own signed text, checked again as if read from the archive (its signature by the key in
 * effect at its sequence, its key, its size against the listing), and it is used only for a key whose
 * listed original version it names. A checkpoint is outside input: every field is bounded.
 */
import * as z from 'zod';
import { ArchiveManifestSchema, ManifestLinkSchema, ManifestSignatureSchema } from './manifest';

export const CHECKPOINT_FORMAT = 'audit-archive/checkpoint@1';

/** A calendar month, `YYYY-MM`. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');

/** One manifest as the archive listed and wrote it. */
export const CheckpointEntrySchema = z.strictObject({
  /** The version the listing showed as the key's original (null: a local folder, which has none). */
  versionId: z.string().max(1024).nullable(),
  /** Its stored size, which is the length of the manifest's canonical bytes. */
  size: z.number().int().nonnegative(),
  /** The listing's time of that version (compared where the store has no version ids). */
  lastModified: z.string().max(64),
  manifest: ArchiveManifestSchema,
});
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;

export const ArchiveCheckpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  /** The archive it belongs to (its root object's id). */
  archiveId: z.uuid(),
  month: MonthSchema,
  /** The chain's head when it was written: it vouches for the month's manifests up to this one. */
  asOf: ManifestLinkSchema,
  /** Every manifest of the month's days on the chain up to `asOf`, ascending by sequence. */
  manifests: z.array(CheckpointEntrySchema).max(10_000),
  createdAt: z.string().datetime({ offset: false }),
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string().max(50) }),
  signature: ManifestSignatureSchema,
});
export type ArchiveCheckpoint = z.infer<typeof ArchiveCheckpointSchema>;
export type UnsignedCheckpoint = Omit<ArchiveCheckpoint, 'signature'>;

/** What a calendar read took from checkpoints (the `archive:status` answer says it, and the calendar shows it). */
export const CheckpointUseSchema = z.object({
  /** Months with a checkpoint that counts. */
  months: z.number().int().nonnegative(),
  /** Manifests taken from them, each checked as if read (its key, its signature by the key in effect). */
  manifests: z.number().int().nonnegative(),
  /** When the newest of them was written. */
  newestWritten: z.string().max(64).nullable(),
  /** Checkpoints read that did not count (never used; verify names them). */
  refused: z.number().int().nonnegative(),
});
export type CheckpointUse = z.infer<typeof CheckpointUseSchema>;
