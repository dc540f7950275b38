import { assert } from '../../common/index.ts';

/**
 * A discrete-event queue in virtual time. Time is an integer number of microseconds so that
 * clock drift (tick periods like 9 700 µs) needs no floating point, and ties are broken by the
 * order of scheduling, so a seed replays exactly.
 */
export interface ScheduledEvent {
  readonly timeUs: number;
  readonly sequence: number;
  readonly run: () => void;
}

/** A run that schedules more than this many events at once has a runaway loop: a bug. */
export const eventQueueSizeMax = 1_000_000;

export class EventQueue {
  private readonly heap: ScheduledEvent[] = [];
  private sequence = 0;
  private currentUs = 0;

  get nowUs(): number {
    return this.currentUs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` after `delayUs` (>= 0) of virtual time. */
  after(delayUs: number, run: () => void): void {
    this.at(this.currentUs + Math.max(0, Math.round(delayUs)), run);
  }

  at(timeUs: number, run: () => void): void {
    assert(timeUs >= this.currentUs, () => `event scheduled in the past: ${timeUs} < ${this.currentUs}`);
    assert(this.heap.length < eventQueueSizeMax, 'event queue overflow');
    this.heap.push({ timeUs, sequence: this.sequence++, run });
    this.siftUp(this.heap.length - 1);
  }

  /** Runs the earliest event if it is due by `untilUs`; false when none is. */
  runNext(untilUs: number): boolean {
    const top = this.heap[0];
    if (top === undefined || top.timeUs > untilUs) return false;
    const last = this.heap.pop();
    if (last !== undefined && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.currentUs = top.timeUs;
    top.run();
    return true;
  }

  /** Advances the clock to `timeUs` once every earlier event has run. */
  advanceTo(timeUs: number): void {
    if (timeUs > this.currentUs) this.currentUs = timeUs;
  }

  private less(a: ScheduledEvent, b: ScheduledEvent): boolean {
    return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.sequence < b.sequence);
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    let index = start;
    const item = heap[index] as ScheduledEvent;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as ScheduledEvent;
      if (!this.less(item, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = item;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const length = heap.length;
    let index = start;
    const item = heap[index] as ScheduledEvent;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.less(heap[right] as ScheduledEvent, heap[left] as ScheduledEvent)) child = right;
      const childItem = heap[child] as ScheduledEvent;
      if (!this.less(childItem, item)) break;
      heap[index] = childItem;
      index = child;
    }
    heap[index] = item;
  }
}
