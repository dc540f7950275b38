import type { Env } from '../../common/index.ts';

/** A pause through the injected timers (never the global setTimeout), so tests may drive time. */
export function sleep(env: Env, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
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
