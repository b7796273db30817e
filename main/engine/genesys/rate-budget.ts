/**
 * The one request budget every Genesys caller in the process draws from.
 *
 * Genesys limits a client-credentials token to N requests per minute (300 unless support raised it),
 * across everything the token does. Several days exporting at once must share that, so callers queue
 * here in FIFO order. The bucket holds N tokens and a spent token comes back a full window after it
 * was spent: at most N requests in any rolling minute, which is what the server counts, while a small
 * job still runs at full speed. A 429's Retry-After pauses every caller, not only the one that hit it
 * (the lesson of integrations that kept hammering from other workers).
 */

import { SYSTEM_CLOCK, type WireClock } from './wire-clock';

export interface RateBudgetOptions {
  readonly requestsPerMinute: number;
  /** The window the limit applies to; 60 s for Genesys (tests may shorten it). */
  readonly windowMs?: number;
  /** When tokens come back and pauses end. Default: the wall clock. */
  readonly clock?: WireClock;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort?: () => void;
}

export class RateBudget {
  private limit: number;
  private readonly windowMs: number;
  /** Times (ms) tokens were spent within the last window, oldest first. */
  private spent: number[] = [];
  private readonly queue: Waiter[] = [];
  /** Stops the wait for the next token (the limit changed, or a pause moved it). */
  private timer: AbortController | null = null;
  private readonly clock: WireClock;
  private pausedUntilMs = 0;
  private readonly pauseListeners = new Set<(untilMs: number) => void>();
  /** Requests granted so far (for progress and benchmarks). */
  granted = 0;

  constructor(options: RateBudgetOptions) {
    this.limit = RateBudget.checkLimit(options.requestsPerMinute);
    this.windowMs = options.windowMs ?? 60_000;
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  private static checkLimit(n: number): number {
    if (!Number.isFinite(n) || n < 1) throw new RangeError('requestsPerMinute must be at least 1');
    return Math.floor(n);
  }

  get requestsPerMinute(): number {
    return this.limit;
  }

  /** Change the limit (settings changed); waiting callers see it at once. */
  configure(requestsPerMinute: number): void {
    this.limit = RateBudget.checkLimit(requestsPerMinute);
    this.reschedule();
  }

  /** Wait for a token. Rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.drain();
    });
  }

  /** Nobody sends before `epochMs` (a 429 said so with Retry-After). */
  pauseUntil(epochMs: number): void {
    if (epochMs <= this.pausedUntilMs) return;
    this.pausedUntilMs = epochMs;
    this.reschedule();
    for (const listener of this.pauseListeners) {
      try {
        listener(epochMs);
      } catch {
        // Someone showing the wait failed; the wait itself goes on.
      }
    }
  }

  /** Until when every caller waits because Genesys asked (0 or a past instant: not paused). */
  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** Calls `listener` whenever a 429 pauses the budget (progress shows the wait); returns the unsubscribe. */
  onPause(listener: (untilMs: number) => void): () => void {
    this.pauseListeners.add(listener);
    return () => this.pauseListeners.delete(listener);
  }

  /** Ms until the next token is available (0: now). */
  private waitMs(now: number): number {
    while (this.spent.length > 0 && (this.spent[0] as number) <= now - this.windowMs) this.spent.shift();
    const paused = this.pausedUntilMs - now;
    const full =
      this.spent.length >= this.limit
        ? (this.spent[this.spent.length - this.limit] as number) + this.windowMs - now
        : 0;
    return Math.max(0, paused, full);
  }

  private reschedule(): void {
    if (this.timer) {
      this.timer.abort();
      this.timer = null;
    }
    this.drain();
  }

  private drain(): void {
    if (this.timer) return;
    while (this.queue.length > 0) {
      const now = this.clock.now();
      const wait = this.waitMs(now);
      if (wait > 0) {
        const timer = new AbortController();
        this.timer = timer;
        this.clock.sleep(wait, timer.signal).then(
          () => {
            if (this.timer !== timer) return;
            this.timer = null;
            this.drain();
          },
          () => undefined, // stopped by reschedule(), which drains itself
        );
        return;
      }
      const w = this.queue.shift() as Waiter;
      this.spent.push(now);
      this.granted++;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  }
}

let shared: RateBudget | null = null;

/** The process-wide budget if anything made it yet (what the app watches for rate-limit waits). */
export function existingSharedRateBudget(): RateBudget | null {
  return shared;
}

/** The process-wide budget; a later call with another limit re-configures it (settings changed). */
export function sharedRateBudget(requestsPerMinute: number): RateBudget {
  if (!shared) shared = new RateBudget({ requestsPerMinute });
  else if (shared.requestsPerMinute !== Math.floor(requestsPerMinute)) shared.configure(requestsPerMinute);
  return shared;
}
