import type { TimerHandle, Timers } from '../../common/index.ts';
import { retryDelayMs } from '../controller-runtime/index.ts';

export interface SchedulingQueueOptions {
  /** Pods waiting in any state; more are refused (and picked up by the next full resync). */
  readonly podsMax: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

export const defaultSchedulingQueueOptions: SchedulingQueueOptions = { podsMax: 100_000, backoffInitialMs: 1_000, backoffMaxMs: 10_000 };

interface Entry {
  readonly key: string;
  readonly priority: number;
  readonly sequence: number;
}

/**
 * Pending pods: an active heap (higher spec.priority first, then first come), pods that did not fit
 * (retried when the cluster changes, never sooner than their backoff), and pods backing off after
 * an error. A key is in at most one of them.
 */
export class SchedulingQueue {
  private heap: Entry[] = [];
  private readonly active = new Map<string, Entry>();
  private readonly unschedulable = new Map<string, number>();
  private readonly backingOff = new Map<string, TimerHandle>();
  private readonly attempts = new Map<string, { count: number; lastMs: number }>();
  private waiters: Array<() => void> = [];
  private sequence = 0;
  private closed = false;
  refused = 0;

  constructor(
    private readonly timers: Timers,
    private readonly nowMs: () => number,
    private readonly options: SchedulingQueueOptions = defaultSchedulingQueueOptions,
  ) {}

  get size(): number {
    return this.active.size + this.unschedulable.size + this.backingOff.size;
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  add(key: string, priority: number): void {
    if (this.closed || this.active.has(key)) return;
    this.unschedulable.delete(key);
    this.backingOff.get(key)?.cancel();
    this.backingOff.delete(key);
    if (this.size >= this.options.podsMax) {
      this.refused++;
      return;
    }
    const entry = { key, priority, sequence: this.sequence++ };
    this.active.set(key, entry);
    this.push(entry);
    this.waiters.shift()?.();
  }

  /** The pod fitted nowhere: it waits for a cluster change. */
  markUnschedulable(key: string, priority: number): void {
    this.countAttempt(key);
    if (!this.closed) this.unschedulable.set(key, priority);
  }

  /** Binding or an API call failed: retried after the pod's backoff. */
  backOff(key: string, priority: number): void {
    this.countAttempt(key);
    this.retryAfterBackoff(key, priority);
  }

  /** Something changed that might let unschedulable pods fit (a node, a freed pod). */
  moveAllToActive(): void {
    for (const [key, priority] of [...this.unschedulable]) {
      this.unschedulable.delete(key);
      this.retryAfterBackoff(key, priority);
    }
  }

  /** The pod is bound, deleted or no longer ours. */
  remove(key: string): void {
    this.active.delete(key);
    this.unschedulable.delete(key);
    this.backingOff.get(key)?.cancel();
    this.backingOff.delete(key);
    this.attempts.delete(key);
  }

  async pop(): Promise<string | null> {
    for (;;) {
      if (this.closed) return null;
      const entry = this.shift();
      if (entry !== undefined) {
        if (this.active.get(entry.key) !== entry) continue;
        this.active.delete(entry.key);
        return entry.key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.closed = true;
    for (const handle of this.backingOff.values()) handle.cancel();
    this.backingOff.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private countAttempt(key: string): void {
    const previous = this.attempts.get(key);
    this.attempts.set(key, { count: (previous?.count ?? 0) + 1, lastMs: this.nowMs() });
  }

  private retryAfterBackoff(key: string, priority: number): void {
    if (this.closed || this.backingOff.has(key)) return;
    const attempt = this.attempts.get(key);
    const delay = attempt === undefined ? 0 : attempt.lastMs + retryDelayMs(attempt.count, this.options.backoffInitialMs, this.options.backoffMaxMs) - this.nowMs();
    if (delay <= 0) return this.add(key, priority);
    this.backingOff.set(key, this.timers.setTimeout(() => {
      this.backingOff.delete(key);
      this.add(key, priority);
    }, delay));
  }

  private before(left: Entry, right: Entry): boolean {
    return left.priority !== right.priority ? left.priority > right.priority : left.sequence < right.sequence;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEntry = heap[parent];
      if (parentEntry === undefined || !this.before(entry, parentEntry)) break;
      heap[index] = parentEntry;
      heap[parent] = entry;
      index = parent;
    }
  }

  private shift(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      const leftEntry = heap[left];
      const rightEntry = heap[right];
      if (leftEntry !== undefined && this.before(leftEntry, heap[smallest] ?? last)) smallest = left;
      if (rightEntry !== undefined && this.before(rightEntry, heap[smallest] ?? last)) smallest = right;
      if (smallest === index) return top;
      const moved = heap[smallest];
      if (moved === undefined) return top;
      heap[smallest] = heap[index] ?? last;
      heap[index] = moved;
      index = smallest;
    }
  }
}
