/**
 * `audit-archive catch-up [--from DAY] [--to DAY] [--concurrency N] [--wait SECONDS]`: archive every
 * missing or failed day of the range, oldest first; resumable, planned again from the archive.
 */
import type { Day } from '../../../shared/day';
import type { ArchiveSession, DayRange } from '../../engine/archive/archive-session';
import type { CatchUpPlan, CatchUpProgress, CatchUpSummary, CatchUpTotals } from '../../engine/archive/catch-up';
import type { CliParts } from '../composition';
import { catchUpSecondCopy } from '../../engine/archive/copy/copy-runs';
import { warn, type CliContext } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { bar, formatBytes, formatDuration, progressLine, type ProgressLine } from '../progress';
import { dayRange, optionalInt, type FlagValues } from '../usage';
import { waitNotice, warnIfNotWorm } from './write-notices';

export const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  concurrency: { type: 'string' },
  wait: { type: 'string' },
} as const;

interface CatchUpArgs {
  readonly range: DayRange;
  readonly concurrency: number | undefined;
  readonly waitSeconds: number | undefined;
}

export function parse(values: FlagValues): CatchUpArgs {
  return {
    range: dayRange(values, 'catch-up'),
    concurrency: optionalInt(values.concurrency, 'concurrency', 'catch-up', 1, 8),
    waitSeconds: optionalInt(values.wait, 'wait', 'catch-up', 0, 86_400),
  };
}

export function run(args: CatchUpArgs, parts: CliParts): Promise<number> {
  const concurrency = args.concurrency ?? parts.settings().schedule.concurrency;
  return parts.withSession({ waitSeconds: args.waitSeconds }, async (session) =>
    Math.max(
      await catchUp(parts.ctx, session, args.range, concurrency),
      await copyPass(parts.ctx, session, args.range),
    ),
  );
}

/** The second locked copy's part of catch-up (engine/archive/copy/copy-runs.ts), said on stderr. */
async function copyPass(ctx: CliContext, session: ArchiveSession, range: DayRange): Promise<number> {
  const pass = await catchUpSecondCopy({
    settings: session.settings,
    archive: session.archive,
    env: ctx.env,
    ...range,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (pass.kind === 'none') return EXIT_OK;
  if (pass.kind === 'check-mode') {
    ctx.stderr.write(
      `The copy ${pass.copy} is filled by S3 Replication (check mode): catch-up writes nothing there; verify --copy checks it.\n`,
    );
    return EXIT_OK;
  }
  for (const w of pass.warnings) warn(ctx, w);
  const r = pass.result;
  ctx.stderr.write(
    `Copy ${r.copy}: ${r.objectsChecked} object(s) checked, ${r.repaired} written from the primary's verified bytes${r.problems.length ? `, ${r.problems.length} that cannot be repaired on WORM storage (below)` : ''}.\n`,
  );
  for (const p of r.problems) ctx.stderr.write(`  ${p.day ?? 'archive'} ${p.kind} ${p.key ?? ''}: ${p.detail}\n`);
  return r.ok ? EXIT_OK : EXIT_FAILED;
}

async function catchUp(
  ctx: CliContext,
  session: ArchiveSession,
  range: DayRange,
  concurrency: number,
): Promise<number> {
  const previous = session.journal.catchUp;
  if (previous) {
    ctx.stderr.write(
      `Resuming the catch-up started ${previous.startedAt} (${previous.done.length} of ${previous.days.length} days were done); the plan is recomputed from the archive.\n`,
    );
  }
  await warnIfNotWorm(ctx, session);
  const progress = progressLine(ctx.stderr);
  const storedBytes = new Map<Day, number>();
  const summary = await session.catchUp(range, {
    concurrency,
    onWait: waitNotice(ctx),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onPlan: ({ plan, from, to }) => ctx.stderr.write(describePlan(plan, from, to)),
    onProgress: (event, totals) => reportCatchUp(progress, event, totals, ctx.stderr.isTTY === true, storedBytes),
  });
  progress.done();
  if (summary.plan.days.length === 0) return EXIT_OK;
  ctx.stderr.write(describeSummary(summary));
  for (const f of summary.failed) ctx.stderr.write(`  ${f.day} failed: ${f.message} [${f.code}]\n`);
  return summary.failed.length > 0 || summary.cancelled ? EXIT_FAILED : EXIT_OK;
}

function describePlan(plan: CatchUpPlan, from: Day, to: Day): string {
  const skipped = plan.skipped;
  return (
    `Catch-up ${from} to ${to}: ${plan.days.length} day(s) to archive, oldest first (closest to leaving Genesys retention)` +
    (skipped.unrecoverable ? `; ${skipped.unrecoverable} unrecoverable` : '') +
    (skipped.tampered ? `; ${skipped.tampered} tampered (run verify)` : '') +
    '.\n'
  );
}

function describeSummary(summary: CatchUpSummary): string {
  return (
    `Catch-up ${summary.cancelled ? 'cancelled' : 'finished'}: ${summary.archived} day(s) archived` +
    (summary.alreadyArchived ? `, ${summary.alreadyArchived} already archived by another run` : '') +
    `, ${summary.failed.length} failed` +
    (summary.notStarted ? `, ${summary.notStarted} not started` : '') +
    `; ${summary.events} events, ${formatBytes(summary.bytes)} in ${formatDuration(summary.elapsedMs)}.\n`
  );
}

/** A terminal gets every update on one line; plain output gets a line per day event and per stored part. */
function reportCatchUp(
  progress: ProgressLine,
  event: CatchUpProgress,
  t: CatchUpTotals,
  tty: boolean,
  storedBytes: Map<Day, number>,
): void {
  const finished = t.daysDone + t.daysFailed;
  const eta = t.etaMs === null ? '' : `, ETA ${formatDuration(t.etaMs)}`;
  const head = `${bar(t.daysTotal ? finished / t.daysTotal : 1)} ${finished}/${t.daysTotal} days, ${t.events} events, ${formatBytes(t.bytes)}${eta}`;
  switch (event.kind) {
    case 'day-started':
      if (tty) progress.update(`${head} | ${event.day}`);
      else progress.log(`${event.day}: started`);
      break;
    case 'day-progress':
      if (tty) progress.update(`${head} | ${event.day}: ${event.events} events`);
      else if (event.bytes !== (storedBytes.get(event.day) ?? 0))
        progress.log(`${event.day}: ${event.events} events, ${formatBytes(event.bytes)} written`);
      storedBytes.set(event.day, event.bytes);
      break;
    case 'day-archived':
      progress.log(
        `${event.day}: archived ${event.events} events (${formatBytes(event.bytes)}) [${finished}/${t.daysTotal}${eta}]`,
      );
      break;
    case 'day-failed':
      progress.log(`${event.day}: FAILED ${event.message} [${event.code}]`);
      break;
  }
}
