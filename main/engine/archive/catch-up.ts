/**
 * Catch-up: archive every missing or failed day of a range, with bounded concurrency, progress and
 * an honest summary.
 *
 * Order: oldest first. The oldest gaps are the ones closest to falling out of Genesys retention
 * (after that they are lost for good); a recent gap can wait a few minutes more, an old one cannot.
 * Resume after a crash needs no checkpoint: the plan is recomputed from the archive listing, so
 * days that got their manifest are simply not planned again (and the exporter ignores the orphan
 * parts an interrupted day left behind).
 * Rate limits: every Genesys request of every concurrent day goes through the source's one shared
 * rate budget, so concurrency adds overlap, never extra load beyond the budget.
 */
import type { Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { isAuditArchiveError } from '../../../shared/errors';
import type { RunJournal } from './run-journal';

export interface CatchUpPlan {
  /** Days to export, oldest first. */
  readonly days: readonly Day[];
  /** Days in the range that catch-up cannot fix, by state (shown in the summary). */
  readonly skipped: { readonly unrecoverable: number; readonly tampered: number; readonly pending: number };
}

/** Missing and failed days, oldest first (closest to leaving the Genesys retention window). */
export function planCatchUp(statuses: readonly DayStatus[]): CatchUpPlan {
  const days = statuses
    .filter((s) => s.state === 'missing' || s.state === 'failed')
    .map((s) => s.day)
    .sort();
  const count = (state: DayStatus['state']) => statuses.filter((s) => s.state === state).length;
  return {
    days,
    skipped: { unrecoverable: count('unrecoverable'), tampered: count('tampered'), pending: count('pending') },
  };
}

/** What one day's export reports back (a subset of exportDay's result). */
interface CatchUpDayResult {
  /** Events this run archived. */
  readonly events: number;
  readonly bytes: number;
  /** Events of the whole day (all its manifests), for the calendar; defaults to `events`. */
  readonly dayEvents?: number;
}

interface CatchUpDeps {
  /** Exports one day (E1's exportDay bound to a store, source and chain). */
  readonly exportDay: (
    day: Day,
    options: { signal: AbortSignal; onProgress: (p: { events: number; bytes: number }) => void },
  ) => Promise<CatchUpDayResult>;
  readonly journal?: RunJournal;
  /** Clock for ETA and journal timestamps (tests). */
  readonly now?: () => number;
}

export type CatchUpProgress =
  | { readonly kind: 'day-started'; readonly day: Day }
  | { readonly kind: 'day-progress'; readonly day: Day; readonly events: number; readonly bytes: number }
  | {
      readonly kind: 'day-archived';
      readonly day: Day;
      /** Events and bytes this run archived (0 when another run archived the day meanwhile). */
      readonly events: number;
      readonly bytes: number;
      /** Events of the whole day, for the calendar (absent when another run archived it). */
      readonly dayEvents?: number;
    }
  | {
      readonly kind: 'day-failed';
      readonly day: Day;
      readonly code: string;
      readonly message: string;
      /** When it failed (ISO-8601), as the run journal records it. */
      readonly at: string;
    };

/** The progress callback gets the event and the running totals, with an ETA once a day has finished. */
export interface CatchUpTotals {
  readonly daysTotal: number;
  readonly daysDone: number;
  readonly daysFailed: number;
  readonly events: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Estimated milliseconds left; null until the first day finishes. */
  readonly etaMs: number | null;
}

export interface CatchUpOptions {
  readonly concurrency: number;
  readonly onProgress?: (event: CatchUpProgress, totals: CatchUpTotals) => void;
  readonly signal?: AbortSignal;
}

export interface CatchUpSummary {
  readonly archived: number;
  /** Days another run archived while this one was under way (nothing written twice). */
  readonly alreadyArchived: number;
  readonly failed: ReadonlyArray<{ readonly day: Day; readonly code: string; readonly message: string }>;
  /** Days not started because the run was cancelled. */
  readonly notStarted: number;
  readonly cancelled: boolean;
  readonly events: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

export async function runCatchUp(
  deps: CatchUpDeps,
  plan: CatchUpPlan,
  options: CatchUpOptions,
): Promise<CatchUpSummary> {
  const run = new CatchUpRun(deps, plan, options);
  const total = plan.days.length;
  if (deps.journal && total > 0) await deps.journal.startCatchUp(plan.days, new Date(run.started));
  const workers = Math.max(1, Math.min(options.concurrency, total));
  await Promise.all(Array.from({ length: workers }, () => run.work()));
  const cancelled = options.signal?.aborted ?? false;
  if (deps.journal && total > 0 && !cancelled) await deps.journal.finishCatchUp();
  return run.summary(cancelled);
}

/** One catch-up under way: its days handed to workers in order, and what they have done. */
class CatchUpRun {
  readonly started: number;
  private readonly now: () => number;
  private readonly failed: Array<{ day: Day; code: string; message: string }> = [];
  private archived = 0;
  private alreadyArchived = 0;
  /** Events and bytes of finished days only; days in flight are counted in `inFlight`. */
  private events = 0;
  private bytes = 0;
  private readonly inFlight = new Map<Day, { events: number; bytes: number }>();
  private next = 0;

  constructor(
    private readonly deps: CatchUpDeps,
    private readonly plan: CatchUpPlan,
    private readonly options: CatchUpOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.started = this.now();
  }

  /** A worker: takes the next day until none is left or the run is cancelled. */
  async work(): Promise<void> {
    const signal = this.options.signal;
    while (this.next < this.plan.days.length && !signal?.aborted) {
      const day = this.plan.days[this.next++] as Day;
      await this.runDay(day);
    }
  }

  private totals(): CatchUpTotals {
    const total = this.plan.days.length;
    const finished = this.archived + this.alreadyArchived + this.failed.length;
    const elapsedMs = this.now() - this.started;
    let flightEvents = 0;
    let flightBytes = 0;
    for (const p of this.inFlight.values()) {
      flightEvents += p.events;
      flightBytes += p.bytes;
    }
    return {
      daysTotal: total,
      daysDone: this.archived + this.alreadyArchived,
      daysFailed: this.failed.length,
      events: this.events + flightEvents,
      bytes: this.bytes + flightBytes,
      elapsedMs,
      etaMs: finished === 0 ? null : Math.round((elapsedMs / finished) * (total - finished)),
    };
  }

  private report(event: CatchUpProgress): void {
    this.options.onProgress?.(event, this.totals());
  }

  private async runDay(day: Day): Promise<void> {
    const { deps } = this;
    this.inFlight.set(day, { events: 0, bytes: 0 });
    this.report({ kind: 'day-started', day });
    try {
      const result = await deps.exportDay(day, {
        signal: this.options.signal ?? new AbortController().signal,
        onProgress: (p) => {
          this.inFlight.set(day, { events: p.events, bytes: p.bytes });
          this.report({ kind: 'day-progress', day, events: p.events, bytes: p.bytes });
        },
      });
      this.inFlight.delete(day);
      this.archived += 1;
      this.events += result.events;
      this.bytes += result.bytes;
      await deps.journal?.recordArchived(day, result.dayEvents ?? result.events, new Date(this.now()));
      await deps.journal?.catchUpDayFinished(day, 'done');
      this.report({
        kind: 'day-archived',
        day,
        events: result.events,
        bytes: result.bytes,
        dayEvents: result.dayEvents ?? result.events,
      });
    } catch (e) {
      this.inFlight.delete(day);
      await this.dayFailed(day, e);
    }
  }

  private async dayFailed(day: Day, e: unknown): Promise<void> {
    const { deps } = this;
    // Cancelled mid-day: not a failure of the day; the next run picks it up again.
    if (this.options.signal?.aborted) return;
    if (isAuditArchiveError(e) && e.code === 'DAY_ALREADY_ARCHIVED') {
      // Another run archived it meanwhile: the goal is met, nothing was written twice.
      this.alreadyArchived += 1;
      await deps.journal?.catchUpDayFinished(day, 'done');
      this.report({ kind: 'day-archived', day, events: 0, bytes: 0 });
      return;
    }
    const code = isAuditArchiveError(e) ? e.code : 'INTERNAL';
    const message = isAuditArchiveError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? String(e)}`;
    const at = new Date(this.now());
    this.failed.push({ day, code, message });
    await deps.journal?.recordFailure(day, code, message, at);
    await deps.journal?.catchUpDayFinished(day, 'failed');
    this.report({ kind: 'day-failed', day, code, message, at: at.toISOString() });
  }

  summary(cancelled: boolean): CatchUpSummary {
    const finished = this.archived + this.alreadyArchived + this.failed.length;
    return {
      archived: this.archived,
      alreadyArchived: this.alreadyArchived,
      failed: this.failed,
      notStarted: this.plan.days.length - finished,
      cancelled,
      events: this.events,
      bytes: this.bytes,
      elapsedMs: this.now() - this.started,
    };
  }
}
