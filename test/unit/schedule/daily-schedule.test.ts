/**
 * The daily schedule with a controlled wall clock and timer: it runs at the configured time, follows
 * Settings without a restart, never overlaps runs, survives failures, and runs once after a sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditArchiveError } from '../../../shared/errors';
import { SettingsSchema, type Settings, type SettingsInput } from '../../../shared/settings';
import {
  schedulePlanOf,
  startDailySchedule,
  type CatchUpOutcome,
  type DailySchedule,
  type ScheduledRun,
} from '../../../main/engine/schedule/daily-schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Lets pending promise callbacks (settings reads, run completions) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A wall clock and a timer queue the test moves by hand. `sleep` moves the wall clock without
 * firing anything, as a suspended laptop does, and the overdue timer fires on wake.
 */
class FakeTime {
  now: number;
  #timers = new Map<number, { at: number; fire: () => void }>();
  #seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  setTimer = (fire: () => void, ms: number): number => {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.now + ms, fire });
    return id;
  };

  clearTimer = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Fires every timer due up to `target`, in order, moving the clock to each. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = [...this.#timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > target) break;
      this.#timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fire();
      await settle();
    }
    this.now = target;
    await settle();
  }

  /** Asleep until `wake`: no timer fires meanwhile; then every overdue timer fires once, late. */
  async sleepUntil(wake: number): Promise<void> {
    await settle();
    this.now = wake;
    const overdue = [...this.#timers.entries()];
    this.#timers.clear();
    for (const [, t] of overdue) t.fire();
    await settle();
  }
}

function outcome(archived: number, failed = 0): CatchUpOutcome {
  return {
    archived,
    alreadyArchived: 0,
    failed: Array.from({ length: failed }, () => ({ day: '2026-01-14', code: 'GENESYS_UNAVAILABLE', message: 'down' })),
    notStarted: 0,
    cancelled: false,
    events: archived * 10,
    bytes: archived * 100,
    elapsedMs: 0,
    from: '2025-01-15',
    to: '2026-01-14',
  };
}

interface Harness {
  time: FakeTime;
  schedule: DailySchedule;
  /** When each catch-up started (wall clock). */
  calls: number[];
  runs: ScheduledRun[];
  errors: unknown[];
  settings: { value: Settings };
}

let running: DailySchedule | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

function start(
  startIso: string,
  input: SettingsInput,
  options: { timeZone?: string; runCatchUp?: (signal: AbortSignal) => Promise<CatchUpOutcome> } = {},
): Harness {
  const time = new FakeTime(at(startIso));
  const settings = { value: SettingsSchema.parse(input) };
  const calls: number[] = [];
  const runs: ScheduledRun[] = [];
  const errors: unknown[] = [];
  const schedule = startDailySchedule({
    loadPlan: async () => schedulePlanOf(settings.value),
    runCatchUp: async (signal) => {
      calls.push(time.now);
      return options.runCatchUp ? options.runCatchUp(signal) : outcome(1);
    },
    now: () => time.now,
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    timeZone: options.timeZone ?? 'UTC',
    onRun: (r) => runs.push(r),
    onError: (e) => errors.push(e),
  });
  running = schedule;
  return { time, schedule, calls, runs, errors, settings };
}

