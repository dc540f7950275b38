import type { Timers } from '../../common/index.ts';

/** Waits `delayMs` on the injected timers; resolves early (false) when the signal aborts. */
export function sleep(timers: Timers, delayMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      handle.cancel();
      resolve(false);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
