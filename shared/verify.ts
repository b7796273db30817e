/**
 * What the verifier reports: one problem per finding, with a stable kind.
 *
 * Kinds are part of the CLI's `verify --json` contract and of the calendar (a day with a failing
 * problem is shown `tampered`). `orphan` is informational: a data object no manifest references is
 * what an interrupted run leaves behind on WORM storage (it cannot be removed, and the exporter never
 * counts it), so it is reported but does not make verification fail.
 */
import { z } from 'zod';
import { DaySchema } from './day';

export const VERIFY_PROBLEM_KINDS = [
  'manifest-missing', // a sequence number in the chain has no live manifest
  'manifest-invalid', // a manifest cannot be read or does not match the manifest schema or its key
  'chain-broken', // a manifest's `previous` does not name the actual previous manifest and its SHA-256
  'object-missing', // a data object a manifest records is gone at its version
  'delete-marker', // a delete marker hides an archived object or manifest (tampering)
  'lock-not-in-force', // the lock is weaker than recorded, shortened, or expired
  'hash-mismatch', // size, SHA-256 or event count differ from the manifest (full mode)
  'day-missing', // a settled, required day in range has no manifest at all
  'orphan', // informational: a data object no manifest references (left by an interrupted run)
] as const;
export const VerifyProblemKindSchema = z.enum(VERIFY_PROBLEM_KINDS);
export type VerifyProblemKind = z.infer<typeof VerifyProblemKindSchema>;

/** Kinds that are reported but do not make `ok` false. */
export const INFORMATIONAL_PROBLEM_KINDS: ReadonlySet<VerifyProblemKind> = new Set(['orphan']);

export function isFailingProblem(kind: VerifyProblemKind): boolean {
  return !INFORMATIONAL_PROBLEM_KINDS.has(kind);
}

export const VerifyProblemSchema = z.object({
  day: DaySchema,
  kind: VerifyProblemKindSchema,
  key: z.string().optional(),
  detail: z.string(),
});
export type VerifyProblem = z.infer<typeof VerifyProblemSchema>;

export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  problems: z.array(VerifyProblemSchema),
});
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
