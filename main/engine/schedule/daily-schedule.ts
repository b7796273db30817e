/**
 * The daily schedule: "archive yesterday, every day, without me".
 *
 * Once a day at the configured local wall-clock time (settings.schedule.time, default 02:00) it runs
 * the default catch-up: every missing or failed day Genesys still holds, up to the last settled UTC
 * day. Failures of single days are recorded by the catch-up in the run journal (the calendar shows
 * them failed) and retried by the next run, so the schedule itself only reports and carries on.
 *
 * Why a short check timer instead of one long timer: Node's timers run on the monotonic clock,
 * which on Linux stops while a laptop sleeps, so a timer set for 02:00 would fire hours late after a
 * night asleep. Checking the wall clock every minute runs a missed time once, soon after wake, and
 * follows clock and time-zone changes too. Settings are re-read at each check, so turning the
 * schedule off or moving its time applies within a minute, without a restart.
 */
import { dayFromMs, dayStartMs, lastSettledDay, type Day } from '../../../shared/day';
import type { Settings } from '../../../shared/settings';
import type { CatchUpSummary } from '../archive/catch-up';

/** How often the wall clock and the settings are checked (a run never waits longer than this past its time). */
export const SCHEDULE_CHECK_MS = 60_000;

/** What a catch-up reports back to the schedule. */
export type CatchUpOutcome = CatchUpSummary & { readonly from: Day; readonly to: Day };

/** Why a run started. */
export type ScheduledRunReason =
  /** The configured daily time came (within a check or two of it). */
  | 'daily'
  /** The configured time passed while the app was closed or the machine asleep: made up once, late. */
  | 'missed'
  /** The previous UTC day was not settled yet at the daily run, so a second run follows once it is. */
  | 'settled'
  /** Someone asked (runNow). */
  | 'requested';

/** One run of the schedule, reported through `onRun`. */
export type ScheduledRun = {
  readonly reason: ScheduledRunReason;
  readonly startedAt: number;
  readonly finishedAt: number;
} & ({ readonly ok: true; readonly outcome: CatchUpOutcome } | { readonly ok: false; readonly error: unknown });

export type TimerHandle = unknown;

export interface DailyScheduleOptions {
  /** Current settings; called at every check (SettingsFile.load in the app). */
  readonly loadSettings: () => Promise<Settings>;
  /** Runs the default catch-up; `signal` aborts it when the schedule stops (the app quits). */
  readonly runCatchUp: (settings: Settings, signal: AbortSignal) => Promise<CatchUpOutcome>;
  /**
   * When the last run ended, as recorded across app starts (null: never). Runs are due after it,
   * so a time that passed while the app was closed is made up once at start. Without it (or with
   * nothing recorded) runs are due after the schedule starts.
   */
  readonly lastRunAt?: () => Promise<number | null>;
  /** A run is starting (the app shows it). */
  readonly onRunStarted?: (reason: ScheduledRunReason) => void;
  /**
   * A check decided that nothing runs now: the next run is due at this instant (null: the schedule
   * is off). Said after every check that did not start a run, so after a run too.
   */
  readonly onPlanned?: (dueAt: number | null) => void;
  /** Wall clock. Default: Date.now. */
  readonly now?: () => number;
  /** Default: setTimeout (unref'd, so a CLI or test process is never kept alive by the schedule). */
  readonly setTimer?: (fire: () => void, ms: number) => TimerHandle;
  readonly clearTimer?: (handle: TimerHandle) => void;
  /** IANA zone of the daily time. Default: the process's local zone. */
  readonly timeZone?: string;
  /** Every run, successful or not. */
  readonly onRun?: (run: ScheduledRun) => void;
  /** A run that threw, or settings that could not be read (the schedule keeps going). */
  readonly onError?: (error: unknown) => void;
}

