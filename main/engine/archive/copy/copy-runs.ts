/**
 * The second locked copy as a command uses it: `verify --copy` (every vouched object checked in the
 * copy) and catch-up's pass over the copy (write mode: every object missing there written from the
 * primary's verified bytes; check mode: nothing written, S3 Replication fills it). The CLI
 * (main/cli/commands/verify.ts, main/cli/commands/catch-up.ts) only prints what these return.
 */
import type { Day } from '../../../../shared/day';
import { AuditArchiveError } from '../../../../shared/errors';
import type { Settings } from '../../../../shared/settings';
import type { Archive } from '../archive';
import { checkCopyReady, openCopyTarget } from './copy-target';
import { repairCopy, verifyCopy, type CopyCheckProgress, type CopyCheckResult } from './verify-copy';

interface CopyRunDeps {
  readonly settings: Settings;
  readonly archive: Archive;
  readonly env: NodeJS.ProcessEnv;
  readonly from?: Day;
  readonly to?: Day;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CopyCheckProgress) => void;
}

/** `verify --copy`: throws INVALID_ARGUMENT when no copy is set. */
export async function verifySecondCopy(deps: CopyRunDeps): Promise<CopyCheckResult> {
  const copy = await openCopyTarget(deps.settings, deps.archive.store, deps.env);
  if (!copy)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      'verify --copy needs a second locked copy: set archive.copy.target (AUDIT_ARCHIVE_COPY_TARGET or --copy-target s3://bucket/prefix).',
    );
  return verifyCopy({ archive: deps.archive, copy, ...rangeOf(deps) });
}

type CopyCatchUp =
  | { readonly kind: 'none' }
  | { readonly kind: 'check-mode'; readonly copy: string }
  | { readonly kind: 'repaired'; readonly warnings: readonly string[]; readonly result: CopyCheckResult };

/** catch-up's pass over the copy, after the days: what is missing there, written from the primary's verified bytes. */
export async function catchUpSecondCopy(deps: CopyRunDeps): Promise<CopyCatchUp> {
  const copy = await openCopyTarget(deps.settings, deps.archive.store, deps.env);
  if (!copy) return { kind: 'none' };
  if (copy.mode === 'check') return { kind: 'check-mode', copy: copy.store.url };
  const { lockMode, retentionDays } = deps.settings.archive;
  const warnings = await checkCopyReady(copy, { lockMode, retentionDays });
  const result = await repairCopy({ archive: deps.archive, copy, ...rangeOf(deps) });
  return { kind: 'repaired', warnings, result };
}

function rangeOf(deps: CopyRunDeps): Pick<CopyRunDeps, 'from' | 'to' | 'signal' | 'onProgress'> {
  return {
    ...(deps.from ? { from: deps.from } : {}),
    ...(deps.to ? { to: deps.to } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
}
