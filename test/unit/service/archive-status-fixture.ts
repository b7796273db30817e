/**
 * A userData folder whose demo archive holds real exports: the app's own layout (the demo archive
 * in `<userData>/demo-archive`, state in `<userData>/state`), filled from the Genesys simulator,
 * as the app's demo organisation fills it.
 *
 * Shared by the service test and the calendar UI test, so both look at what a real export wrote.
 */
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataKey } from '../../../shared/archive-layout';
import type { Day } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession, simulatorSource } from '../../../main/engine/archive/archive-session';
import { startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { demoArchiveDirIn, stateDirIn } from '../../../main/engine/archive/app-archive';

export interface FilledArchive {
  /** Events each archived day holds, as its manifest recorded them. */
  readonly events: ReadonlyMap<Day, number>;
}

/**
 * Exports `archive` days into the app's demo archive and attempts `failed` days, which the
 * simulator refuses, so the journal records their failure as a real run would. Each `tampered` day
 * (one of `archive`) then loses its first data part, and a verification records what it finds.
 */
export async function fillAppArchive(
  userDataDir: string,
  days: { archive: readonly Day[]; failed?: readonly Day[]; tampered?: readonly Day[] },
  now: () => number = Date.now,
): Promise<FilledArchive> {
  const failed = days.failed ?? [];
  const sim = await startGenesysSimulator({ now, eventsPerDay: 40, failQueryForDays: failed, runningPolls: 0 });
  const settings = SettingsSchema.parse({
    demo: true,
    archive: { target: pathToFileURL(demoArchiveDirIn(userDataDir)).href },
  });
  const session = await openArchiveSession(
    settings,
    {},
    { env: {}, stateDir: stateDirIn(userDataDir), now, demoSource: simulatorSource(sim, now) },
  );
  const events = new Map<Day, number>();
  try {
    for (const day of days.archive) {
      const result = await session.exportDay(day);
      events.set(day, result.manifest.dayEventsTotal);
    }
    for (const day of failed) {
      await session.exportDay(day).then(
        () => {
          throw new Error(`the simulator was told to fail ${day}, but it was archived`);
        },
        () => undefined,
      );
    }
    for (const day of days.tampered ?? []) {
      await unlink(path.join(demoArchiveDirIn(userDataDir), ...dataKey('', day, 1).split('/')));
      await session.verify({ from: day, to: day, full: false });
    }
  } finally {
    await session.close();
    await sim.close();
  }
  return { events };
}
