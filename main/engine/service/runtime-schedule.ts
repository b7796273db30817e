/**
 * The daily job as an app runtime runs it: started (or not) at open, run through the runtime's
 * jobs so the officer sees it like any catch-up, and its status pushed to the renderer whenever it
 * changes (a run starts, ends or is recorded, the next run is planned, settings are saved).
 */
import type { JobState } from '../../../shared/archive-jobs';
import type { ScheduleStatus } from '../../../shared/schedule-status';
import type { Settings } from '../../../shared/settings';
import { startAppSchedule, type AppScheduleOptions } from '../schedule/app-schedule';
import type { DailySchedule } from '../schedule/daily-schedule';
import type { ScheduleRecordFile } from '../schedule/schedule-record';
import type { SecretStore } from '../secrets/secret-store';
import type { AppEventHub } from './app-events';
import type { ArchiveJobs } from './archive-jobs';

interface RuntimeScheduleDeps {
  /** The schedule part of the current settings. */
  readonly loadSchedule: () => Promise<Settings['schedule']>;
  readonly record: ScheduleRecordFile;
  readonly events: AppEventHub;
  /** Keeps bookkeeping nobody awaits until it settles (the runtime's close waits for it). */
  readonly keep: (work: Promise<unknown>) => void;
  readonly onInternalError: (error: unknown) => void;
}

/** What starting the daily job in this process needs. */
interface RuntimeScheduleStart {
  readonly userDataDir: string;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  /** The clock the caller gave (none: the schedule's own default). */
  readonly now?: () => number;
  readonly timeZone?: string;
  readonly jobs: ArchiveJobs;
  readonly onWarning: (message: string) => void;
}

export class RuntimeSchedule {
  private daily: DailySchedule | null = null;
  private running = false;
  /** The next run the schedule last planned (undefined: none yet), so only a change is pushed. */
  private lastPlanned: number | null | undefined;

  constructor(private readonly deps: RuntimeScheduleDeps) {}

  /** The daily job, when this process runs it. */
  get schedule(): DailySchedule | null {
    return this.daily;
  }

  async status(): Promise<ScheduleStatus> {
    const [schedule, recorded] = await Promise.all([this.deps.loadSchedule(), this.deps.record.load()]);
    const next = this.daily?.nextRunAt() ?? null;
    return {
      active: this.daily !== null,
      enabled: schedule.enabled,
      time: schedule.time,
      timeZone: this.daily?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      running: this.running,
      lastRun: recorded.lastRun,
      failure: recorded.failure,
    };
  }

  /** Pushes the status to the renderer (kept as bookkeeping). */
  publish(): void {
    this.deps.keep(
      this.status().then(
        (s) => this.deps.events.emit('schedule', s),
        (e: unknown) => this.deps.onInternalError(e),
      ),
    );
  }

  /** Settings were saved: the daily job re-plans (when it runs here), and the status is pushed. */
  settingsSaved(): void {
    if (this.daily) this.deps.keep(this.daily.reschedule().then(() => this.publish()));
    else this.publish();
  }

  /** An officer's full catch-up that archived everything fixes what a failed night left. */
  jobFinished(job: JobState): void {
    if (job.kind === 'catch-up' && job.origin === 'officer' && job.phase === 'done' && job.days.failed === 0) {
      this.deps.keep(
        this.deps.record.clearFailure().then(
          () => this.publish(),
          () => undefined,
        ),
      );
    }
  }

  /** Starts the daily job in this process. */
  start(start: RuntimeScheduleStart): DailySchedule {
    this.daily = startAppSchedule(this.appScheduleOptions(start));
    return this.daily;
  }

  async stop(): Promise<void> {
    await this.daily?.stop();
  }

  private appScheduleOptions(start: RuntimeScheduleStart): AppScheduleOptions {
    const { jobs } = start;
    return {
      userDataDir: start.userDataDir,
      secrets: start.secrets,
      env: start.env,
      record: this.deps.record,
      ...(start.now ? { now: start.now } : {}),
      ...(start.timeZone ? { timeZone: start.timeZone } : {}),
      // The daily job runs through the jobs, so the officer sees it like any catch-up.
      runCatchUp: async (signal) => {
        const result = await jobs.runCatchUp({}, 'daily-job', signal);
        if (!result.ok) throw result.error;
        return result.summary;
      },
      onRunStarted: () => {
        this.running = true;
        this.publish();
      },
      onRun: () => {
        this.running = false;
      },
      onRecorded: () => this.publish(),
      // The renderer shows the next run as soon as it is planned (after a run, after a save).
      onPlanned: (dueAt) => {
        if (dueAt === this.lastPlanned) return;
        this.lastPlanned = dueAt;
        this.publish();
      },
      onError: (e) => start.onWarning(`The daily archive run failed: ${e instanceof Error ? e.message : String(e)}`),
    };
  }
}
