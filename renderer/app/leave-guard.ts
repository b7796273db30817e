/**
 * A page with unsaved edits (Settings) asks before the officer leaves it: the page registers what
 * would be lost, and the router asks (renderer/app/App.tsx `useRoute`) before following a link away.
 * The window's `beforeunload` asks too, for a reload or a closed window.
 */
import { useEffect } from 'react';

let unsaved: (() => string | null) | null = null;

/** While mounted, `describe()` says what leaving would drop (null: nothing). */
export function useLeaveGuard(describe: () => string | null): void {
  useEffect(() => {
    unsaved = describe;
    const onUnload = (e: BeforeUnloadEvent) => {
      if (describe()) e.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      if (unsaved === describe) unsaved = null;
      window.removeEventListener('beforeunload', onUnload);
    };
  }, [describe]);
}

/** True when the officer may leave: nothing unsaved, or they confirmed dropping it. */
export function mayLeave(): boolean {
  const what = unsaved?.();
  return !what || window.confirm(`${what}\n\nLeave without saving? Your changes will be lost.`);
}
