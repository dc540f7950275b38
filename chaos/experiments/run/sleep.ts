import { sleep as sleepOnTimers, type Env } from '../../../common/index.ts';

/** common's sleep, but a wait of nothing (ms ≤ 0: a fault without `forMs`, a past instant) arms no timer. */
export async function sleep(env: Env, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms > 0) await sleepOnTimers(env.timers, ms, signal);
}

/** Waits until the clock reads `atMs`. */
export function sleepUntil(env: Env, atMs: number, signal?: AbortSignal): Promise<void> {
  return sleep(env, atMs - env.clock.nowMs(), signal);
}
