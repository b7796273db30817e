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
 * follows clock and time-zone changes too. Settings are re-read at each check (only the schedule's
 * part of them, `SchedulePlan`), so turning the
 * schedule off or moving its time applies within a minute, without a restart.
 */
import { dayFromMs, dayStartMs, lastSettledDay, type Day } from '../../../shared/day';
import type { Settings } from '../../../shared/settings';
import type { CatchUpSummary } from '../archive/catch-up';

/** How often the wall clock and the settings are checked (a run never waits longer than this past its time). */
const SCHEDULE_CHECK_MS = 60_000;

/** What a catch-up reports back to the schedule. */
export type CatchUpOutcome = CatchUpSummary & { readonly from: Day; readonly to: Day };

/** Why a run started. */
type ScheduledRunReason =
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

type TimerHandle = unknown;

/** What the schedule reads of the settings at each check: its own part, and when a UTC day settles. */
interface SchedulePlan {
  readonly enabled: boolean;
  /** Local wall-clock 'HH:MM'. */
  readonly time: string;
  /** How long after a UTC day ends it counts as settled (settings.archive.settlementMinutes). */
  readonly settlementMinutes: number;
}

/** The schedule's part of the app's settings. */
export function schedulePlanOf(settings: Settings): SchedulePlan {
  return {
    enabled: settings.schedule.enabled,
    time: settings.schedule.time,
    settlementMinutes: settings.archive.settlementMinutes,
  };
}

export interface DailyScheduleOptions {
  /** The schedule's settings as they are now; called at every check (from SettingsFile.load in the app). */
  readonly loadPlan: () => Promise<SchedulePlan>;
  /** Runs the default catch-up; `signal` aborts it when the schedule stops (the app quits). */
  readonly runCatchUp: (signal: AbortSignal) => Promise<CatchUpOutcome>;
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
  const loop = new ScheduleLoop(options);
  void loop.check();
  return {
    stop: () => loop.stop(),
    nextRunAt: () => loop.nextRunAt(),
    runNow: () => loop.runNow(),
    reschedule: () => loop.check(),
    isRunning: () => loop.isRunning(),
    timeZone: loop.timeZone,
  };
}

/** Calls a listener; a broken one must not stop the schedule. */
function report<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch {
    // A broken listener must not stop the schedule.
  }
}

/** The default timer: setTimeout, unref'd so a CLI or test process is never kept alive by the schedule. */
function unrefTimer(fire: () => void, ms: number): TimerHandle {
  const t = setTimeout(fire, ms);
  t.unref();
  return t;
}

/** The schedule's state between checks: the timer, the run under way, and when the next run is due. */
class ScheduleLoop {
  readonly timeZone: string;
  private readonly now: () => number;
  private readonly setTimer: (fire: () => void, ms: number) => TimerHandle;
  private readonly clearTimer: (handle: TimerHandle) => void;
  private stopped = false;
  private timer: TimerHandle | null = null;
  private running: Promise<ScheduledRun> | null = null;
  private abort: AbortController | null = null;
  /** Runs are due after this instant (the end of the last run recorded, or start). */
  private anchor: number;
  private anchorLoaded: boolean;
  /** The schedule settings the anchor was taken under; a change re-anchors at "now". */
  private planned: { enabled: boolean; time: string } | null = null;
  private followUpAt: number | null = null;
  private due: number | null = null;

  constructor(private readonly options: DailyScheduleOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? unrefTimer;
    this.clearTimer = options.clearTimer ?? ((h: TimerHandle) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.timeZone = options.timeZone ?? localTimeZone();
    this.anchor = this.now();
    this.anchorLoaded = options.lastRunAt === undefined;
  }

  nextRunAt(): number | null {
    return this.stopped ? null : this.due;
  }

  isRunning(): boolean {
    return this.running !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.due = null;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.abort?.abort();
    if (this.running) await this.running;
  }

  async runNow(): Promise<ScheduledRun> {
    if (this.running) return this.running;
    let plan: SchedulePlan;
    try {
      plan = await this.options.loadPlan();
    } catch (error) {
      const t = this.now();
      const failed: ScheduledRun = { reason: 'requested', startedAt: t, finishedAt: t, ok: false, error };
      report(this.options.onError, error);
      report(this.options.onRun, failed);
      return failed;
    }
    if (this.running) return this.running;
    return this.run('requested', plan);
  }

  /** Re-reads the settings, works out when the next run is due, and runs it if that is now. */
  async check(): Promise<void> {
    if (this.stopped || this.running) return;
    const plan = await this.loadForCheck();
    if (!plan || this.stopped || this.running) return;
    const t = this.now();
    const { enabled, time } = plan;
    if (this.planned && (this.planned.enabled !== enabled || this.planned.time !== time)) {
      // Turned on again or moved: the next run is the next occurrence from now, not a missed one.
      this.anchor = t;
      this.followUpAt = null;
    }
    this.planned = { enabled, time };
    if (!enabled) {
      this.due = null;
      this.arm(SCHEDULE_CHECK_MS);
      report(this.options.onPlanned, null);
      return;
    }
    const daily = nextRunAt(this.anchor, time, this.timeZone);
    const due = this.followUpAt !== null && this.followUpAt < daily ? this.followUpAt : daily;
    this.due = due;
    if (t >= due) {
      void this.run(due === this.followUpAt ? 'settled' : t - due > MISSED_AFTER_MS ? 'missed' : 'daily', plan);
      return;
    }
    this.arm(due - t);
    report(this.options.onPlanned, due);
  }

  /** The plan for a check (and, the first time, the last run recorded); null when it could not be read. */
  private async loadForCheck(): Promise<SchedulePlan | null> {
    try {
      if (!this.anchorLoaded) {
        const last = await this.options.lastRunAt?.();
        this.anchorLoaded = true;
        if (typeof last === 'number' && Number.isFinite(last)) this.anchor = last;
      }
      return await this.options.loadPlan();
    } catch (error) {
      report(this.options.onError, error);
      this.arm(SCHEDULE_CHECK_MS);
      return null;
    }
  }

  private arm(delayMs: number): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.stopped
      ? null
      : this.setTimer(() => void this.check(), Math.max(1, Math.min(delayMs, SCHEDULE_CHECK_MS)));
  }

  private run(reason: ScheduledRunReason, plan: SchedulePlan): Promise<ScheduledRun> {
    const controller = new AbortController();
    this.abort = controller;
    const startedAt = this.now();
    report(this.options.onRunStarted, reason);
    const running = this.catchUp(reason, startedAt, controller.signal).then((result) => {
      this.finished(result, startedAt, plan.settlementMinutes);
      return result;
    });
    this.running = running;
    return running;
  }

  private async catchUp(reason: ScheduledRunReason, startedAt: number, signal: AbortSignal): Promise<ScheduledRun> {
    try {
      const outcome = await this.options.runCatchUp(signal);
      return { reason, startedAt, finishedAt: this.now(), ok: true, outcome };
    } catch (error) {
      return { reason, startedAt, finishedAt: this.now(), ok: false, error };
    }
  }

  /** A run ended: the next ones are due after it (and a follow-up once yesterday settles, if needed). */
  private finished(result: ScheduledRun, startedAt: number, settlementMinutes: number): void {
    this.running = null;
    this.abort = null;
    this.anchor = result.finishedAt;
    this.followUpAt = settlementFollowUp(startedAt, settlementMinutes);
    if (!result.ok) report(this.options.onError, result.error);
    report(this.options.onRun, result);
    void this.check();
  }
}
