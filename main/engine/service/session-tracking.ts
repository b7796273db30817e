/**
 * The archive sessions a runtime has open. A request in flight (a report's, say) may still read the
 * archive or write the manifest cache after its caller stopped waiting, so closing the runtime waits
 * for its sessions to close too (bounded, like everything closing waits for).
 */
import type { ArchiveSession } from '../archive/archive-session';

export class SessionTracking {
  private readonly open = new Set<Promise<void>>();

  /** The session, whose close() also tells this tracker it is done. */
  track(session: ArchiveSession): ArchiveSession {
    let closed: () => void = () => undefined;
    const whenClosed = new Promise<void>((resolve) => (closed = resolve));
    this.open.add(whenClosed);
    return {
      ...session,
      close: async () => {
        try {
          await session.close();
        } finally {
          this.open.delete(whenClosed);
          closed();
        }
      },
    };
  }

  /** Resolves once every tracked session is closed, or at `deadline` (epoch ms), whichever is first. */
  async closed(deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const overtime = new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    try {
      await Promise.race([Promise.allSettled([...this.open]), overtime]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs `fn` with a session opened for it, and closes the session whatever happens. */
export async function withSession<T>(
  open: () => Promise<ArchiveSession>,
  fn: (session: ArchiveSession) => Promise<T>,
): Promise<T> {
  const session = await open();
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
