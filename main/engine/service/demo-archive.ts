/**
 * The demo organisation's archive, filled from the built-in Genesys simulator by real exports, so a
 * new user sees a calendar that looks like a year of work: most days archived, a few recent gaps
 * that "Catch up now" can still fix, a day whose export failed, and old gaps beyond the Genesys
 * retention window (unrecoverable).
 *
 * The simulator used here keeps ten years, as if the older days had been archived back when
 * Genesys still held them; the calendar then judges recoverability by the usual window. Filling
 * again writes only what is missing (the archive is never rewritten), so an interrupted fill
 * simply carries on. Used by the app on its first run and by `audit-archive demo`.
 */
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession, simulatorSource } from '../archive/archive-session';
import type { CatchUpOptions, CatchUpSummary } from '../archive/catch-up';
import { startGenesysSimulator } from '../genesys/simulator/server';

/** Days the app's demo archive spans. */
export const DEMO_ARCHIVE_DAYS = 400;

/** Small, deterministic, weekday-shaped volumes: enough to look real, quick to archive. */
export function demoVolume(day: Day): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const n = Number(day.replaceAll('-', ''));
  const wobble = (n * 2654435761) % 97;
  return weekday === 0 || weekday === 6 ? 5 + (wobble % 15) : 60 + wobble;
}

interface DemoArchivePlan {
  readonly first: Day;
  readonly last: Day;
  /** Days left out on purpose (recent ones can be caught up; old ones are beyond Genesys retention). */
  readonly gaps: readonly Day[];
  /** A day whose export the simulator fails, so the calendar shows a failure and its reason. */
  readonly failed: readonly Day[];
}

/**
 * The app's demo: `days` days up to the last settled one, with two single-day gaps, a week-long
 * outage five weeks ago, one failed day and (for a history longer than the Genesys window) two old
 * unrecoverable days.
 */
export function appDemoPlan(nowMs: number, days: number = DEMO_ARCHIVE_DAYS): DemoArchivePlan {
  const last = lastSettledDay(nowMs, 120);
  const first = addDays(last, -(days - 1));
  const outage = days > 45 ? Array.from({ length: 7 }, (_, i) => addDays(last, -40 + i)) : [];
  const old = days >= 370 ? [addDays(first, 1), addDays(first, 2)] : [];
  const recent = [addDays(last, -4), ...(days > 20 ? [addDays(last, -16)] : [])];
  return { first, last, gaps: [...old, ...outage, ...recent].filter((d) => d >= first), failed: [addDays(last, -9)] };
}

interface FillDemoArchiveOptions {
  /** The demo archive (a `file://` URL). */
  readonly target: string;
  readonly stateDir: string;
  readonly plan: DemoArchivePlan;
  readonly now?: () => number;
  readonly env?: NodeJS.ProcessEnv;
  readonly program?: string;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: CatchUpOptions['onProgress'];
  /** Called once the days to export are known (before the first is exported). */
  readonly onPlan?: (days: readonly Day[]) => void;
  readonly onWarning?: (message: string) => void;
}

/** Exports every planned day not archived yet (gaps and pending days excepted) into the demo archive. */
export async function fillDemoArchive(options: FillDemoArchiveOptions): Promise<CatchUpSummary> {
  const now = options.now ?? Date.now;
  const { plan } = options;
  const skip = new Set(plan.gaps);
  const sim = await startGenesysSimulator({
    now,
    eventsPerDay: demoVolume,
    retentionDays: 3650,
    failQueryForDays: plan.failed,
    runningPolls: 0,
  });
  // The simulator keeps ten years, so the demo may archive days older than Genesys's usual 365.
  const settings = SettingsSchema.parse({
    demo: true,
    genesys: { retentionDays: 3650 },
    archive: { target: options.target, policyStartDate: plan.first, retentionDays: 2557 },
  });
  const session = await openArchiveSession(
    settings,
    {},
    {
      env: options.env ?? {},
      stateDir: options.stateDir,
      now,
      demoSource: simulatorSource(sim, now),
      program: options.program ?? 'the Audit Archive demo',
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    },
  );
  try {
    const before = await session.status({ from: plan.first, to: plan.last });
    const days = before.days
      .filter((s) => s.state !== 'archived' && s.state !== 'pending' && !skip.has(s.day))
      .map((s) => s.day);
    options.onPlan?.(days);
    return await session.runDays(days, {
      concurrency: options.concurrency ?? 4,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await session.close();
    await sim.close();
  }
}
