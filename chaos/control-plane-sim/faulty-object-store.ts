import { assert, ErrorCode, FlotillaError, type Timers } from '../../common/index.ts';
import type {
  CreateResult, DeleteResult, ListOptions, ListResult, ObjectStore, ObjectWatch, ObjectWatchEvent, StoredObject, UpdateResult, WatchOptions,
} from '../../control-plane/index.ts';
import type { StoreFaults } from './store-faults.ts';

/** Watch streams open at once through one faulty store (every informer of every leader and kubelet). */
export const openWatchStreamsMax = 10_000;

/** Counters of what the faults did, for the run summary. */
export interface StoreFaultCounters {
  refusedWrites: number;
  lostWriteAnswers: number;
  failedReads: number;
  cutWatches: number;
}

/**
 * The ObjectStore port with faults in front of the real one: injected errors carry the codes the
 * replicated store really throws (`RAFT_NOT_LEADER`, with `outcome: 'unknown'` when the write may
 * have applied; `RAFT_TIMEOUT` for a read), latency waits on the virtual timers, and `cutWatches`
 * ends every open watch stream with an error, as a replica restart does, so informers re-list.
 */
export class FaultyObjectStore implements ObjectStore {
  private readonly streams = new Set<() => void>();
  readonly counters: StoreFaultCounters = { refusedWrites: 0, lostWriteAnswers: 0, failedReads: 0, cutWatches: 0 };

  constructor(
    private readonly inner: ObjectStore,
    private readonly faults: StoreFaults,
    private readonly timers: Timers,
  ) {}

  async currentRevision(): Promise<number> {
    await this.beforeRead();
    return this.inner.currentRevision();
  }

  async get(key: string, options?: { readonly consistency?: 'linearizable' | 'local' }): Promise<StoredObject | null> {
    await this.beforeRead();
    return this.inner.get(key, options);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    await this.beforeRead();
    return this.inner.list(prefix, options);
  }

  create(key: string, value: Uint8Array): Promise<CreateResult> {
    return this.write(() => this.inner.create(key, value));
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<UpdateResult> {
    return this.write(() => this.inner.update(key, value, expectedModRevision));
  }

  delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    return this.write(() => this.inner.delete(key, expectedModRevision));
  }

  watch(prefix: string, options: WatchOptions = {}): ObjectWatch {
    return this.faultyWatch(prefix, options);
  }

  /** Ends every open watch stream with an error; returns how many were cut. */
  cutWatches(): number {
    const cut = [...this.streams];
    for (const end of cut) end();
    this.counters.cutWatches += cut.length;
    return cut.length;
  }

  private async *faultyWatch(prefix: string, options: WatchOptions): AsyncGenerator<ObjectWatchEvent> {
    await this.beforeRead();
    assert(this.streams.size < openWatchStreamsMax, 'too many watch streams open through the faulty store');
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let cut = false;
    const end = () => {
      cut = true;
      stop.abort();
    };
    this.streams.add(end);
    try {
      if (options.signal?.aborted === true) return;
      yield* this.inner.watch(prefix, { ...options, signal: stop.signal });
      if (cut) throw new FlotillaError(ErrorCode.raftStopped, 'injected fault: the watch stream was cut');
    } finally {
      this.streams.delete(end);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async beforeRead(): Promise<void> {
    await this.delay();
    if (!this.faults.readFails()) return;
    this.counters.failedReads++;
    throw new FlotillaError(ErrorCode.raftTimeout, 'injected fault: the read timed out');
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    await this.delay();
    const fate = this.faults.writeFate();
    if (fate === 'refuse') {
      this.counters.refusedWrites++;
      throw new FlotillaError(ErrorCode.raftNotLeader, 'injected fault: no leader took the write');
    }
    const result = await run();
    if (fate === 'pass') return result;
    this.counters.lostWriteAnswers++;
    throw new FlotillaError(ErrorCode.raftNotLeader, 'injected fault: leadership lost after the append', { details: { outcome: 'unknown' } });
  }

  private async delay(): Promise<void> {
    const latencyMs = this.faults.latencyMs();
    if (latencyMs > 0) await new Promise<void>((resolve) => this.timers.setTimeout(resolve, latencyMs));
  }
}
