import { createPrng, type Prng } from './prng.ts';

/** Milliseconds since the epoch (real or virtual). */
export interface Clock {
  nowMs(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  setInterval(callback: () => void, periodMs: number): TimerHandle;
}

/**
 * The one door to time and randomness. Production passes `realEnv()`; the simulator passes a
 * virtual clock, virtual timers and a seeded PRNG, and so runs the production code unchanged.
 */
export interface Env {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly prng: Prng;
}

export const realClock: Clock = { nowMs: () => Date.now() };

export const realTimers: Timers = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(callback, periodMs) {
    const handle = setInterval(callback, periodMs);
    return { cancel: () => clearInterval(handle) };
  },
};

/** The production environment; the seed defaults to a real random one (and is logged by callers). */
export function realEnv(seed: number = Math.floor(Math.random() * 2 ** 32)): Env {
  return { clock: realClock, timers: realTimers, prng: createPrng(seed) };
}
