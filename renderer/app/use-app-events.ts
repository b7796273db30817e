/**
 * React to events main pushes (job progress, the daily job, the sign-in): one subscription per
 * component, dropped when it unmounts. The bridge has already checked each event against the contract.
 */
import { useEffect, useRef } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { EventName, EventOf } from '../../shared/ipc/contract';

export function useAppEvent<E extends EventName>(
  bridge: Bridge,
  name: E,
  handler: (payload: EventOf<E>) => void,
): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      bridge.subscribe((event) => {
        if (event.event === name) latest.current(event.payload as EventOf<E>);
      }),
    [bridge, name],
  );
}

/**
 * Like useAppEvent, for events that may come many times a second (a catch-up's days): the payloads
 * of `windowMs` are handed over together, so what they change is drawn once per window, not once per
 * event. What is still waiting when the component unmounts is handed over then.
 */
export function useBatchedAppEvent<E extends EventName>(
  bridge: Bridge,
  name: E,
  handler: (payloads: readonly EventOf<E>[]) => void,
  windowMs: number,
): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    let pending: EventOf<E>[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const batch = pending;
      pending = [];
      if (batch.length > 0) latest.current(batch);
    };
    const unsubscribe = bridge.subscribe((event) => {
      if (event.event !== name) return;
      pending.push(event.payload as EventOf<E>);
      timer ??= setTimeout(flush, windowMs);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      flush();
    };
  }, [bridge, name, windowMs]);
}
