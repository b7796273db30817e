/**
 * ArchiveRoot: the archive's birth certificate, `{prefix}/archive.json`, written once and locked.
 *
 * It anchors everything else: the archive's id (every manifest names it), its purpose (a demo
 * archive never takes a real organisation's events, and the other way round), the organisation it
 * holds, and the public half of the signing key every manifest must verify against. Its fingerprint
 * is what the officer records when the archive is created and compares later
 * (`audit-archive verify --expect-key`), so a root swapped for another is noticed even on a fresh
 * machine.
 */
import * as z from 'zod';
import { LockModeSchema, Sha256HexSchema, SIGNATURE_ALGORITHM } from './manifest';

export const ROOT_FORMAT = 'audit-archive/root@1';

const ArchivePurposeSchema = z.enum(['production', 'demo']);
export type ArchivePurpose = z.infer<typeof ArchivePurposeSchema>;

const ArchiveOrganisationSchema = z.strictObject({
  /** Genesys organisation id; null when the exporter's role may not read it (then the API host identifies it). */
  id: z.string().max(200).nullable(),
  name: z.string().max(500).nullable(),
  apiHost: z.string().max(300),
});
export type ArchiveOrganisation = z.infer<typeof ArchiveOrganisationSchema>;

/** A public signing key as the archive names it (in its root, and in each key-succession record). */
export const PublicSigningKeySchema = z.strictObject({
  algorithm: z.literal(SIGNATURE_ALGORITHM),
  /** Base64 of the public key's DER (SPKI) encoding. */
  publicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(200),
  /** SHA-256 of that DER, hex. */
  fingerprint: Sha256HexSchema,
});

export const ArchiveRootSchema = z.strictObject({
  format: z.literal(ROOT_FORMAT),
  archiveId: z.uuid(),
  createdAt: z.string().datetime({ offset: false }),
  purpose: ArchivePurposeSchema,
  organisation: ArchiveOrganisationSchema,
  signingKey: PublicSigningKeySchema,
  policy: z.strictObject({ lockMode: LockModeSchema, retentionDays: z.number().int().positive() }),
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string().max(50) }),
});
export type ArchiveRoot = z.infer<typeof ArchiveRootSchema>;

/** A fingerprint as people read and compare it: 16 groups of four hex digits. */
export function formatFingerprint(hex: string): string {
  return hex.replace(/(.{4})(?!$)/g, '$1 ');
}

/** A fingerprint as typed by a person (spaces, colons, upper case allowed), or null when it is not one. */
export function parseFingerprint(text: string): string | null {
  const hex = text
    .replace(/^sha256:/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
