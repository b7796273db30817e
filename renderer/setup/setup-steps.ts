/**
 * The setup wizard's steps: their names, what each must prove before the next (and what to do
 * when it has not), and which step holds a field a refusal names.
 */
export const STEPS = ['Genesys Cloud', 'Archive location', 'Retention policy', 'Signing key', 'Connect'] as const;

/** What the steps have proved so far. */
interface SetupProof {
  /** The connection was tested (or the officer signed in) with audits:audit:view. */
  readonly genesysOk: boolean;
  /** The bucket or folder was checked and can hold the archive. */
  readonly storageOk: boolean;
  readonly keyFingerprint: string | undefined;
  /** The officer confirmed the fingerprint is on record. */
  readonly recorded: boolean;
  /** A second locked copy entered and not yet checked ready (absent or true: none entered, or ready). */
  readonly copyOk?: boolean;
}

/** Whether the officer may go on from `step`, and if not, what to do first. */
export function stepGate(step: number, proof: SetupProof): { canContinue: boolean; blocker: string } {
  switch (step) {
    case 0:
      return {
        canContinue: proof.genesysOk,
        blocker: 'Test the connection (or sign in as yourself) first: it must log in and have audits:audit:view.',
      };
    case 1:
      return {
        canContinue: proof.storageOk && proof.copyOk !== false,
        blocker: proof.storageOk
          ? "Check the second locked copy's bucket first (or empty its field): it must be able to hold the copy."
          : 'Check the bucket or folder first: it must be able to hold the archive.',
      };
    case 3:
      return {
        canContinue: Boolean(proof.keyFingerprint) && proof.recorded,
        blocker: 'Create or import the signing key, and confirm you have recorded its fingerprint.',
      };
    default:
      return { canContinue: true, blocker: '' };
  }
}

/** Which step holds a field, so a refusal at the end can send the officer back to it. */
export function stepOfField(field: string): number {
  if (field.startsWith('genesys.')) return 0;
  if (field === 'archive.target' || field.startsWith('archive.s3') || field.startsWith('archive.copy')) return 1;
  if (field === 'archive.signingKeyFingerprint') return 3;
  return 2;
}
