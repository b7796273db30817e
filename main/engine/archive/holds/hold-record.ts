/**
 * A legal-hold record, `{prefix}/holds/<index>.json`: an officer placed a hold on a period for a
 * matter, or released a matter. Written once, canonical JSON, signed with the archive's key and
 * locked like a manifest (place-hold.ts). Read back from the archive, so outside input: every
 * string is bounded and checked (`checkHoldRecordBytes`).
 *
 * The records are the archive's own account of which matters hold which days; the legal hold of
 * each object version (S3 PutObjectLegalHold) is what enforces it, and verify checks the two agree
 * (hold-check.ts).
 */
import * as z from 'zod';
import { DaySchema } from '../../../../shared/day';
import { describeIssues } from '../../../../shared/describe-issues';
import { HOLD_WORD_LIMITS, holdLine as Line, MatterSchema } from '../../../../shared/holds/hold-words';
import { ManifestSignatureSchema } from '../../../../shared/manifest';
import { canonicalJsonBytes, sha256Hex } from '../signing';

export const HOLD_RECORD_FORMAT = 'audit-archive/legal-hold@1';
/** The highest index a hold record's key can carry (six digits, shared/archive-layout.ts). */
export const MAX_HOLD_INDEX = 999_999;
export const MAX_HOLD_RECORD_BYTES = 256 * 1024;

export const HoldRecordSchema = z.strictObject({
  format: z.literal(HOLD_RECORD_FORMAT),
  archiveId: z.uuid(),
  index: z.number().int().min(1).max(MAX_HOLD_INDEX),
  action: z.enum(['place', 'release']),
  /** The matter's name, as the officer gives it: what a release names. */
  matter: MatterSchema,
  reference: Line(HOLD_WORD_LIMITS.reference),
  reason: Line(HOLD_WORD_LIMITS.reason),
  /** Who placed or released it (the officer's name, else the account that ran the command). */
  by: Line(HOLD_WORD_LIMITS.by),
  /** The period held (null for a release). Days after the last archived one are held as they land. */
  from: DaySchema.nullable(),
  to: DaySchema.nullable(),
  /** The archived days of the period whose versions were held when it was placed ([] for a release). */
  days: z.array(DaySchema).max(40_000),
  /** Object versions whose hold this action turned ON (place) or OFF (release). */
  versions: z.number().int().min(0),
  createdAt: z.string().datetime({ offset: false }),
  tool: z.strictObject({ name: z.literal('audit-archive'), version: z.string().max(50) }),
  signature: ManifestSignatureSchema,
});
export type HoldRecord = z.infer<typeof HoldRecordSchema>;
export type UnsignedHoldRecord = Omit<HoldRecord, 'signature'>;

export type HoldRecordRead =
  | {
      readonly ok: true;
      readonly key: string;
      readonly versionId: string | null;
      readonly record: HoldRecord;
      readonly sha256: string;
    }
  | { readonly ok: false; readonly key: string; readonly versionId: string | null; readonly detail: string };

/** Checks one record version's bytes: JSON, schema, canonical form (signatures are judged by the ledger). */
export function checkHoldRecordBytes(key: string, versionId: string | null, bytes: Uint8Array): HoldRecordRead {
  const invalid = (detail: string): HoldRecordRead => ({ ok: false, key, versionId, detail });
  if (bytes.length > MAX_HOLD_RECORD_BYTES) return invalid(`${key} is larger than a legal-hold record can be.`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`${key} is not valid JSON.`);
  }
  const parsed = HoldRecordSchema.safeParse(json);
  if (!parsed.success) return invalid(`${key} is not a legal-hold record: ${describeIssues(parsed.error, 'record')}.`);
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(parsed.data)))
    return invalid(`${key} is not in the canonical form the archive writes (changed after it was written).`);
  return { ok: true, key, versionId, record: parsed.data, sha256: sha256Hex(bytes) };
}
