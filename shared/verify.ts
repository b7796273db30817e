/**
 * What the verifier reports: one problem per finding, with a stable kind.
 *
 * Kinds are part of the CLI's `verify --json` contract and of the calendar (a day with a failing
 * problem is shown `tampered`). Every kind fails verification except three that are always reported
 * and never fail: `orphan`, a data part that an interrupted run left behind and that a later manifest
 * of the same day declares (by key and version) as ignored (it cannot be removed from WORM storage
 * and is never counted); `key-rotated`, a change of signing key its predecessor signed; and
 * `key-restarted`, a lost key replaced by one nobody vouched for (a recorded key that no longer
 * vouches for the archive's current key fails as `root-changed`). A data part that no manifest
 * declares is `unexpected-object`.
 *
 * `day` is null for findings about the archive as a whole (its root object, an empty target).
 */
import * as z from 'zod';
import { DaySchema } from './day';

const VERIFY_PROBLEM_KINDS = [
  'archive-missing', // the target holds no archive (no root object) while days are expected, or it vanished
  'root-invalid', // the root object is unreadable, invalid, or has more than one version
  'root-changed', // the root's key or id differs from what this installation or the officer recorded
  'head-rewound', // the chain does not reach the head this installation recorded or the officer expected (--expect-head)
  'manifest-missing', // a manifest the chain links to is not in the archive
  'manifest-invalid', // a manifest-shaped key that is not a valid manifest of this archive
  'signature-invalid', // a manifest not signed by the archive's key
  'chain-broken', // a manifest's `previous` does not match the manifest it names (key, sequence, SHA-256)
  'chain-forked', // two valid manifests claim one sequence number (two writers at once)
  'manifest-unreachable', // a valid manifest the chain, walked back from its head, does not reach
  'version-added', // a key the archive references has a second version, or not the version recorded
  'delete-marker', // a delete marker hides a key the archive references (tampering)
  'object-missing', // an object a manifest records is gone at its version
  'lock-not-in-force', // the lock is weaker than the policy or than recorded, shortened, or expired
  'hash-mismatch', // size, SHA-256 or event count differ from the manifest (full mode: bytes)
  'event-duplicated', // full mode: an event id is more than once in the parts a day's manifests vouch for
  'event-invalid', // full mode: a line of a day's parts is not an audit event, or is dated outside the day (UTC)
  'source-mismatch', // a manifest from another organisation, or demo data in a real archive (or the reverse)
  'unexpected-object', // a key in the archive that is neither its root, a manifest, a declared part, a report copy nor the lease
  'key-succession-invalid', // a key-succession record that is invalid, another archive's, or not signed by the key in effect then
  'report-invalid', // a report copy whose record is missing, invalid, another archive's, or names another bundle
  'hold-missing', // a version the manifests vouch for, on a day a matter holds, whose legal hold is not ON
  'hold-invalid', // a legal-hold record that is invalid, another archive's, or not signed by one of the archive's keys
  'checkpoint-invalid', // a monthly checkpoint that is invalid, another archive's, not signed by the key in effect, or disagrees with the chain
  'copy-missing', // verify --copy: a vouched object absent from the second locked copy
  'copy-different', // verify --copy: the copy's bytes differ from the SHA-256 the primary's manifest records
  'copy-unlocked', // verify --copy: the copy's lock is missing, weaker or shorter than the primary's
  'day-missing', // a settled, required day in range has no manifest on the chain
  'orphan', // informational: a part left by an interrupted run, declared by a later manifest
  'key-rotated', // informational: the signing key was rotated (the old key signed the new one)
  'key-restarted', // informational, always reported: a lost key was replaced; the chain restarts under a key nobody vouched for
] as const;
const VerifyProblemKindSchema = z.enum(VERIFY_PROBLEM_KINDS);
export type VerifyProblemKind = z.infer<typeof VerifyProblemKindSchema>;

/** Kinds that are reported but do not make `ok` false. */
const INFORMATIONAL_PROBLEM_KINDS: ReadonlySet<VerifyProblemKind> = new Set(['orphan', 'key-rotated', 'key-restarted']);

export function isFailingProblem(kind: VerifyProblemKind): boolean {
  return !INFORMATIONAL_PROBLEM_KINDS.has(kind);
}

export const VerifyProblemSchema = z.object({
  day: DaySchema.nullable(),
  kind: VerifyProblemKindSchema,
  key: z.string().max(1100).optional(),
  detail: z.string().max(2000),
});
export type VerifyProblem = z.infer<typeof VerifyProblemSchema>;

/** Which archive was verified: what `verify --json` prints beside the problems (null: no archive found). */
const VerifiedArchiveSchema = z.object({
  archiveId: z.string(),
  purpose: z.enum(['production', 'demo']),
  organisation: z.object({ id: z.string().nullable(), name: z.string().nullable(), apiHost: z.string() }),
  /** The key the root names (the archive's first key). */
  keyFingerprint: z.string(),
  /** The key in effect now, after every key rotation or restart (older reports lack it). */
  currentKeyFingerprint: z.string().optional(),
  head: z.object({ key: z.string(), sequence: z.number().int(), sha256: z.string() }).nullable(),
});

/**
 * What the verdict's trust rests on. The root's signing key and the chain's head are checked
 * against what the officer passed (`expected`: --expect-key, --expect-head), else against this
 * installation's head record (`recorded`), else against nothing: taken from the archive itself,
 * trusted on first use (`first-use`). Someone who can rewrite the archive can re-sign it with a key
 * of their own, or remove its newest manifests, and a first-use verdict cannot tell.
 */
const TrustBasisSchema = z.enum(['expected', 'recorded', 'first-use']);
export type TrustBasis = z.infer<typeof TrustBasisSchema>;
export const VerifyTrustSchema = z.object({
  key: TrustBasisSchema,
  head: TrustBasisSchema,
  /** Whether this verification recorded the head as the one this installation now vouches for. */
  headRecorded: z.boolean(),
});
export type VerifyTrust = z.infer<typeof VerifyTrustSchema>;

export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  problems: z.array(VerifyProblemSchema),
  archive: VerifiedArchiveSchema.nullable(),
  /** Null when no archive root was found to trust. */
  trust: VerifyTrustSchema.nullable(),
});
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