export interface DailySchedule {
  /** Stops checking and aborts a run under way; resolves once that run has ended. */
  stop(): Promise<void>;
  /** When the next run is due (epoch ms), or null while the schedule is off or stopped. */
  nextRunAt(): number | null;
  /** Runs the catch-up now (even while the schedule is off: someone asked), or joins the run under way; never rejects. */
  runNow(): Promise<ScheduledRun>;
  /** Re-reads the settings and plans the next run at once (after Settings were saved, or on wake). */
  reschedule(): Promise<void>;
  /** Whether a run is under way. */
  isRunning(): boolean;
  /** The IANA zone the daily time is read in. */
  readonly timeZone: string;
}

/** A run this late after its time was missed (app closed, machine asleep), not merely checked late. */
const MISSED_AFTER_MS = 2 * SCHEDULE_CHECK_MS;

/** Wall-clock formatters per zone (creating one costs far more than using it). */
const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The local wall-clock time of `ms` in `timeZone`, expressed as if it were a UTC instant. */
function wallClock(ms: number, timeZone: string): number {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormats.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const wholeSeconds = Date.UTC(
    part.year ?? 1970,
    (part.month ?? 1) - 1,
    part.day ?? 1,
    part.hour ?? 0,
    part.minute ?? 0,
    part.second ?? 0,
  );
  return wholeSeconds + (((ms % 1000) + 1000) % 1000);
}

/**
 * The instant a local date's run is due: the first instant whose wall clock reads `wall` or later.
 *
 * On a fall-back day the wall time exists twice and the first one is taken; on a spring-forward day
 * it may not exist at all, and the run is due at the transition (the first valid instant after it).
 */
