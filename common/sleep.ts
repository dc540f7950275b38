import type { Timers } from './env.ts';

/**
 * Waits `ms` (at least 0) on the injected timers, so virtual time drives it too. Resolves true
 * when the time is up and false, early, when `signal` aborts (an abort is not an error: it never
 * rejects). Every abortable pause of ours is this one.
 */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      handle.cancel();
      resolve(false);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
