/**
 * ArchiveManifest: what one export run wrote for one day, and the link in the integrity chain.
 *
 * Like CloudTrail's digest files: every run (an empty day included) writes one, each carries the
 * key, sequence and SHA-256 of the previous manifest in write order, and each is signed (Ed25519)
 * with the archive's signing key, whose public half sits in the archive's root object. So editing,
 * removing, re-versioning or appending a manifest without that key is visible, and the verifier
 * also counts expected days independently of the chain.
 *
 * A manifest is read from the archive, so it is outside input: every string is bounded.
 */
import * as z from 'zod';
import { DaySchema } from './day';

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
const Instant = z.string().datetime({ offset: false });
/** Keys, ids and names read from the archive: bounded so a hostile object cannot flood memory or a screen. */
const Text = (max: number) => z.string().max(max);
const Key = z.string().min(1).max(1024);

export const LockModeSchema = z.enum(['COMPLIANCE', 'GOVERNANCE']);
export type LockMode = z.infer<typeof LockModeSchema>;

const ManifestObjectSchema = z.strictObject({
  key: Key,
  /** The store's version id (S3/Azure); null for a local folder, which has no versions. */
  versionId: Text(1024).nullable(),
  /** SHA-256 of the uncompressed NDJSON. */
  sha256Raw: Sha256HexSchema,
  /** SHA-256 of the stored (gzip) bytes. */
  sha256: Sha256HexSchema,
  /** Stored (compressed) size in bytes. */
  size: z.number().int().nonnegative(),
  rawSize: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  firstEventDate: Text(40).nullable(),
  lastEventDate: Text(40).nullable(),
  /** The lock as read back from the store after writing (null: the store has no lock, e.g. a local folder). */
  lockMode: LockModeSchema.nullable(),
  retainUntil: Instant.nullable(),
});
export type ManifestObject = z.infer<typeof ManifestObjectSchema>;

/** One audit query the run made (a query Genesys ended `Failed` is resubmitted, and both are kept). */
const ManifestQuerySchema = z.strictObject({
  transactionId: Text(200),
  interval: Text(100),
  serviceName: Text(200).nullable(),
  state: z.enum(['Succeeded', 'Failed', 'Cancelled']),
});

/**
 * Where the events came from: the organisation (GET /api/v2/organizations/me), its API host and
 * region, and whether it is the built-in demo organisation. When the role may not read the
 * organisation, `organisationId` is null and `note` says so; the API host and client id identify it.
 */
const ManifestSourceSchema = z.strictObject({
  demo: z.boolean(),
  organisationId: Text(200).nullable(),
  organisationName: Text(500).nullable(),
  apiHost: Text(300),
  regionHost: Text(100).nullable(),
  clientId: Text(200).nullable(),
  note: Text(1000).nullable(),
  perServiceQueries: z.boolean(),
});
export type ManifestSource = z.infer<typeof ManifestSourceSchema>;

export const ManifestLinkSchema = z.strictObject({
  key: Key,
  sequence: z.number().int().positive(),
  sha256: Sha256HexSchema,
});
export type ManifestLink = z.infer<typeof ManifestLinkSchema>;

export const SIGNATURE_ALGORITHM = 'Ed25519';

export const ManifestSignatureSchema = z.strictObject({
  algorithm: z.literal(SIGNATURE_ALGORITHM),
  /** Fingerprint of the signing key (SHA-256 of its SPKI DER, hex): the root object names the same. */
  keyFingerprint: Sha256HexSchema,
  /** Base64 signature over the canonical bytes of the manifest without this field. */
  value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature'),
});

const MANIFEST_FORMAT = 'audit-archive/manifest@2';

export const ArchiveManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  /** The archive this manifest belongs to (its root object's id). */
  archiveId: z.uuid(),
  /** Global write order across the whole archive; the chain follows it. */
  sequence: z.number().int().positive(),
  day: DaySchema,
  interval: z.strictObject({ start: Instant, end: Instant }),
  /** 'export' for the first run of a day, 'reconcile' for a later run that adds late events. */
  kind: z.enum(['export', 'reconcile']),
  /** Earlier manifests of the same day that this one adds to (reconcile), by key and SHA-256. */
  supersedes: z.array(z.strictObject({ key: Key, sha256: Sha256HexSchema })).max(10_000),
  /** Data objects found for the day that no manifest references (a crashed earlier run): never counted. */
  orphansIgnored: z.array(z.strictObject({ key: Key, versionId: Text(1024).nullable() })).max(100_000),
  queries: z.array(ManifestQuerySchema).max(10_000),
  /** Events archived by this run (after dedupe). */
  events: z.number().int().nonnegative(),
  /** Events in the day across this and every earlier manifest of the day. */
  dayEventsTotal: z.number().int().nonnegative(),
  duplicatesDropped: z.number().int().nonnegative(),
  /** Events Genesys returned whose eventDate lies outside the day (archived in their own day). */
  outsideIntervalDropped: z.number().int().nonnegative(),
  firstEventDate: Text(40).nullable(),
  lastEventDate: Text(40).nullable(),
  objects: z.array(ManifestObjectSchema).max(100_000),
  createdAt: Instant,
  tool: z.strictObject({ name: z.literal('audit-archive'), version: Text(50) }),
  source: ManifestSourceSchema,
  /** The retention policy the run wrote under. */
  policy: z.strictObject({ lockMode: LockModeSchema, retentionDays: z.number().int().positive() }),
  /** The manifest written just before this one (null for the first). */
  previous: ManifestLinkSchema.nullable(),
  signature: ManifestSignatureSchema,
});
export type ArchiveManifest = z.infer<typeof ArchiveManifestSchema>;
/** A manifest before it is signed. */
export type UnsignedManifest = Omit<ArchiveManifest, 'signature'>;
