import type { Timers } from '../../common/index.ts';
import type {
  CreateResult, DeleteResult, ListOptions, ListResult, ObjectStore, ObjectWatch, StoredObject, UpdateResult, WatchOptions,
} from '../../control-plane/index.ts';

/** What a deposed leader's late writes came to. */
export interface LateWriteCounters {
  attempted: number;
  /** Compare-and-swaps (update, delete with a revision) refused because the object had moved on. */
  refused: number;
  /** Creates refused because the object already existed. */
  existed: number;
  /** Writes that applied: their precondition still held, so they were not stale. */
  applied: number;
  /** Writes that failed otherwise (an injected store fault). */
  failed: number;
}

/**
 * One leader term's view of the store. While the term is current it passes everything through;
 * once deposed (a newer leader runs, this one has not noticed yet) each write is held back by
 * `lateWriteMs` first, so it lands after the new leader's, and its outcome is counted: a stale
 * write must be refused by the compare-and-swap on modRevision, never win.
 */
export class LeaderStore implements ObjectStore {
  private lateWriteMs = 0;
  readonly late: LateWriteCounters = { attempted: 0, refused: 0, existed: 0, applied: 0, failed: 0 };

  constructor(
    private readonly inner: ObjectStore,
    private readonly timers: Timers,
  ) {}

  /** From now on, every write of this term is late by `lateWriteMs`. */
  depose(lateWriteMs: number): void {
    this.lateWriteMs = Math.max(1, lateWriteMs);
  }

  get deposed(): boolean {
    return this.lateWriteMs > 0;
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  get(key: string, options?: { readonly consistency?: 'linearizable' | 'local' }): Promise<StoredObject | null> {
    return this.inner.get(key, options);
  }

  list(prefix: string, options?: ListOptions): Promise<ListResult> {
    return this.inner.list(prefix, options);
  }

  watch(prefix: string, options?: WatchOptions): ObjectWatch {
    return this.inner.watch(prefix, options);
  }

  create(key: string, value: Uint8Array): Promise<CreateResult> {
    if (!this.deposed) return this.inner.create(key, value);
    return this.lateWrite(() => this.inner.create(key, value), 'existed');
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<UpdateResult> {
    if (!this.deposed) return this.inner.update(key, value, expectedModRevision);
    return this.lateWrite(() => this.inner.update(key, value, expectedModRevision), 'refused');
  }

  delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    if (!this.deposed) return this.inner.delete(key, expectedModRevision);
    return this.lateWrite(() => this.inner.delete(key, expectedModRevision), 'refused');
  }

  private async lateWrite<T extends { readonly ok: boolean }>(write: () => Promise<T>, refusal: 'existed' | 'refused'): Promise<T> {
    await this.holdBack();
    try {
      const result = await write();
      this.late[result.ok ? 'applied' : refusal]++;
      return result;
    } catch (error) {
      this.late.failed++;
      throw error;
    }
  }

  private holdBack(): Promise<void> {
    this.late.attempted++;
    return new Promise((resolve) => this.timers.setTimeout(resolve, this.lateWriteMs));
  }
}
