import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession, simulatorSource, type ArchiveSession } from '../../../main/engine/archive/archive-session';
import { planCatchUp } from '../../../main/engine/archive/catch-up';
import { journalFailure, RunJournal } from '../../../main/engine/archive/run-journal';
import { archivedDayStatus, failedDayStatus } from '../../../main/engine/archive/status';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { archivedEventIds } from './verify-archive.helpers';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const LAST = lastSettledDay(NOW, 120);
const FIRST = addDays(LAST, -7);
const DAYS: Day[] = [...eachDay(FIRST, LAST)];

describe('catching up the gaps', () => {
  let dir: string;
  let sim: GenesysSimulator;
  let store: LocalFolderStore;
  let session: ArchiveSession;

  async function open() {
    const settings = SettingsSchema.parse({ archive: { target: store.url, maxPartBytes: 4096 } });
    return openArchiveSession(
      settings,
      {},
      { env: {}, stateDir: join(dir, 'state'), now: () => NOW, store, demoSource: simulatorSource(sim, () => NOW) },
    );
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catch-up-'));
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 150, duplicateRate: 0.2 });
    store = new LocalFolderStore({ root: join(dir, 'archive') });
    session = await open();
  });
  afterEach(async () => {
    await session.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans missing and failed days oldest first, and leaves unrecoverable, tampered and pending days out', () => {
    const plan = planCatchUp([
      { day: '2026-11-03', state: 'missing' },
      { day: '2026-11-01', state: 'failed', error: 'x' },
      { day: '2026-10-01', state: 'unrecoverable' },
      { day: '2026-11-02', state: 'archived' },
      { day: '2026-11-04', state: 'tampered' },
      { day: '2026-11-28', state: 'pending' },
    ]);
    expect(plan.days).toEqual(['2026-11-01', '2026-11-03']);
    expect(plan.skipped).toEqual({ unrecoverable: 1, tampered: 1, pending: 1 });
  });

  it('archives every missing day exactly once, with progress and never more days at once than allowed', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const finishedOrder: Day[] = [];
    let lastEta: number | null = null;
    const summary = await session.catchUp(
      { from: FIRST, to: LAST },
      {
        concurrency: 3,
        onProgress: (event, totals) => {
          if (event.kind === 'day-started') maxInFlight = Math.max(maxInFlight, ++inFlight);
          if (event.kind === 'day-archived' || event.kind === 'day-failed') {
            inFlight -= 1;
            finishedOrder.push(event.day);
            lastEta = totals.etaMs;
          }
        },
      },
    );
    expect(summary).toMatchObject({ archived: DAYS.length, failed: [], cancelled: false });
    expect(maxInFlight).toBe(3);
    expect(finishedOrder.sort()).toEqual(DAYS);
    expect(lastEta).toBe(0);
    let total = 0;
    for (const day of DAYS) {
      const ids = await archivedEventIds(store, day);
      expect(ids.sort()).toEqual(sim.expectedEventIds(day).sort());
      total += ids.length;
    }
    expect(summary.events).toBe(total);

    const again = await session.catchUp({ from: FIRST, to: LAST }, { concurrency: 3 });
    expect(again.plan.days).toEqual([]);
    expect(again.archived).toBe(0);
  });

  it('a day whose Genesys query fails is recorded as failed while the others are archived, and a rerun fixes it', async () => {
    const bad = addDays(FIRST, 2);
    sim.setOptions({ failQueryForDays: [bad] });
    const summary = await session.catchUp({ from: FIRST, to: LAST }, { concurrency: 2 });
    expect(summary.archived).toBe(DAYS.length - 1);
    expect(summary.failed).toEqual([{ day: bad, code: 'GENESYS_QUERY_FAILED', message: expect.stringContaining(bad) }]);

    const status = await session.status({ from: FIRST, to: LAST });
    expect(status.days.find((d) => d.day === bad)).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('GENESYS_QUERY_FAILED'),
    });
    expect(status.days.filter((d) => d.state === 'archived')).toHaveLength(DAYS.length - 1);

    sim.setOptions({ failQueryForDays: [] });
    const rerun = await session.catchUp({ from: FIRST, to: LAST }, { concurrency: 2 });
    expect(rerun.plan.days).toEqual([bad]);
    expect(rerun.failed).toEqual([]);
    expect((await archivedEventIds(store, bad)).sort()).toEqual(sim.expectedEventIds(bad).sort());
    const after = await session.status({ from: bad, to: bad });
    expect(after.days[0]).toMatchObject({ state: 'archived', events: sim.expectedEventCount(bad) });
  });

  it('the day states a run shows live are the ones the calendar shows afterwards, failure text included', async () => {
    const bad = addDays(FIRST, 1);
    sim.setOptions({ failQueryForDays: [bad] });
    const live = new Map<Day, DayStatus>();
    await session.catchUp(
      { from: FIRST, to: LAST },
      {
        concurrency: 2,
        onProgress: (event) => {
          if (event.kind === 'day-archived') live.set(event.day, archivedDayStatus(event.day, event.dayEvents));
          if (event.kind === 'day-failed')
            live.set(
              event.day,
              failedDayStatus(event.day, journalFailure(event.code, event.message, new Date(event.at))),
            );
        },
      },
    );
    const calendar = (await session.status({ from: FIRST, to: LAST })).days;
    expect(live.get(bad)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^GENESYS_QUERY_FAILED: .* \(at /),
    });
    expect(calendar).toEqual(DAYS.map((day) => live.get(day)));
  });

  it('a run cancelled mid-day, then run again, archives every event exactly once', async () => {
    const controller = new AbortController();
    const first = await session.catchUp(
      { from: FIRST, to: LAST },
      {
        concurrency: 2,
        signal: controller.signal,
        onProgress: (event) => {
          // Stop once a few parts are stored, in the middle of some day.
          if (event.kind === 'day-progress' && event.bytes > 0 && event.day === addDays(FIRST, 3)) controller.abort();
        },
      },
    );
    expect(first.cancelled).toBe(true);
    expect(first.archived).toBeLessThan(DAYS.length);

    await session.close();
    session = await open();
    expect(session.journal.catchUp).not.toBeNull(); // the interrupted run is remembered for display
    const second = await session.catchUp({ from: FIRST, to: LAST }, { concurrency: 2 });
    expect(second.failed).toEqual([]);
    expect(first.archived + second.archived).toBe(DAYS.length);
    for (const day of DAYS) {
      const ids = await archivedEventIds(store, day);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(sim.expectedEventIds(day).sort());
    }
    expect((await session.verify({ full: true })).ok).toBe(true);
    expect((await RunJournal.open(join(dir, 'state'), store.url)).catchUp).toBeNull();
  });
});
