import type { Timers } from '../common/index.ts';

/** Resolves after `ms` on the injected timers; rejects with the signal's reason if aborted first. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      reject(signal?.reason);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races `promise` against a deadline; `undefined` when the deadline wins. */
export async function withTimeout<T>(timers: Timers, promise: Promise<T>, ms: number): Promise<T | undefined> {
  let handle: { cancel(): void } | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    handle = timers.setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    handle?.cancel();
  }
}
