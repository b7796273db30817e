/**
 * `audit-archive demo`: a full-looking archive in a few seconds, from the built-in Genesys simulator.
 *
 * About 400 days of a small synthetic organisation go into a local folder, so a new user sees a
 * real calendar: most days archived, two recent gaps (still recoverable), two old gaps (beyond
 * the Genesys retention window: unrecoverable) and one failed day (the simulator fails its query).
 * The simulator keeps ten years here, as if the older days had been archived back when Genesys
 * still held them; the calendar judges recoverability by the usual 365 days. Rerunning it fills
 * only what is not archived yet (the archive is never rewritten).
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDays, lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession } from '../../engine/archive/archive-session';
import { countStates } from '../../engine/archive/status';
import { fillDemoArchive } from '../../engine/service/demo-archive';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { bar, formatBytes, formatDuration, progressLine } from '../progress';
import { optionalInt, str, type FlagValues } from '../usage';

export const options = { dir: { type: 'string' }, days: { type: 'string' } } as const;

interface DemoOptions {
  readonly dir?: string | undefined;
  readonly days?: number | undefined;
}

export function parse(values: FlagValues): DemoOptions {
  return { dir: str(values.dir), days: optionalInt(values.days, 'days', 'demo', 30, 2000) };
}

/** The demo reads no settings: it writes its own local folder from the simulator. */
export function run(args: DemoOptions, parts: CliParts): Promise<number> {
  return runDemo(parts.ctx, args);
}

async function runDemo(ctx: CliContext, options: DemoOptions): Promise<number> {
  const now = ctx.now ?? Date.now;
  const dir = resolve(options.dir ?? join(ctx.env.HOME || homedir(), 'AuditArchiveDemo'));
  const totalDays = options.days ?? 400;
  const archiveDir = join(dir, 'archive');
  const stateDir = join(dir, 'state');
  await mkdir(archiveDir, { recursive: true });

  const last = lastSettledDay(now(), 120);
  const first = addDays(last, -(totalDays - 1));
  const recentGaps = [addDays(last, -4), addDays(last, -16)];
  // Beyond the 365-day Genesys window once the history is long enough: shown unrecoverable.
  const oldGaps = totalDays >= 370 ? [addDays(first, 1), addDays(first, 2)] : [];
  const failedDay = addDays(last, -9);
  const settings = SettingsSchema.parse({
    demo: true,
    archive: { target: pathToFileURL(archiveDir).href, policyStartDate: first, retentionDays: 2557 },
  });
  const warn = (w: string) => ctx.stderr.write(`audit-archive: ${w}\n`);
  ctx.stderr.write(
    `Demo archive in ${dir}: ${totalDays} days of a simulated Genesys organisation (${first} to ${last}).\n`,
  );
  const progress = progressLine(ctx.stderr);
  const summary = await fillDemoArchive({
    target: settings.archive.target,
    stateDir,
    plan: { first, last, gaps: [...recentGaps, ...oldGaps], failed: [failedDay] },
    now,
    env: ctx.env,
    program: 'the audit-archive demo',
    onWarning: warn,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (event, t) => {
      const finished = t.daysDone + t.daysFailed;
      if (event.kind === 'day-failed') progress.log(`${event.day}: failed as planned for the demo (${event.code})`);
      else if (ctx.stderr.isTTY)
        progress.update(
          `${bar(finished / Math.max(1, t.daysTotal))} ${finished}/${t.daysTotal} days, ${t.events} events`,
        );
      else if (event.kind === 'day-archived' && t.daysDone % 50 === 0)
        progress.log(`${t.daysDone}/${t.daysTotal} days archived`);
    },
  });
  progress.done();
  ctx.stderr.write(
    `Archived ${summary.archived} days, ${summary.events} events (${formatBytes(summary.bytes)}) in ${formatDuration(summary.elapsedMs)}.\n`,
  );

  const calendar = await openArchiveSession(settings, {}, { env: ctx.env, stateDir, now });
  const status = await calendar.status({ from: first, to: addDays(last, 1) });
  const counts = countStates(status.days);
  ctx.stdout.write(
    `Calendar ${first} to ${addDays(last, 1)}: ` +
      Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ') +
      '.\n',
  );
  ctx.stdout.write(
    `See it:    audit-archive status --target ${settings.archive.target} --state-dir ${stateDir} --from ${first}\n` +
      `Verify it: audit-archive verify --target ${settings.archive.target} --state-dir ${stateDir} --from ${first}\n`,
  );
  ctx.stdout.write(
    'The local folder is not WORM storage: this is a demo. Point --target at an s3:// bucket with Object Lock for real use.\n',
  );
  return summary.cancelled ? 1 : 0;
}