function occurrence(wall: number, timeZone: string): number {
  const offsetNear = (ms: number) => wallClock(ms, timeZone) - ms;
  const offsets = new Set([offsetNear(wall - 86_400_000), offsetNear(wall), offsetNear(wall + 86_400_000)]);
  const exact = [...offsets].map((o) => wall - o).filter((t) => wallClock(t, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // A gap: wall clocks jump over `wall` somewhere between these instants; find the jump.
  let lo = wall - Math.max(...offsets); // reads before `wall`
  let hi = wall - Math.min(...offsets); // reads after `wall`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The process's local zone (follows TZ). */
function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The next daily occurrence of `time` (local 'HH:MM') strictly after `nowMs`.
 *
 * One occurrence per local calendar date, so a repeated hour on a fall-back night runs once and a
 * skipped one on a spring-forward night runs at the first instant after the jump.
 */
export function nextRunAt(nowMs: number, time: string, timeZone: string = localTimeZone()): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`The schedule time "${time}" is not a 24-hour HH:MM time.`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const today = new Date(wallClock(nowMs, timeZone));
  for (let d = -1; d <= 2; d++) {
    const wall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + d, hour, minute);
    const due = occurrence(wall, timeZone);
    if (due > nowMs) return due;
  }
  throw new Error(`No occurrence of ${time} in ${timeZone} within two days of ${new Date(nowMs).toISOString()}.`);
}

/**
 * When a run at `ranAt` left the previous UTC day for later because it had not settled: that day's
 * settlement instant; otherwise null.
 *
 * East of UTC (London in summer, Europe) 02:00 local comes before yesterday-UTC settles, and
 * without this second run every daily run would archive the day before yesterday.
 */
export function settlementFollowUp(ranAt: number, settlementMinutes: number): number | null {
  const todayUtc = dayFromMs(ranAt);
  const previousUtcDayEnd = dayStartMs(todayUtc);
  if (lastSettledDay(ranAt, settlementMinutes) >= dayFromMs(previousUtcDayEnd - 1)) return null;
  return previousUtcDayEnd + settlementMinutes * 60_000;
}

export function startDailySchedule(options: DailyScheduleOptions): DailySchedule {
  const now = options.now ?? Date.now;
  const setTimer =
    options.setTimer ??
    ((fire: () => void, ms: number) => {
      const t = setTimeout(fire, ms);
      t.unref();
      return t;
    });
  const clearTimer = options.clearTimer ?? ((h: TimerHandle) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const timeZone = options.timeZone ?? localTimeZone();

  let stopped = false;
  let timer: TimerHandle | null = null;
  let running: Promise<ScheduledRun> | null = null;
  let abort: AbortController | null = null;
  /** Runs are due after this instant (the end of the last run recorded, or start). */
  let anchor = now();
  let anchorLoaded = options.lastRunAt === undefined;
  /** The schedule settings the anchor was taken under; a change re-anchors at "now". */
  let planned: { enabled: boolean; time: string } | null = null;
  let followUpAt: number | null = null;
  let due: number | null = null;

  const report = <T>(callback: ((value: T) => void) | undefined, value: T) => {
    try {
      callback?.(value);
    } catch {
      // A broken listener must not stop the schedule.
    }
  };

  const arm = (delayMs: number) => {
    if (timer !== null) clearTimer(timer);
    timer = stopped ? null : setTimer(() => void check(), Math.max(1, Math.min(delayMs, SCHEDULE_CHECK_MS)));
  };

  const run = (reason: ScheduledRunReason, settings: Settings): Promise<ScheduledRun> => {
    const controller = new AbortController();
    abort = controller;
    const startedAt = now();
    report(options.onRunStarted, reason);
    const finish = async (): Promise<ScheduledRun> => {
      try {
        const outcome = await options.runCatchUp(settings, controller.signal);
        return { reason, startedAt, finishedAt: now(), ok: true, outcome };
      } catch (error) {
        return { reason, startedAt, finishedAt: now(), ok: false, error };
      }
    };
    running = finish().then((result) => {
      running = null;
      abort = null;
      anchor = result.finishedAt;
      followUpAt = settlementFollowUp(startedAt, settings.archive.settlementMinutes);
      if (!result.ok) report(options.onError, result.error);
      report(options.onRun, result);
      void check();
      return result;
    });
    return running;
  };

  /** Re-reads the settings, works out when the next run is due, and runs it if that is now. */
  const check = async (): Promise<void> => {
    if (stopped || running) return;
    let settings: Settings;
    try {
      if (!anchorLoaded) {
        const last = await options.lastRunAt?.();
        anchorLoaded = true;
        if (typeof last === 'number' && Number.isFinite(last)) anchor = last;
      }
      settings = await options.loadSettings();
    } catch (error) {
      report(options.onError, error);
      arm(SCHEDULE_CHECK_MS);
      return;
    }
    if (stopped || running) return;
    const t = now();
    const { enabled, time } = settings.schedule;
    if (planned && (planned.enabled !== enabled || planned.time !== time)) {
      // Turned on again or moved: the next run is the next occurrence from now, not a missed one.
      anchor = t;
      followUpAt = null;
    }
    planned = { enabled, time };
    if (!enabled) {
      due = null;
      arm(SCHEDULE_CHECK_MS);
      report(options.onPlanned, null);
      return;
    }
    const daily = nextRunAt(anchor, time, timeZone);
    due = followUpAt !== null && followUpAt < daily ? followUpAt : daily;
    if (t >= due) {
      void run(due === followUpAt ? 'settled' : t - due > MISSED_AFTER_MS ? 'missed' : 'daily', settings);
      return;
    }
    arm(due - t);
    report(options.onPlanned, due);
  };

  void check();

  return {
    async stop() {
      stopped = true;
      due = null;
      if (timer !== null) clearTimer(timer);
      timer = null;
      abort?.abort();
      if (running) await running;
    },
    nextRunAt: () => (stopped ? null : due),
    async runNow() {
      if (running) return running;
      let settings: Settings;
      try {
        settings = await options.loadSettings();
      } catch (error) {
        const t = now();
        const failed: ScheduledRun = { reason: 'requested', startedAt: t, finishedAt: t, ok: false, error };
        report(options.onError, error);
        report(options.onRun, failed);
        return failed;
      }
      if (running) return running;
      return run('requested', settings);
    },
    reschedule: () => check(),
    isRunning: () => running !== null,
    timeZone,
  };
}