describe('the daily schedule', () => {
  it('archives at 02:00 every day, and not before', async () => {
    const h = start('2026-01-15T12:00:00Z', {});
    await h.time.advanceTo(at('2026-01-15T12:00:01Z'));
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-16T02:00:00.000Z');

    await h.time.advanceTo(at('2026-01-16T01:59:59Z'));
    expect(h.calls).toEqual([]);

    await h.time.advanceTo(at('2026-01-17T12:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-16T02:00:00.000Z', '2026-01-17T02:00:00.000Z']);
    expect(h.runs.map((r) => [r.reason, r.ok])).toEqual([
      ['daily', true],
      ['daily', true],
    ]);
    expect(h.runs[0]?.ok && h.runs[0].outcome.archived).toBe(1);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-18T02:00:00.000Z');
  });

  it('does not run while turned off in Settings, and turned on again runs at the next 02:00, not at once', async () => {
    const h = start('2026-01-15T12:00:00Z', { schedule: { enabled: false } });
    await h.time.advanceTo(at('2026-01-17T12:00:00Z'));
    expect(h.calls).toEqual([]);
    expect(h.schedule.nextRunAt()).toBeNull();
    expect(h.time.pendingTimers).toBe(1); // still checking, so turning it on needs no restart

    h.settings.value = SettingsSchema.parse({ schedule: { enabled: true } });
    await h.time.advanceTo(at('2026-01-17T12:02:00Z'));
    expect(h.calls).toEqual([]);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-18T02:00:00.000Z');

    await h.time.advanceTo(at('2026-01-18T02:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-18T02:00:00.000Z']);
  });

  it('moves the next run when the time changes in Settings, without a restart', async () => {
    const h = start('2026-01-15T12:00:00Z', {});
    await h.time.advanceTo(at('2026-01-15T12:00:01Z'));
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-16T02:00:00.000Z');

    h.settings.value = SettingsSchema.parse({ schedule: { time: '18:30' } });
    await h.time.advanceTo(at('2026-01-15T12:01:30Z'));
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-15T18:30:00.000Z');

    await h.time.advanceTo(at('2026-01-16T12:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-15T18:30:00.000Z']);
  });

  it('a time moved to one already past today waits for tomorrow instead of running at once', async () => {
    const h = start('2026-01-15T12:00:00Z', {});
    await h.time.advanceTo(at('2026-01-16T12:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-16T02:00:00.000Z']);

    h.settings.value = SettingsSchema.parse({ schedule: { time: '09:00' } });
    await h.schedule.reschedule();
    expect(h.calls).toHaveLength(1);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-17T09:00:00.000Z');
  });

  it('never runs two catch-ups at once: "run now" during the nightly run joins it', async () => {
    let release: (value: CatchUpOutcome) => void = () => undefined;
    const h = start('2026-01-15T12:00:00Z', {}, { runCatchUp: () => new Promise((resolve) => (release = resolve)) });

    await h.time.advanceTo(at('2026-01-16T02:00:00Z'));
    expect(h.calls).toHaveLength(1);

    const joined = h.schedule.runNow();
    await h.time.advanceTo(at('2026-01-16T04:00:00Z'));
    expect(h.calls).toHaveLength(1);
    expect(h.time.pendingTimers).toBe(0); // no check while the run is under way

    release(outcome(3));
    const run = await joined;
    expect(run.reason).toBe('daily');
    expect(run.ok && run.outcome.archived).toBe(3);
    await h.time.advanceTo(at('2026-01-16T12:00:00Z'));
    expect(h.calls).toHaveLength(1);
    expect(h.runs).toHaveLength(1);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-17T02:00:00.000Z');
  });

  it('a run that fails (Genesys down) is reported, and the next night runs again', async () => {
    let failNext = true;
    const h = start(
      '2026-01-15T12:00:00Z',
      {},
      {
        runCatchUp: async () => {
          if (failNext) {
            failNext = false;
            throw new AuditArchiveError('GENESYS_UNAVAILABLE', 'Genesys Cloud did not answer; the next run retries.');
          }
          return outcome(2);
        },
      },
    );

    await h.time.advanceTo(at('2026-01-16T12:00:00Z'));
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]?.ok).toBe(false);
    expect(h.errors).toHaveLength(1);
    expect((h.errors[0] as AuditArchiveError).code).toBe('GENESYS_UNAVAILABLE');
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-17T02:00:00.000Z');

    await h.time.advanceTo(at('2026-01-17T12:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-16T02:00:00.000Z', '2026-01-17T02:00:00.000Z']);
    expect(h.runs[1]?.ok && h.runs[1].outcome.archived).toBe(2);
  });

  it('a catch-up that reports failed days is passed on as it is, and the schedule carries on', async () => {
    const h = start('2026-01-15T12:00:00Z', {}, { runCatchUp: async () => outcome(4, 2) });
    await h.time.advanceTo(at('2026-01-16T03:00:00Z'));
    expect(h.runs[0]?.ok && [h.runs[0].outcome.archived, h.runs[0].outcome.failed.length]).toEqual([4, 2]);
    expect(h.errors).toEqual([]);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-17T02:00:00.000Z');
  });

  it('a laptop asleep through 02:00 runs once on wake, then at 02:00 the next night', async () => {
    const h = start('2026-01-15T22:00:00Z', {});
    await h.time.advanceTo(at('2026-01-15T23:00:00Z'));
    await h.time.sleepUntil(at('2026-01-16T08:30:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-16T08:30:00.000Z']);

    await h.time.advanceTo(at('2026-01-16T23:00:00Z'));
    expect(h.calls).toHaveLength(1);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-01-17T02:00:00.000Z');
  });

  it('a laptop asleep for three nights catches up in one run on wake, not three', async () => {
    const h = start('2026-01-15T22:00:00Z', {});
    await h.time.advanceTo(at('2026-01-15T22:00:01Z'));
    await h.time.sleepUntil(at('2026-01-19T08:30:00Z'));
    await h.time.advanceTo(at('2026-01-19T23:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-01-19T08:30:00.000Z']);
  });

  it('in London summer, runs at 02:00 BST and again at 03:00 BST once yesterday (UTC) has settled', async () => {
    const h = start('2026-06-10T12:00:00Z', {}, { timeZone: 'Europe/London' });
    await h.time.advanceTo(at('2026-06-11T12:00:00Z'));
    expect(h.calls.map(iso)).toEqual(['2026-06-11T01:00:00.000Z', '2026-06-11T02:00:00.000Z']);
    expect(h.runs.map((r) => r.reason)).toEqual(['daily', 'settled']);
    expect(iso(h.schedule.nextRunAt())).toBe('2026-06-12T01:00:00.000Z');
  });

  it('stopping (the app quits) cancels a run under way and nothing runs afterwards', async () => {
    let seen: AbortSignal | null = null;
    const h = start(
      '2026-01-15T12:00:00Z',
      {},
      {
        runCatchUp: (signal) => {
          seen = signal;
          return new Promise((resolve) =>
            signal.addEventListener('abort', () => resolve({ ...outcome(0), cancelled: true })),
          );
        },
      },
    );
    await h.time.advanceTo(at('2026-01-16T02:00:00Z'));
    expect(h.calls).toHaveLength(1);

    await h.schedule.stop();
    expect((seen as AbortSignal | null)?.aborted).toBe(true);
    expect(h.schedule.nextRunAt()).toBeNull();
    await h.time.advanceTo(at('2026-01-20T12:00:00Z'));
    expect(h.calls).toHaveLength(1);
    expect(h.time.pendingTimers).toBe(0);
  });
});
