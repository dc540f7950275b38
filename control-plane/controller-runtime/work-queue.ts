import type { TimerHandle, Timers } from '../../common/index.ts';
import { retryDelayMs } from './retry-backoff.ts';

export interface WorkQueueOptions {
  /** Keys waiting (ready + delayed + dirty); more are dropped and counted (the periodic resync re-adds them). */
  readonly keysMax: number;
  /** Consecutive failures of one key before it is dropped until something changes it again. */
  readonly retriesMax: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
}

export const defaultWorkQueueOptions: WorkQueueOptions = { keysMax: 100_000, retriesMax: 15, retryBaseDelayMs: 10, retryMaxDelayMs: 30_000 };

interface Delayed {
  readonly handle: TimerHandle;
  readonly dueMs: number;
}

/**
 * Kubernetes' work queue: a key waits at most once however often it is added; a key being
 * processed is never handed to a second worker (an add meanwhile marks it dirty, and it is queued
 * again when the first worker is done); failures are retried after an exponential delay.
 */
export class WorkQueue {
  private readonly ready = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private closed = false;
  dropped = 0;

  constructor(
    private readonly timers: Timers,
    private readonly nowMs: () => number,
    private readonly options: WorkQueueOptions = defaultWorkQueueOptions,
  ) {}

  get length(): number {
    return this.ready.size;
  }

  add(key: string): void {
    if (this.closed || this.ready.has(key)) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.ready.size + this.dirty.size + this.delayed.size >= this.options.keysMax) {
      this.dropped++;
      return;
    }
    this.ready.add(key);
    this.waiters.shift()?.();
  }

  /** Adds the key after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) return this.add(key);
    const dueMs = this.nowMs() + delayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined && existing.dueMs <= dueMs) return;
    existing?.handle.cancel();
    if (existing === undefined && this.delayed.size >= this.options.keysMax) {
      this.dropped++;
      return;
    }
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { handle, dueMs });
  }

  /** Schedules a retry after a failure; false when the key has used up its retries (it is dropped). */
  retry(key: string): boolean {
    const failures = (this.failures.get(key) ?? 0) + 1;
    if (failures > this.options.retriesMax) {
      this.failures.delete(key);
      return false;
    }
    this.failures.set(key, failures);
    this.addAfter(key, retryDelayMs(failures, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs));
    return true;
  }

  /** Clears the key's failure count (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process (the caller must call done(key)); null once the queue is shut down. */
  async next(): Promise<string | null> {
    for (;;) {
      if (this.closed) return null;
      const first = this.ready.values().next();
      if (first.done !== true) {
        this.ready.delete(first.value);
        this.processing.add(first.value);
        return first.value;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutdown(): void {
    this.closed = true;
    for (const entry of this.delayed.values()) entry.handle.cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
