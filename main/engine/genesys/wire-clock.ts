/**
 * The time requests to Genesys wait by: how long a 429's Retry-After or a backoff step lasts, when
 * the rate budget gives a token back, when a token expires, how long a query is polled. The wall
 * clock in the app and the CLI; the tests give the client and the simulator one virtual clock, so a
 * second of Retry-After is waited as told without a second going by.
 */

export interface WireClock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock. */
export const SYSTEM_CLOCK: WireClock = { now: () => Date.now(), sleep };
