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
import { addDays, lastSettledDay, type Day } from '../../shared/day';
import { SettingsSchema } from '../../shared/settings';
import { openArchiveSession, simulatorSource } from '../engine/archive/archive-session';
import { countStates } from '../engine/archive/status';
import { startGenesysSimulator } from '../engine/genesys/simulator/server';
import type { CliContext } from './main';
import { bar, formatBytes, formatDuration, progressLine } from './progress';

export interface DemoOptions {
  readonly dir?: string | undefined;
  readonly days?: number | undefined;
}

/** Small, deterministic, weekday-shaped volumes: enough to look real, quick to archive. */
function demoVolume(day: Day): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const n = Number(day.replaceAll('-', ''));
  const wobble = (n * 2654435761) % 97;
  return weekday === 0 || weekday === 6 ? 5 + (wobble % 15) : 60 + wobble;
}

export async function runDemo(ctx: CliContext, options: DemoOptions): Promise<number> {
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
  const skip = new Set([...recentGaps, ...oldGaps]);

  const sim = await startGenesysSimulator({
    now,
    eventsPerDay: demoVolume,
    retentionDays: 3650,
    failQueryForDays: [failedDay],
    runningPolls: 0,
  });
  // The simulator keeps ten years, so the demo may archive days older than Genesys's usual 365;
  // the calendar shown afterwards judges recoverability by the usual window.
  const exportSettings = SettingsSchema.parse({
    demo: true,
    genesys: { retentionDays: 3650 },
    archive: { target: pathToFileURL(archiveDir).href, policyStartDate: first, retentionDays: 2557 },
    schedule: { concurrency: 4 },
  });
  const settings = { ...exportSettings, genesys: { ...exportSettings.genesys, retentionDays: 365 } };
  const warn = (w: string) => ctx.stderr.write(`audit-archive: ${w}\n`);
  const session = await openArchiveSession(
    exportSettings,
    {},
    {
      env: ctx.env,
      stateDir,
      now,
      demoSource: simulatorSource(sim, now),
      program: 'the audit-archive demo',
      onWarning: warn,
    },
  );
  try {
    ctx.stderr.write(
      `Demo archive in ${dir}: ${totalDays} days of a simulated Genesys organisation (${first} to ${last}).\n`,
    );
    // Every day not archived yet, old ones included (the simulator still has them), minus the planned gaps.
    const before = await session.status({ from: first, to: last });
    const days = before.days
      .filter((s) => s.state !== 'archived' && s.state !== 'pending' && !skip.has(s.day))
      .map((s) => s.day);
    const progress = progressLine(ctx.stderr);
    const summary = await session.runDays(days, {
      concurrency: 4,
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
  } finally {
    await session.close();
    await sim.close();
  }
}
