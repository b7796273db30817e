/**
 * The events main pushes to the renderer (shared/ipc/contract.ts `events`), in one place: jobs,
 * the daily job and the sign-in publish here; the Electron shell forwards to its window, the
 * dev/test transport to its event stream. Listeners that throw are dropped from that delivery,
 * never from the publisher's work.
 */
import type { AppEvent, EventName, EventOf } from '../../../shared/ipc/contract';

export class AppEventHub {
  private readonly listeners = new Set<(event: AppEvent) => void>();

  emit<E extends EventName>(event: E, payload: EventOf<E>): void {
    const message = { event, payload } as AppEvent;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A window that closed mid-send; the work that published goes on.
      }
    }
  }

  /** Returns the unsubscribe. */
  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
