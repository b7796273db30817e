/**
 * The second locked copy from the CLI (engine/archive/copy/): `verify --copy` and the copy's part
 * of `catch-up`. main.ts hands over with one line each.
 */
import type { Day } from '../../shared/day';
import { AuditArchiveError } from '../../shared/errors';
import type { ArchiveSession } from '../engine/archive/archive-session';
import { checkCopyReady, openCopyTarget, type CopyTarget } from '../engine/archive/copy/copy-target';
import { repairCopy, verifyCopy, type CopyCheckResult } from '../engine/archive/copy/verify-copy';
import type { CliStream } from './progress';

export interface CopyCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly signal?: AbortSignal;
}

interface Range {
  readonly from?: Day;
  readonly to?: Day;
}

function copyOf(ctx: CopyCommandContext, session: ArchiveSession): CopyTarget | null {
  return openCopyTarget(session.settings, session.store, ctx.env);
}

/** `verify --copy`: exit 0 when the copy matches, 1 naming each day and key that does not. */
export async function verifyCopyCommand(
  ctx: CopyCommandContext,
  session: ArchiveSession,
  range: Range,
  json: boolean,
): Promise<number> {
  const copy = copyOf(ctx, session);
  if (!copy)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      'verify --copy needs a second locked copy: set archive.copy.target (AUDIT_ARCHIVE_COPY_TARGET or --copy-target s3://bucket/prefix).',
    );
  const result = await verifyCopy({
    archive: session.archive,
    copy,
    ...range,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (json) ctx.stdout.write(JSON.stringify(result) + '\n');
  else printResult(ctx, session, result);
  return result.ok ? 0 : 1;
}

/** catch-up's part for the copy (write mode): every object missing there, written from the primary's verified bytes. */
export async function catchUpCopy(ctx: CopyCommandContext, session: ArchiveSession, range: Range): Promise<number> {
  const copy = copyOf(ctx, session);
  if (!copy) return 0;
  if (copy.mode === 'check') {
    ctx.stderr.write(
      `The copy ${copy.store.url} is filled by S3 Replication (check mode): catch-up writes nothing there; verify --copy checks it.\n`,
    );
    return 0;
  }
  const policy = { lockMode: session.settings.archive.lockMode, retentionDays: session.settings.archive.retentionDays };
  for (const w of await checkCopyReady(copy, policy)) ctx.stderr.write(`audit-archive: warning: ${w}\n`);
  const result = await repairCopy({
    archive: session.archive,
    copy,
    ...range,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  ctx.stderr.write(
    `Copy ${copy.store.url}: ${result.objectsChecked} object(s) checked, ${result.repaired} written from the primary's verified bytes${result.problems.length ? `, ${result.problems.length} that cannot be repaired on WORM storage (below)` : ''}.\n`,
  );
  for (const p of result.problems) ctx.stderr.write(`  ${p.day ?? 'archive'} ${p.kind} ${p.key ?? ''}: ${p.detail}\n`);
  return result.ok ? 0 : 1;
}

function printResult(ctx: CopyCommandContext, session: ArchiveSession, r: CopyCheckResult): void {
  const span = r.from === null ? 'no days' : `${r.from} to ${r.to}`;
  ctx.stdout.write(
    `${r.ok ? 'COPY MATCHES' : 'COPY PROBLEMS FOUND'}: ${r.copy} (${r.mode} mode) against ${session.store.url}, ${span}, ${r.objectsChecked} objects checked (bytes hashed, locks read).\n`,
  );
  for (const p of r.problems) ctx.stdout.write(`${p.day ?? 'archive'} ${p.kind} ${p.key ?? ''}: ${p.detail}\n`);
}
