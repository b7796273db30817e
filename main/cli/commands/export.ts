/** `audit-archive export --day YYYY-MM-DD [--reconcile] [--wait SECONDS]`: archive one settled day. */
import type { Day } from '../../../shared/day';
import { isAuditArchiveError } from '../../../shared/errors';
import type { ArchiveSession } from '../../engine/archive/archive-session';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { EXIT_OK } from '../exit-codes';
import { formatBytes, progressLine } from '../progress';
import { optionalInt, requiredDay, type FlagValues } from '../usage';
import { waitNotice, warnIfNotWorm } from './write-notices';

export const options = {
  day: { type: 'string' },
  reconcile: { type: 'boolean' },
  wait: { type: 'string' },
} as const;

interface ExportArgs {
  readonly day: Day;
  readonly reconcile: boolean;
  readonly waitSeconds: number | undefined;
}

export function parse(values: FlagValues): ExportArgs {
  return {
    day: requiredDay(values.day, 'day', 'export'),
    reconcile: values.reconcile === true,
    waitSeconds: optionalInt(values.wait, 'wait', 'export', 0, 86_400),
  };
}

export function run(args: ExportArgs, parts: CliParts): Promise<number> {
  return parts.withSession({ waitSeconds: args.waitSeconds }, (session) => exportDay(parts.ctx, session, args));
}

async function exportDay(ctx: CliContext, session: ArchiveSession, { day, reconcile }: ExportArgs): Promise<number> {
  let lastBytes = 0;
  const progress = progressLine(ctx.stderr);
  await warnIfNotWorm(ctx, session);
  try {
    const result = await session.exportDay(day, {
      reconcile,
      onWait: waitNotice(ctx),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => {
        // Plain output (logs): one line per stored part; a terminal: every update.
        if (ctx.stderr.isTTY || p.bytes !== lastBytes)
          progress.update(`${day}: ${p.events} events, ${formatBytes(p.bytes)} written`);
        lastBytes = p.bytes;
      },
    });
    progress.done();
    ctx.stderr.write(
      `${day}: ${result.outcome} ${result.events} events (${formatBytes(result.bytes)}, ${result.duplicatesDropped} duplicates dropped) -> ${result.manifestKey}\n`,
    );
    return EXIT_OK;
  } catch (e) {
    progress.done();
    if (isAuditArchiveError(e) && e.code === 'DAY_ALREADY_ARCHIVED' && !reconcile) {
      // The goal holds, so a rerun (cron, retry) is not an error; nothing was written.
      ctx.stderr.write(
        `${day}: already archived; nothing written (use --reconcile to add events Genesys indexed late).\n`,
      );
      return EXIT_OK;
    }
    throw e;
  }
}
