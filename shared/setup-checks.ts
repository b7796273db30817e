/**
 * The live checks of setup and Settings: does the Genesys client log in and may it read audits,
 * can the archive target hold a WORM archive under the policy, which signing key is recorded and
 * held, and where an officer's own sign-in (PKCE) stands. Each answer says what is wrong and what
 * to do; none carries a secret.
 */
import * as z from 'zod';
import { LockModeSchema, Sha256HexSchema } from './manifest';

const Instant = z.string().datetime({ offset: false });

const ConnectionStepSchema = z.object({
  step: z.enum(['login', 'organisation', 'permission']),
  ok: z.boolean(),
  detail: z.string().max(1000),
});

export const ConnectionCheckSchema = z.object({
  ok: z.boolean(),
  steps: z.array(ConnectionStepSchema).max(3),
  organisation: z
    .object({ id: z.string().max(200).nullable(), name: z.string().max(500).nullable(), apiHost: z.string().max(300) })
    .nullable(),
  /** The permission the client lacks (`audits:audit:view`), when that is what failed. */
  missingPermission: z.string().max(100).nullable(),
});
export type ConnectionCheck = z.infer<typeof ConnectionCheckSchema>;

const STORAGE_VERDICTS = [
  'ready', // can hold the archive under this policy now
  'create', // the bucket does not exist: "Create bucket" makes it with Object Lock
  'not-worm', // no Object Lock, or versioning off: refused
  'retention-too-short', // default retention shorter than the policy
  'unreachable', // wrong endpoint, credentials, or permissions
  'invalid', // the target itself is malformed
  'not-writable', // a local folder that cannot be written
] as const;
const StorageVerdictSchema = z.enum(STORAGE_VERDICTS);

export const StorageCheckSchema = z.object({
  target: z.string().max(2000),
  kind: z.enum(['s3', 'local']),
  verdict: StorageVerdictSchema,
  /** Whether an archive can be written there now. */
  ok: z.boolean(),
  /** Whether the store itself enforces WORM (S3 Object Lock); a local folder never does. */
  worm: z.boolean(),
  /** Why, in one or two sentences, with what to do. */
  reason: z.string().max(2000),
  bucket: z
    .object({
      exists: z.boolean(),
      objectLock: z.boolean().nullable(),
      versioning: z.string().max(40).nullable(),
      defaultRetention: z.object({ mode: LockModeSchema, days: z.number().int().nonnegative() }).nullable(),
    })
    .nullable(),
  /** Whether "Create bucket" (bucket init) can fix the verdict. */
  canInit: z.boolean(),
  /** An archive already at the target: what it is and whether this installation holds its key. */
  archive: z
    .object({
      purpose: z.enum(['production', 'demo']),
      organisation: z.string().max(800),
      keyFingerprint: Sha256HexSchema,
      keyHeld: z.boolean(),
    })
    .nullable(),
  warnings: z.array(z.string().max(1000)).max(10),
});
export type StorageCheck = z.infer<typeof StorageCheckSchema>;

export const BucketInitResultSchema = z.object({
  bucket: z.string(),
  created: z.boolean(),
  defaultRetention: z.object({ mode: LockModeSchema, days: z.number().int().positive() }),
  /** The exporter's least-privilege IAM policy, to hand to whoever manages AWS access. */
  iamPolicy: z.string().max(20_000),
  warnings: z.array(z.string().max(1000)).max(10),
});
export type BucketInitResult = z.infer<typeof BucketInitResultSchema>;

export const SigningKeyStatusSchema = z.object({
  /** The fingerprint the officer recorded (settings), and whether the keychain holds that key. */
  recorded: z.object({ fingerprint: Sha256HexSchema, held: z.boolean() }).nullable(),
  /**
   * The key the archive at the target is signed with now, if it exists yet: whether this
   * installation holds it, since when it signs (the archive's creation, for the root's key; null for
   * a key that came in by rotation, whose record dates it) and whether it came in by rotation.
   */
  archive: z
    .object({
      fingerprint: Sha256HexSchema,
      held: z.boolean(),
      signsSince: z.string().datetime({ offset: false }).nullable().optional(),
      viaRotation: z.boolean().optional(),
    })
    .nullable(),
  /** Where keys are kept ("the OS keychain"). */
  keptIn: z.string().max(300),
});
export type SigningKeyStatus = z.infer<typeof SigningKeyStatusSchema>;

/** What to do when the keychain cannot be reached, for the signing key (not the Genesys client secret). */
export const SIGNING_KEY_KEYCHAIN_REMEDY =
  'The OS keychain is not reachable, so this installation cannot read or keep the signing key. Unlock the ' +
  'keyring (on Linux: gnome-keyring with libsecret, in a desktop session), then try again. Nothing was changed.';

export const SignInStateSchema = z.object({
  state: z.enum(['signed-out', 'waiting', 'signed-in', 'failed']),
  clientId: z.string().max(200).nullable(),
  /** While waiting: the page to open in the browser (the app opens it; shown in case it did not). */
  authorizeUrl: z.string().max(4000).nullable(),
  organisation: z.object({ id: z.string().max(200).nullable(), name: z.string().max(500).nullable() }).nullable(),
  /** Whether the signed-in officer may read audits (`audits:audit:view`). */
  auditPermission: z.boolean().nullable(),
  expiresAt: Instant.nullable(),
  error: z.string().max(1000).nullable(),
});
export type SignInState = z.infer<typeof SignInStateSchema>;
