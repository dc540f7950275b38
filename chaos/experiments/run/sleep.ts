import type { Env } from '../../../common/index.ts';

/** Waits through the injected timers; an abort ends the wait early (and is not an error). */
export function sleep(env: Env, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      resolve();
    };
    const handle = env.timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits until the clock reads `atMs`. */
export function sleepUntil(env: Env, atMs: number, signal?: AbortSignal): Promise<void> {
  return sleep(env, atMs - env.clock.nowMs(), signal);
}
