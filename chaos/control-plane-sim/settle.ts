import { setImmediate as nextMacrotask } from 'node:timers/promises';

/**
 * Turns of the event loop given to pending work before virtual time moves on. One turn already
 * drains every microtask (promise continuations, memory-level's async operations, abstract-level's
 * queueMicrotask); the extra turns let short setImmediate chains (the store's background
 * compactor, the event recorder's flush) progress too. Nothing here reads the real clock: the
 * check queue is FIFO, so the order of everything that runs is fixed by the seed.
 */
export const settleTurns = 2;

/** Lets every pending promise continuation (and short setImmediate chains) run. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < settleTurns; turn++) await nextMacrotask();
}
