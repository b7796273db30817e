/**
 * KeySuccession: the record of a change of the archive's signing key,
 * `{prefix}/key-succession/<index>.json`, written once, locked like a manifest, canonical JSON.
 *
 * Two kinds:
 * - `rotation`: the key in effect signs its successor. Manifests up to `lastManifest` verify with
 *   the old key, later ones with the new key; a record not signed by the key in effect then is not a
 *   succession (verify names it `key-succession-invalid`).
 * - `restart`: the key in effect was lost, so nobody can sign its successor; the new key signs the
 *   record itself. The chain restarts after `lastManifest`: nothing signed by the lost key counts
 *   beyond it. Anyone able to write to the archive could write such a record, so verify always names
 *   it (`key-restarted`), and a recorded key (`--expect-key`, this installation's head record) does
 *   not vouch for the new key across it.
 *
 * Report copies signed by the outgoing key are listed by id (`reportsSigned`), so a holder of a
 * retired key cannot add a report copy under it later.
 *
 * Read from the archive, so outside input: every string is bounded.
 */
import * as z from 'zod';
import { REPORT_ID_RE, MAX_KEY_SUCCESSION_INDEX } from './archive-layout';
import { PublicSigningKeySchema } from './archive-root';
import { ManifestLinkSchema, ManifestSignatureSchema, Sha256HexSchema } from './manifest';

export const KEY_SUCCESSION_FORMAT = 'audit-archive/key-succession@1';

const KeySuccessionKindSchema = z.enum(['rotation', 'restart']);
export type KeySuccessionKind = z.infer<typeof KeySuccessionKindSchema>;

export const KeySuccessionSchema = z.strictObject({
  format: z.literal(KEY_SUCCESSION_FORMAT),
  archiveId: z.uuid(),
  /** 1 for the archive's first change of key, then 2, 3, …; the record's key carries the same number. */
  index: z.number().int().min(1).max(MAX_KEY_SUCCESSION_INDEX),
  kind: KeySuccessionKindSchema,
  createdAt: z.string().datetime({ offset: false }),
  /** The key in effect until this record: it signs a rotation; a restart declares it lost. */
  previousKey: z.strictObject({ fingerprint: Sha256HexSchema }),
  /** The key in effect from the next manifest on. */
  newKey: PublicSigningKeySchema,
  /** The chain's head when the key changed: the last manifest signed by the previous key (null: none yet). */
  lastManifest: ManifestLinkSchema.nullable(),
  /** Report copies (ids) signed by the previous key: no other report copy may claim its signature. */
  reportsSigned: z.array(z.string().regex(REPORT_ID_RE)).max(100_000),
  /** Why, in the officer's words ("scheduled yearly rotation", "laptop stolen 2027-03-02"). */
  reason: z.string().max(500),
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string().max(50) }),
  signature: ManifestSignatureSchema,
});
export type KeySuccession = z.infer<typeof KeySuccessionSchema>;
export type UnsignedKeySuccession = Omit<KeySuccession, 'signature'>;
