import type { KeyInterval } from './keys.ts';
import type { KeyValue } from './types.ts';

export interface WatchRequest {
  readonly key: Uint8Array;
  /** Same conventions as a range: empty/absent = the key, `[0]` = every key >= key, else [key, rangeEnd). */
  readonly rangeEnd?: Uint8Array;
  /** First revision to deliver; absent or 0 = from the next write. <= compactRevision fails with STORE_COMPACTED. */
  readonly startRevision?: number;
  readonly prevKv?: boolean;
  readonly noPut?: boolean;
  readonly noDelete?: boolean;
  /** Aborting cancels the watcher (reason 'canceled'). */
  readonly signal?: AbortSignal;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /** For a delete: the key, modRevision = the delete's revision, everything else empty/0 (as etcd). */
  readonly kv: KeyValue;
  readonly prevKv: KeyValue | null;
}

export const WatchCancelReason = {
  /** The watcher needs history that compaction removed: re-list, then watch from the list's revision + 1. */
  compacted: 'compacted',
  /** The consumer fell more than the buffer limit behind. */
  slow: 'slow',
  /** The store closed (shutdown or snapshot install). */
  closed: 'closed',
  /** The consumer canceled it (cancel(), a broken for-await loop, or its AbortSignal). */
  canceled: 'canceled',
} as const;
export type WatchCancelReason = (typeof WatchCancelReason)[keyof typeof WatchCancelReason];

export type WatchResponse =
  /** Events of whole revisions, in revision order; `revision` is the store revision they bring the watcher to. */
  | { readonly kind: 'events'; readonly watchId: number; readonly revision: number; readonly events: readonly WatchEvent[] }
  /** Nothing happened in the watcher's range up to `revision` (a progress notification). */
  | { readonly kind: 'progress'; readonly watchId: number; readonly revision: number }
  /** The last response of a watcher. */
  | {
      readonly kind: 'canceled';
      readonly watchId: number;
      readonly revision: number;
      readonly reason: WatchCancelReason;
      readonly message: string;
      /** Set for 'compacted': the store's compact revision. */
      readonly compactRevision: number;
    };

/**
 * One watch stream, consumed with `for await`. The hub pushes responses into a queue bounded by
 * `eventsMax` events; a push beyond it cancels the watcher (reason 'slow') instead of growing.
 * Breaking out of the loop cancels it.
 */
export class Watcher implements AsyncIterableIterator<WatchResponse> {
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  /** Next revision this watcher has not seen; catch-up reads history from here. */
  nextRevision: number;
  /** True once caught up: the hub then delivers live events to it after each commit. */
  synced = false;
  private readonly queue: WatchResponse[] = [];
  private queuedEventCount = 0;
  private waiting: ((result: IteratorResult<WatchResponse>) => void) | null = null;
  private finished = false;
  /** Called when the consumer has drained the queue (the hub resumes a paced catch-up). */
  onDrain: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly interval: KeyInterval,
    request: WatchRequest,
    nextRevision: number,
    private readonly eventsMax: number,
    private readonly cancelHandler: (watcher: Watcher) => void,
  ) {
    this.prevKv = request.prevKv ?? false;
    this.noPut = request.noPut ?? false;
    this.noDelete = request.noDelete ?? false;
    this.nextRevision = nextRevision;
  }

  get closed(): boolean {
    return this.finished;
  }

  get bufferedEvents(): number {
    return this.queuedEventCount;
  }

  /** Hub side: false when the response would exceed the buffer (the caller then cancels). */
  push(response: WatchResponse): boolean {
    if (this.finished) return true;
    const events = response.kind === 'events' ? response.events.length : 0;
    if (events > 0 && this.queuedEventCount + events > this.eventsMax) return false;
    this.queuedEventCount += events;
    this.deliver(response);
    return true;
  }

  /** Hub side: the final response; the iterator ends after it. */
  finish(response: Extract<WatchResponse, { kind: 'canceled' }>): void {
    if (this.finished) return;
    this.deliver(response);
    this.finished = true;
    this.onDrain = null;
  }

  cancel(): void {
    this.cancelHandler(this);
  }

  next(): Promise<IteratorResult<WatchResponse>> {
    const response = this.queue.shift();
    if (response !== undefined) {
      if (response.kind === 'events') this.queuedEventCount -= response.events.length;
      if (this.queue.length === 0) this.onDrain?.();
      return Promise.resolve({ value: response, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.onDrain?.();
    });
  }

  return(): Promise<IteratorResult<WatchResponse>> {
    this.cancel();
    this.queue.length = 0;
    this.queuedEventCount = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(response: WatchResponse): void {
    const waiting = this.waiting;
    if (waiting !== null) {
      this.waiting = null;
      if (response.kind === 'events') this.queuedEventCount -= response.events.length;
      waiting({ value: response, done: false });
      return;
    }
    this.queue.push(response);
  }
}
