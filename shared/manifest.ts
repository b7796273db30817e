/**
 * ArchiveManifest: what one export run wrote for one day, and the link in the integrity chain.
 *
 * Like CloudTrail's digest files: every run (an empty day included) writes one, each carries the
 * SHA-256 of the previous manifest in write order, so deleting or editing any manifest breaks the
 * chain, and the verifier also counts expected days independently of the chain.
 */
import { z } from 'zod';
import { DaySchema } from './day';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
const Instant = z.string().datetime({ offset: false });
export const LockModeSchema = z.enum(['COMPLIANCE', 'GOVERNANCE']);
export type LockMode = z.infer<typeof LockModeSchema>;

export const ManifestObjectSchema = z.object({
  key: z.string().min(1),
  /** The store's version id (S3/Azure); null for a local folder, which has no versions. */
  versionId: z.string().nullable(),
  /** SHA-256 of the uncompressed NDJSON. */
  sha256Raw: Sha256Hex,
  /** SHA-256 of the stored (gzip) bytes. */
  sha256: Sha256Hex,
  /** Stored (compressed) size in bytes. */
  size: z.number().int().nonnegative(),
  rawSize: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  firstEventDate: z.string().nullable(),
  lastEventDate: z.string().nullable(),
  /** The lock as read back from the store after writing (null: the store has no lock, e.g. a local folder). */
  lockMode: LockModeSchema.nullable(),
  retainUntil: Instant.nullable(),
});
export type ManifestObject = z.infer<typeof ManifestObjectSchema>;

export const MANIFEST_FORMAT = 'audit-archive/manifest@1';

export const ArchiveManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  /** Global write order across the whole archive; the chain follows it. */
  sequence: z.number().int().positive(),
  day: DaySchema,
  interval: z.object({ start: Instant, end: Instant }),
  /** 'export' for the first run of a day, 'reconcile' for a later run that adds late events. */
  kind: z.enum(['export', 'reconcile']),
  /** Earlier manifests of the same day that this one adds to (reconcile), by key and SHA-256. */
  supersedes: z.array(z.object({ key: z.string(), sha256: Sha256Hex })),
  /** Data objects found for the day that no manifest references (a crashed earlier run): never counted. */
  orphansIgnored: z.array(z.object({ key: z.string(), versionId: z.string().nullable() })),
  queryTransactionIds: z.array(z.string()),
  /** Events archived by this run (after dedupe). */
  events: z.number().int().nonnegative(),
  /** Events in the day across this and every earlier manifest of the day. */
  dayEventsTotal: z.number().int().nonnegative(),
  duplicatesDropped: z.number().int().nonnegative(),
  /** Events Genesys returned whose eventDate lies outside the day (archived in their own day). */
  outsideIntervalDropped: z.number().int().nonnegative(),
  firstEventDate: z.string().nullable(),
  lastEventDate: z.string().nullable(),
  objects: z.array(ManifestObjectSchema),
  createdAt: Instant,
  tool: z.object({ name: z.literal('audit-archive'), version: z.string() }),
  source: z.object({ genesysApi: z.string(), perServiceQueries: z.boolean() }),
  /** SHA-256 of the previous manifest's bytes in write order; null for the first manifest. */
  previous: z.object({ key: z.string(), sha256: Sha256Hex }).nullable(),
});
export type ArchiveManifest = z.infer<typeof ArchiveManifestSchema>;
