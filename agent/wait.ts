import { sleep as sleepUnlessAborted, type Timers } from '../common/index.ts';

/** Resolves after `ms` on the injected timers; rejects with the signal's reason if aborted first (common's sleep, for callers that unwind on abort). */
export async function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  if (!(await sleepUnlessAborted(timers, ms, signal))) throw signal?.reason;
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
