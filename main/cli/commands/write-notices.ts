/**
 * What the writing commands (export, catch-up) say before and while they wait to write: no
 * organisation configured (exit 2, before the store is touched), the store's warnings (a local
 * folder is not WORM), and, once, whom they wait for while another writer holds the lease.
 */
import type { ArchiveSession } from '../../engine/archive/archive-session';
import { describeHolder, type LeaseHolder } from '../../engine/archive/writer-lease';
import { warn, type CliContext } from '../context';

/** Tells the user, once, that another writer holds the archive and this run waits for it. */
export function waitNotice(ctx: CliContext): (holder: LeaseHolder | null, waitedMs: number) => void {
  let said = false;
  return (holder) => {
    if (said) return;
    said = true;
    ctx.stderr.write(
      `${describeHolder(holder)} is writing this archive; waiting for it to finish (one writer at a time).\n`,
    );
  };
}

/** Before a write: no organisation configured stops here (exit 2), before the store is touched; then the store's warnings. */
export async function warnIfNotWorm(ctx: CliContext, session: ArchiveSession): Promise<void> {
  session.checkConfigured();
  const readiness = await session.ready();
  for (const w of readiness.warnings) warn(ctx, w);
}
