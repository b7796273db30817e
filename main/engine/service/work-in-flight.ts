/**
 * What an app runtime is doing that nobody else waits for: every service call a transport handed it
 * (the renderer may close its window while a request still reads the archive or writes a cache), and
 * the bookkeeping it starts itself (the daily job's record, the demo's first fill, a status pushed
 * to the renderer). Its close() waits for all of it, and from then on nothing new starts, so a
 * closed runtime writes nothing more in its folders.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { AppService } from './app-service';

/** How long closing waits for work in flight (bounded: quitting never hangs on one stuck request). */
export const CLOSE_WAIT_MS = 10_000;

export class WorkInFlight {
  private readonly pending = new Set<Promise<unknown>>();
  private closing = false;

  /** True once close() was called: nothing new may start. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Runs `work` and keeps it until it settles; refused once closing. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(
        new AuditArchiveError(
          'INVALID_REQUEST',
          'Audit Archive is closing; nothing was done. Open it again to continue.',
        ),
      );
    }
    const running = work();
    this.keep(running);
    return running;
  }

  /** Keeps a promise nobody awaits until it settles (its outcome is its own to report). */
  keep(work: Promise<unknown>): void {
    this.pending.add(work);
    const settled = () => this.pending.delete(work);
    work.then(settled, settled);
  }

  /** From now on new calls are refused (work already running may still keep what it starts). */
  beginClosing(): void {
    this.closing = true;
  }

  /**
   * Resolves once everything in flight has settled (work that starts more as it finishes is waited
   * for too), or at `deadline` (epoch ms): with how many were still running then.
   */
  async settle(deadline: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const overtime = new Promise<'overtime'>((resolve) => {
      timer = setTimeout(() => resolve('overtime'), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    try {
      while (this.pending.size > 0) {
        if ((await Promise.race([Promise.allSettled([...this.pending]), overtime])) === 'overtime') break;
      }
      return this.pending.size;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The service with every call kept by `work` (and refused once it is closing). */
export function serviceTrackedBy(service: AppService, work: WorkInFlight): AppService {
  return Object.fromEntries(
    Object.entries(service).map(([channel, handler]) => [
      channel,
      (request: unknown) => work.run(() => (handler as (r: unknown) => Promise<unknown>)(request)),
    ]),
  ) as AppService;
}
