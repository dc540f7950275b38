import { createPrng, type Env, type TimerHandle } from '../../common/index.ts';

interface Pending {
  readonly atMs: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * An Env whose time moves only when the test says (`advance`): timers fire in time order, with
 * pending promise callbacks run between them, so pure-ish pieces (batching, back-off, timeouts)
 * are tested without sleeping.
 */
export class ManualEnv implements Env {
  private now = Date.UTC(2026, 0, 1);
  private order = 0;
  private pending: Pending[] = [];
  readonly prng = createPrng(1);
  readonly clock = { nowMs: () => this.now };
  readonly timers = {
    setTimeout: (callback: () => void, delayMs: number): TimerHandle => this.arm(callback, delayMs),
    setInterval: (callback: () => void, periodMs: number): TimerHandle => {
      let current: TimerHandle | undefined;
      let cancelled = false;
      const again = (): void => {
        current = this.arm(() => {
          if (cancelled) return;
          again();
          callback();
        }, Math.max(1, periodMs));
      };
      again();
      return { cancel: () => {
        cancelled = true;
        current?.cancel();
      } };
    },
  };

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      await flushPromises();
      const next = this.pending.filter((timer) => !timer.cancelled).sort((left, right) => left.atMs - right.atMs || left.order - right.order)[0];
      if (next === undefined || next.atMs > until) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.now = Math.max(this.now, next.atMs);
      next.callback();
    }
    this.now = until;
    await flushPromises();
  }

  private arm(callback: () => void, delayMs: number): TimerHandle {
    const timer: Pending = { atMs: this.now + Math.max(0, delayMs), order: this.order++, callback, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => {
      timer.cancelled = true;
    } };
  }
}

export async function flushPromises(): Promise<void> {
  for (let round = 0; round < 20; round++) await new Promise<void>((resolve) => setImmediate(resolve));
}
