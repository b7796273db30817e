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
