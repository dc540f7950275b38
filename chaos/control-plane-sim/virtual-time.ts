import { assert, createPrng, type Clock, type Env, type TimerHandle, type Timers } from '../../common/index.ts';
import { EventQueue } from '../sim/event-queue.ts';

/**
 * The simulation's start instant: a fixed date, so that timestamps written into objects read
 * like real ones and are the same on every replay.
 */
export const virtualEpochMs = Date.UTC(2025, 0, 1);

/** Timers armed at once; more means a runaway loop (every controller's sleeps and retries are counted). */
export const armedTimersMax = 200_000;

const microsecondsPerMillisecond = 1000;

/**
 * Virtual clock and timers on the Raft simulator's discrete-event queue: time stands still until
 * the driver runs the next timer. Ties run in arming order, so one seed is one exact run.
 * A cancelled timer stays in the queue (the queue cannot remove) and is skipped when due.
 */
export class VirtualTime implements Clock, Timers {
  private readonly queue = new EventQueue();
  private armed = 0;

  nowMs(): number {
    return virtualEpochMs + this.queue.nowUs / microsecondsPerMillisecond;
  }

  /** Virtual milliseconds since the start of the run. */
  elapsedMs(): number {
    return this.queue.nowUs / microsecondsPerMillisecond;
  }

  get armedTimers(): number {
    return this.armed;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    assert(this.armed < armedTimersMax, 'too many virtual timers armed at once');
    let state: 'armed' | 'fired' | 'cancelled' = 'armed';
    this.armed++;
    this.queue.after(Math.max(0, delayMs) * microsecondsPerMillisecond, () => {
      if (state !== 'armed') return;
      state = 'fired';
      this.armed--;
      callback();
    });
    return {
      cancel: () => {
        if (state !== 'armed') return;
        state = 'cancelled';
        this.armed--;
      },
    };
  }

  setInterval(callback: () => void, periodMs: number): TimerHandle {
    // A zero period would never let time move on.
    const period = Math.max(1, periodMs);
    let current: TimerHandle | null = null;
    let cancelled = false;
    const arm = () => {
      current = this.setTimeout(() => {
        if (cancelled) return;
        arm();
        callback();
      }, period);
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /**
   * Runs the earliest queued callback if it is due by `untilElapsedMs`; false when none is (time
   * then moves to `untilElapsedMs`). A cancelled timer's slot counts as a run that did nothing.
   */
  runNext(untilElapsedMs: number): boolean {
    const untilUs = Math.round(untilElapsedMs * microsecondsPerMillisecond);
    if (this.queue.runNext(untilUs)) return true;
    this.queue.advanceTo(untilUs);
    return false;
  }
}

/** A virtual Env: the simulator's clock and timers and a PRNG seeded from the run's seed. */
export function virtualEnv(time: VirtualTime, seed: number): Env {
  return { clock: time, timers: time, prng: createPrng(seed) };
}
