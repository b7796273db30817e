/**
 * ArchiveJobs: the work an app runs on its archive, one job at a time, with its progress pushed to
 * the renderer as it happens.
 *
 * - Catch-up, verify, one day's export or reconciliation, the daily job's run and the demo
 *   archive's first fill all run here, so the officer sees whatever is running, whoever started it,
 *   and nothing in this app ever competes with itself for the archive's writer lease.
 * - Writes go through the archive session, so every one takes the archive's writer lease: while a
 *   cron job (or another machine) holds it the job says whom it waits for, and it can be cancelled
 *   while it waits.
 * - Progress is published at most every PUBLISH_EVERY_MS (the final state always), as a `job` event;
 *   days a job archives or fails are published as a `days` event, so the calendar follows at once.
 * - A cancelled catch-up leaves its record in the run journal; the next one (Resume, or the daily
 *   job) plans again from the archive, so nothing is written twice and nothing is skipped.
 */
import { randomUUID } from 'node:crypto';
import { JOB_LIST_LIMITS, type JobKind, type JobOrigin, type JobState } from '../../../shared/archive-jobs';
import type { Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import { isFailingProblem } from '../../../shared/verify';
import type { ArchiveSession } from '../archive/archive-session';
import type { CatchUpProgress, CatchUpSummary, CatchUpTotals } from '../archive/catch-up';
import { catchUpSecondCopy, verifySecondCopy } from '../archive/copy/copy-runs';
import type { VerifyResult } from '../archive/verify';
import { journalFailure } from '../archive/run-journal';
import { archivedDayStatus, failedDayStatus } from '../archive/status';
import { describeHolder, type LeaseHolder } from '../archive/writer-lease';
import type { RateBudget } from '../genesys/rate-budget';
import type { AppEventHub } from './app-events';
import { copyCheckJobPatch } from './copy-check';
import { formatCount } from '../../../shared/format-count';

/** How often a running job's state is pushed (the final state is pushed at once). */
const PUBLISH_EVERY_MS = 150;

export interface ArchiveJobsDeps {
  /** A session over the app's archive with the current settings and credentials (for writing when `write`). */
  readonly openSession: (purpose: 'read' | 'write') => Promise<ArchiveSession>;
  /** Fills the demo archive (first run); reports like a catch-up. */
  readonly fillDemoArchive?: (options: {
    signal: AbortSignal;
    onPlan: (days: readonly Day[]) => void;
    onProgress: (event: CatchUpProgress, totals: CatchUpTotals) => void;
  }) => Promise<CatchUpSummary>;
  readonly events: AppEventHub;
  /** The environment the second locked copy's store is opened with (endpoints, credentials). */
  readonly env?: NodeJS.ProcessEnv;
  /** The signing key fingerprint the officer recorded, checked by verify (null: none recorded). */
  readonly expectedKey?: () => Promise<string | null>;
  /** The budget every Genesys request of this process draws from, to show rate-limit waits. */
  readonly rateBudget?: () => RateBudget | null;
  readonly now?: () => number;
  /** Anything unexpected a job threw (for the log; the job itself ends as failed with a plain message). */
  readonly onInternalError?: (error: unknown) => void;
  /** Every job that ended, in any way. */
  readonly onFinished?: (job: JobState) => void;
}

export interface CatchUpRequest {
  readonly from?: Day;
  readonly to?: Day;
}

/** What the daily job learns from a catch-up it ran through here. */
type CatchUpJobResult =
  | { readonly ok: true; readonly job: JobState; readonly summary: CatchUpSummary & { from: Day; to: Day } }
  | { readonly ok: false; readonly job: JobState; readonly error: unknown };

interface Running {
  readonly state: JobState;
  readonly controller: AbortController;
  readonly done: Promise<JobState>;
  readonly inFlight: Map<Day, { events: number; bytes: number }>;
}

const INTERNAL_MESSAGE = 'The job failed unexpectedly. Try again; if it keeps happening, send the log to support.';

export class ArchiveJobs {
  private running: Running | null = null;
  private lastJob: JobState | null = null;
  private publishTimer: NodeJS.Timeout | null = null;
  private publishedAt = 0;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ArchiveJobsDeps) {}

  /** The job running now, and the last one that ended. */
  state(): { current: JobState | null; last: JobState | null } {
    return { current: this.running ? this.snapshot(this.running) : null, last: this.lastJob };
  }

  /** Resolves when no job runs. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  cancel(id: string): boolean {
    const r = this.running;
    if (!r || r.state.id !== id || r.controller.signal.aborted) return false;
    this.mutate(r, { phase: 'cancelling', summary: `Cancelling ${describeKind(r.state)}…` });
    r.controller.abort(new AuditArchiveError('INVALID_REQUEST', 'Cancelled.'));
    return true;
  }

  /** Stops the running job (the app quits); resolves once it has ended. */
  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.controller.abort(new AuditArchiveError('INVALID_REQUEST', 'The app is quitting.'));
    await r.done;
  }

  startCatchUp(request: CatchUpRequest, origin: JobOrigin): JobState {
    return this.catchUpJob(request, origin).state;
  }

  /** For the daily job: waits for the job running now (if any), runs a catch-up, and reports how it ended. */
  async runCatchUp(request: CatchUpRequest, origin: JobOrigin, signal?: AbortSignal): Promise<CatchUpJobResult> {
    for (;;) {
      await this.whenIdle();
      signal?.throwIfAborted();
      if (!this.running) break;
    }
    let summary: (CatchUpSummary & { from: Day; to: Day }) | null = null;
    let error: unknown = null;
    const job = this.catchUpJob(
      request,
      origin,
      (s) => (summary = s),
      (e) => (error = e),
    );
    const onAbort = () => this.cancel(job.state.id);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const final = await job.done;
      if (summary && final.phase !== 'failed') return { ok: true, job: final, summary };
      return { ok: false, job: final, error: error ?? new AuditArchiveError('INTERNAL', final.summary) };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  startVerify(request: { from?: Day; to?: Day; full: boolean }, origin: JobOrigin): JobState {
    const range = request.from && request.to ? { from: request.from, to: request.to } : null;
    return this.start('verify', origin, { range, full: request.full }, async (r, signal) => {
      const session = await this.deps.openSession('read');
      try {
        const expectKey = (await this.deps.expectedKey?.()) ?? null;
        const result = await session.verify({
          ...(request.from ? { from: request.from } : {}),
          ...(request.to ? { to: request.to } : {}),
          full: request.full,
          ...(expectKey ? { expectKey } : {}),
          signal,
          onProgress: (p) =>
            this.mutate(r, { phase: 'running', verify: { phase: p.phase, done: p.done, total: p.total } }),
        });
        this.finishVerify(r, result);
      } finally {
        await session.close();
      }
    });
  }

  /**
   * Checks the second locked copy against the primary (verify --copy's check, copy/copy-runs.ts) and
   * keeps the check in the run journal, for the calendar's marks and the day panel.
   */
  startCopyCheck(request: { from?: Day; to?: Day }, origin: JobOrigin): JobState {
    const range = request.from && request.to ? { from: request.from, to: request.to } : null;
    return this.start('verify-copy', origin, { range, full: true }, async (r, signal) => {
      const session = await this.deps.openSession('read');
      try {
        const result = await verifySecondCopy({
          settings: session.settings,
          archive: session.archive,
          env: this.deps.env ?? {},
          ...(request.from ? { from: request.from } : {}),
          ...(request.to ? { to: request.to } : {}),
          signal,
          onProgress: (p) => this.mutate(r, { phase: 'running', verify: { ...p } }),
        });
        const { copy, mode, from, to, objectsChecked } = result;
        const at = new Date(this.now()).toISOString();
        await session.journal.recordCopyCheck({ at, copy, mode, from, to, objectsChecked }, result.problems);
        this.mutate(r, copyCheckJobPatch(result, session.store.url));
      } finally {
        await session.close();
      }
    });
  }

  startExportDay(day: Day, reconcile: boolean, origin: JobOrigin): JobState {
    const kind: JobKind = reconcile ? 'reconcile-day' : 'export-day';
    return this.start(kind, origin, { range: { from: day, to: day }, full: false }, async (r, signal) => {
      this.mutate(r, { days: { total: 1, done: 0, failed: 0, notStarted: 1 } });
      const session = await this.deps.openSession('write');
      try {
        r.inFlight.set(day, { events: 0, bytes: 0 });
        const result = await session.exportDay(day, {
          reconcile,
          signal,
          onWait: (holder) => this.waiting(r, holder),
          onProgress: (p) => {
            r.inFlight.set(day, { events: p.events, bytes: p.bytes });
            this.mutate(r, { phase: 'running', waitingFor: null, events: p.events, bytes: p.bytes });
          },
        });
        r.inFlight.delete(day);
        this.deps.events.emit('days', {
          days: [archivedDayStatus(day, result.manifest.dayEventsTotal)],
        });
        this.mutate(r, {
          days: { total: 1, done: 1, failed: 0, notStarted: 0 },
          events: result.events,
          bytes: result.bytes,
          summary: reconcile
            ? `Reconciled ${day}: ${formatCount(result.events)} late event(s) added (day total ${formatCount(result.manifest.dayEventsTotal)}).`
            : `Archived ${day}: ${formatCount(result.events)} events.`,
        });
      } catch (e) {
        r.inFlight.delete(day);
        if (!signal.aborted && isAuditArchiveError(e) && e.code !== 'ARCHIVE_BUSY') {
          const status = await this.dayStatus(session, day);
          if (status) this.deps.events.emit('days', { days: [status] });
        }
        throw e;
      } finally {
        await session.close();
      }
    });
  }

  /** The first run's demo archive (no-op without a filler). */
  startDemoArchive(): JobState | null {
    const fill = this.deps.fillDemoArchive;
    if (!fill) return null;
    return this.start('demo-archive', 'first-run', { range: null, full: false }, async (r, signal) => {
      const summary = await fill({
        signal,
        onPlan: (days) =>
          this.mutate(r, {
            phase: 'running',
            range: days.length > 0 ? { from: days[0] as Day, to: days[days.length - 1] as Day } : null,
            days: { total: days.length, done: 0, failed: 0, notStarted: days.length },
          }),
        onProgress: (event, totals) => this.progress(r, event, totals),
      });
      this.finishCatchUp(r, summary, 'demo');
    });
  }

  private catchUpJob(
    request: CatchUpRequest,
    origin: JobOrigin,
    onSummary?: (s: CatchUpSummary & { from: Day; to: Day }) => void,
    onError?: (e: unknown) => void,
  ): Running {
    this.start('catch-up', origin, { range: null, full: false }, async (r, signal) => {
      const session = await this.deps.openSession('write');
      try {
        const summary = await session.catchUp(
          { ...(request.from ? { from: request.from } : {}), ...(request.to ? { to: request.to } : {}) },
          {
            signal,
            onWait: (holder) => this.waiting(r, holder),
            onPlan: ({ from, to, plan }) =>
              this.mutate(r, {
                phase: 'running',
                waitingFor: null,
                range: { from, to },
                days: { total: plan.days.length, done: 0, failed: 0, notStarted: plan.days.length },
                summary:
                  plan.days.length === 0
                    ? 'Nothing to catch up: every recoverable day is archived.'
                    : `Catching up ${plan.days.length} day(s), oldest first.`,
              }),
            onProgress: (event, totals) => this.progress(r, event, totals),
          },
        );
        onSummary?.(summary);
        this.finishCatchUp(r, summary, 'catch-up');
        if (!summary.cancelled)
          this.mutate(r, {
            summary: (r.state.summary + (await this.copyPass(session, request, signal))).slice(0, 1000),
          });
      } catch (e) {
        onError?.(e);
        throw e;
      } finally {
        await session.close();
      }
    });
    return this.running as Running;
  }

  /**
   * Catch-up's pass over the second locked copy (write mode): every object missing there written from
   * the primary's verified bytes; what still differs is kept as the last copy check. Said in one
   * sentence; a copy that cannot be reached does not fail the days archived.
   */
  private async copyPass(session: ArchiveSession, request: CatchUpRequest, signal: AbortSignal): Promise<string> {
    try {
      const pass = await catchUpSecondCopy({
        settings: session.settings,
        archive: session.archive,
        env: this.deps.env ?? {},
        ...(request.from ? { from: request.from } : {}),
        ...(request.to ? { to: request.to } : {}),
        signal,
      });
      if (pass.kind !== 'repaired') return '';
      const { copy, mode, from, to, objectsChecked, problems, repaired } = pass.result;
      const at = new Date(this.now()).toISOString();
      await session.journal.recordCopyCheck({ at, copy, mode, from, to, objectsChecked }, problems);
      const left =
        problems.length > 0
          ? `; ${problems.length} that cannot be replaced on WORM storage (listed by "Check the copy")`
          : '';
      return ` Second locked copy: ${objectsChecked} object(s) checked, ${repaired} written from the primary's verified bytes${left}.`;
    } catch (e) {
      if (signal.aborted) throw e;
      return ` The second locked copy was not repaired: ${isAuditArchiveError(e) ? e.message : INTERNAL_MESSAGE}`;
    }
  }

  private start(
    kind: JobKind,
    origin: JobOrigin,
    initial: { range: JobState['range']; full: boolean },
    work: (r: Running, signal: AbortSignal) => Promise<void>,
  ): JobState {
    if (this.running) {
      throw new AuditArchiveError(
        'ARCHIVE_BUSY',
        `${capitalise(describeKind(this.running.state))} is running; wait for it to finish or cancel it, then try again.`,
      );
    }
    const controller = new AbortController();
    const state: JobState = {
      id: randomUUID(),
      kind,
      origin,
      phase: 'planning',
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
      range: initial.range,
      full: initial.full,
      days: { total: 0, done: 0, failed: 0, notStarted: 0 },
      inFlight: [],
      events: 0,
      bytes: 0,
      elapsedMs: 0,
      etaMs: null,
      waitingFor: null,
      rateLimitedUntil: null,
      verify: null,
      failures: [],
      problems: null,
      error: null,
      summary: `Starting ${describeKind({ kind, full: initial.full, range: initial.range })}…`,
    };
    let resolveIdle: () => void = () => undefined;
    this.idle = new Promise((resolve) => (resolveIdle = resolve));
    const budget = this.deps.rateBudget?.() ?? null;
    const stopWatchingBudget = budget?.onPause(() => this.publishSoon()) ?? (() => undefined);
    const r: Running = {
      state,
      controller,
      inFlight: new Map(),
      done: Promise.resolve().then(async () => {
        try {
          await work(r, controller.signal);
          if (controller.signal.aborted) this.cancelled(r);
          else if (r.state.phase !== 'failed') r.state.phase = 'done';
        } catch (e) {
          if (controller.signal.aborted) this.cancelled(r);
          else this.failed(r, e);
        } finally {
          stopWatchingBudget();
        }
        r.state.finishedAt = new Date(this.now()).toISOString();
        r.state.elapsedMs = Date.parse(r.state.finishedAt) - Date.parse(r.state.startedAt);
        r.state.etaMs = null;
        r.state.waitingFor = null;
        r.inFlight.clear();
        const final = this.snapshot(r);
        this.running = null;
        this.lastJob = final;
        this.publishNow(final);
        try {
          this.deps.onFinished?.(final);
        } catch (e) {
          this.deps.onInternalError?.(e);
        }
        resolveIdle();
        return final;
      }),
    };
    this.running = r;
    this.publishNow(this.snapshot(r));
    return this.snapshot(r);
  }

  private progress(r: Running, event: CatchUpProgress, totals: CatchUpTotals): void {
    if (event.kind === 'day-started') r.inFlight.set(event.day, { events: 0, bytes: 0 });
    else if (event.kind === 'day-progress') r.inFlight.set(event.day, { events: event.events, bytes: event.bytes });
    else r.inFlight.delete(event.day);
    if (event.kind === 'day-archived') {
      this.deps.events.emit('days', { days: [archivedDayStatus(event.day, event.dayEvents)] });
    }
    const failures =
      event.kind === 'day-failed' && r.state.failures.length < JOB_LIST_LIMITS.failures
        ? [
            ...r.state.failures,
            { day: event.day, code: event.code.slice(0, 100), message: event.message.slice(0, 1000) },
          ]
        : r.state.failures;
    if (event.kind === 'day-failed') {
      this.deps.events.emit('days', {
        days: [failedDayStatus(event.day, journalFailure(event.code, event.message, new Date(event.at)))],
      });
    }
    const finished = totals.daysDone + totals.daysFailed;
    this.mutate(r, {
      phase: 'running',
      waitingFor: null,
      days: {
        total: totals.daysTotal,
        done: totals.daysDone,
        failed: totals.daysFailed,
        notStarted: Math.max(0, totals.daysTotal - finished - r.inFlight.size),
      },
      events: totals.events,
      bytes: totals.bytes,
      etaMs: totals.etaMs,
      failures,
      summary: `${r.state.kind === 'demo-archive' ? 'Filling the demo archive' : 'Catching up'}: ${finished} of ${totals.daysTotal} days, ${formatCount(totals.events)} events.`,
    });
  }

  private waiting(r: Running, holder: LeaseHolder | null): void {
    const who = describeHolder(holder);
    this.mutate(r, {
      phase: 'waiting-for-writer',
      waitingFor: who.slice(0, 500),
      summary: `Waiting for ${who} to finish writing the archive (one writer at a time).`.slice(0, 1000),
    });
  }

  private finishCatchUp(r: Running, summary: CatchUpSummary, what: 'catch-up' | 'demo'): void {
    const total = summary.archived + summary.alreadyArchived + summary.failed.length + summary.notStarted;
    const failures = summary.failed
      .slice(0, JOB_LIST_LIMITS.failures)
      .map((f) => ({ day: f.day, code: f.code.slice(0, 100), message: f.message.slice(0, 1000) }));
    const done = summary.archived + summary.alreadyArchived;
    const text = summary.cancelled
      ? `Cancelled after ${done} of ${total} days; the rest can be resumed.`
      : what === 'demo' && total > 0
        ? `Filled the demo archive: ${done} days archived, ${formatCount(summary.events)} events. A few days are left out and ${summary.failed.length === 1 ? 'one fails' : `${summary.failed.length} fail`} on purpose, to show gaps and a failure: "Catch up now" archives them.`
        : total === 0
          ? what === 'demo'
            ? 'The demo archive is complete.'
            : 'Nothing to catch up: every recoverable day is archived.'
          : `${what === 'demo' ? 'Filled the demo archive' : 'Caught up'}: ${done} of ${total} days archived, ${formatCount(summary.events)} events${summary.failed.length > 0 ? `; ${summary.failed.length} failed` : ''}.`;
    this.mutate(r, {
      days: { total, done, failed: summary.failed.length, notStarted: summary.notStarted },
      events: summary.events,
      bytes: summary.bytes,
      failures,
      summary: text,
    });
  }

  private finishVerify(r: Running, result: VerifyResult): void {
    const failing = result.problems.filter((p) => isFailingProblem(p.kind));
    const listed = [...failing, ...result.problems.filter((p) => !isFailingProblem(p.kind))].slice(
      0,
      JOB_LIST_LIMITS.problems,
    );
    const days = new Set(failing.map((p) => p.day).filter((d) => d !== null)).size;
    const range = result.from && result.to ? ` ${result.from} to ${result.to}` : '';
    // A lost key's restart is never a plain "no problem": it is in the summary itself.
    const restarted = result.problems.some((p) => p.kind === 'key-restarted');
    const clean = restarted
      ? 'no failing problem, but the signing key was restarted after a lost key (listed below)'
      : 'no problem found';
    this.mutate(r, {
      range: result.from && result.to ? { from: result.from, to: result.to } : r.state.range,
      problems: { total: result.problems.length, failing: failing.length, listed },
      summary: (
        (result.ok
          ? `Verified${range}: ${result.manifestsChecked} manifests and ${result.objectsChecked} objects, ${clean}.`
          : `Verified${range}: ${failing.length} problem(s)${days > 0 ? ` on ${days} day(s)` : ''}.`) +
        trustWarning(result)
      ).slice(0, 1000),
    });
  }

  private cancelled(r: Running): void {
    r.state.phase = 'cancelled';
    if (!/^Cancelled/.test(r.state.summary))
      r.state.summary = `Cancelled ${describeKind(r.state)}${r.state.days.total > 0 ? ` after ${r.state.days.done} of ${r.state.days.total} days` : ''}.`;
  }

  private failed(r: Running, e: unknown): void {
    r.state.phase = 'failed';
    if (isAuditArchiveError(e)) {
      r.state.error = { code: e.code, message: e.message.slice(0, 2000) };
      r.state.summary = `${capitalise(describeKind(r.state))} failed: ${e.message}`.slice(0, 1000);
    } else {
      this.deps.onInternalError?.(e);
      r.state.error = { code: 'INTERNAL' satisfies ErrorCode, message: INTERNAL_MESSAGE };
      r.state.summary = `${capitalise(describeKind(r.state))} failed: ${INTERNAL_MESSAGE}`;
    }
  }

  private async dayStatus(session: ArchiveSession, day: Day): Promise<DayStatus | null> {
    try {
      return (await session.status({ from: day, to: day })).days[0] ?? null;
    } catch {
      return null;
    }
  }

  private mutate(r: Running, patch: Partial<JobState>): void {
    // Progress that arrives after a cancel was asked for does not hide that it is being cancelled.
    const keepCancelling = r.state.phase === 'cancelling' && patch.phase !== undefined;
    Object.assign(r.state, patch, keepCancelling ? { phase: 'cancelling' } : {});
    if (this.running === r) this.publishSoon();
  }

  private snapshot(r: Running): JobState {
    const now = this.now();
    const paused = this.deps.rateBudget?.()?.pausedUntil ?? 0;
    return {
      ...r.state,
      elapsedMs: r.state.finishedAt ? r.state.elapsedMs : Math.max(0, now - Date.parse(r.state.startedAt)),
      inFlight: [...r.inFlight.entries()]
        .slice(0, JOB_LIST_LIMITS.inFlight)
        .map(([day, p]) => ({ day, events: p.events, bytes: p.bytes })),
      rateLimitedUntil: !r.state.finishedAt && paused > now ? new Date(paused).toISOString() : null,
    };
  }

  /** Leading and trailing edge: a burst of progress becomes at most one message per PUBLISH_EVERY_MS. */
  private publishSoon(): void {
    if (this.publishTimer) return;
    const wait = Math.max(0, this.publishedAt + PUBLISH_EVERY_MS - Date.now());
    this.publishTimer = setTimeout(() => {
      this.publishTimer = null;
      if (this.running) this.publishNow(this.snapshot(this.running));
    }, wait);
    this.publishTimer.unref?.();
  }

  private publishNow(state: JobState): void {
    if (this.publishTimer && state.finishedAt) {
      clearTimeout(this.publishTimer);
      this.publishTimer = null;
    }
    this.publishedAt = Date.now();
    this.deps.events.emit('job', state);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

function describeKind(job: Pick<JobState, 'kind' | 'full' | 'range'>): string {
  switch (job.kind) {
    case 'catch-up':
      return 'the catch-up';
    case 'verify':
      return job.range && job.range.from === job.range.to
        ? `the verification of ${job.range.from}`
        : `the ${job.full ? 'full' : 'fast'} verification`;
    case 'export-day':
      return `the export of ${job.range?.from ?? 'the day'}`;
    case 'reconcile-day':
      return `the reconciliation of ${job.range?.from ?? 'the day'}`;
    case 'demo-archive':
      return 'filling the demo archive';
    case 'verify-copy':
      return 'the check of the second locked copy';
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What the verdict's trust rests on, when it is not a record: the app pins the key in Settings and
 * keeps the head record in its state folder, so a missing one is said (an archive with content
 * whose head record is gone: a new installation, or a state folder reset or tampered with).
 */
function trustWarning(result: VerifyResult): string {
  const trust = result.trust;
  if (!trust) return '';
  const notes: string[] = [];
  if (trust.key === 'first-use')
    notes.push(
      'Its signing key was not checked against one recorded in Settings or by this app: it was trusted on first use.',
    );
  if (trust.head === 'first-use' && result.archive?.head)
    notes.push(
      `This app had no record of the archive's head (a new installation, or its state folder was reset): the head, sequence ${result.archive.head.sequence}, was trusted on first use, so newest manifests removed before now would not show.`,
    );
  return notes.length > 0 ? ` ${notes.join(' ')}` : '';
}
