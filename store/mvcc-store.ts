import { assert } from '../common/index.ts';
import { ErrorCode, FlotillaError, isFlotillaError } from '../common/index.ts';
import { Limits } from '../common/index.ts';
import { silentLogger, type Logger } from '../common/index.ts';
import type { Entry } from '../raft/index.ts';
import { ApplyContext, type StoreEvent } from './apply-context.ts';
import { applyCommand } from './apply-command.ts';
import { parseRangeRequest } from './command-parse.ts';
import { decodeCommand, type ApplyOutcome } from './commands.ts';
import { Compactor } from './compactor.ts';
import { hashKv } from './hash-kv.ts';
import { readHistory } from './history.ts';
import { rebuildIndex } from './index-rebuild.ts';
import type { KeyInterval } from './keys.ts';
import { openLayout, readMeta, type RootDatabase, type StoreBatch, type StoreLayout, type StoredMeta } from './layout.ts';
import { LeaseTable } from './lease-table.ts';
import { executeRange, fullRangeRequest } from './range.ts';
import { CachedRecordReader, RecordCache } from './record-cache.ts';
import { StoreLimits } from './store-limits.ts';
import { createSnapshotStream, writeSnapshotFile, type SnapshotFileInfo, type StoreSnapshotStream } from './snapshot.ts';
import type { TreeIndex } from './tree-index.ts';
import { checkReadRevision } from './read-revision.ts';
import type { HashKvResult, LeaseInfo, LeaseTimeToLive, RangeRequest, RangeResponse } from './types.ts';
import { WatchHub, type WatchSource } from './watch-hub.ts';
import type { Watcher, WatchRequest } from './watcher.ts';

export interface MvccStoreOptions {
  /** The replica's open LevelDB; the store only adds sublevels under `namespace` and never closes it. */
  readonly db: RootDatabase;
  readonly namespace?: string;
  readonly logger?: Logger;
  readonly watcherEventsMax?: number;
}

/** One apply batch, prepared into the caller's LevelDB batch (README "Batch contract"). */
export interface PreparedApply {
  /** Outcome per normal entry, keyed by entry index (already-applied entries are absent). */
  readonly outcomes: ReadonlyMap<number, ApplyOutcome>;
  /** Call after the batch has been written: publishes the new state and notifies watchers. */
  commit(): ReadonlyMap<number, ApplyOutcome>;
  /** Call if the batch could not be written: memory is ahead of disk, so the store refuses further use. */
  abandon(error: unknown): void;
}

/**
 * The MVCC key-value state machine. Raft delivers committed entries to `apply` (or
 * `prepareApply`); clients read with `range`, follow changes with `watch`; the driver snapshots
 * with `createSnapshot` and compares replicas with `hashKv`.
 */
export class MvccStore implements WatchSource {
  readonly watchHub: WatchHub;
  private readonly compactor: Compactor;
  private meta: StoredMeta;
  private failure: { readonly error: unknown } | null = null;
  private applyInFlight = false;
  private applyTail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly recordCache = new RecordCache(StoreLimits.recordCacheBytesMax);

  private constructor(
    private readonly layout: StoreLayout,
    private readonly index: TreeIndex,
    private readonly leaseTable: LeaseTable,
    meta: StoredMeta,
    private readonly logger: Logger,
    watcherEventsMax: number,
  ) {
    this.meta = meta;
    this.compactor = new Compactor(layout, index, logger);
    this.watchHub = new WatchHub(this, watcherEventsMax, logger);
    // Finishes a compaction a crash interrupted (no-op when nothing is left to delete).
    if (meta.compactRevision > 0) this.compactor.schedule(meta.compactRevision);
  }

  static async open(options: MvccStoreOptions): Promise<MvccStore> {
    const logger = options.logger ?? silentLogger;
    const layout = openLayout(options.db, options.namespace);
    const meta = await readMeta(layout);
    const leases = await LeaseTable.load(layout);
    const index = await rebuildIndex(layout, meta, leases, logger);
    logger.info({ appliedIndex: meta.appliedIndex, revision: meta.revision, keys: index.keyCount }, 'store opened');
    return new MvccStore(layout, index, leases, meta, logger, options.watcherEventsMax ?? Limits.watcherEventsMax);
  }

  /** Index of the last entry whose effects are durable; Raft may re-deliver entries up to it (they are skipped). */
  get appliedIndex(): number {
    return this.meta.appliedIndex;
  }

  get appliedTerm(): number {
    return this.meta.appliedTerm;
  }

  /** The committed store revision (etcd's header revision; Kubernetes' resourceVersion). */
  get revision(): number {
    return this.meta.revision;
  }

  get compactRevision(): number {
    return this.meta.compactRevision;
  }

  /** Applies committed entries in their own atomic batch. Calls are queued, never interleaved. */
  apply(entries: readonly Entry[]): Promise<ReadonlyMap<number, ApplyOutcome>> {
    const run = async (): Promise<ReadonlyMap<number, ApplyOutcome>> => {
      const batch = this.layout.root.batch();
      let prepared: PreparedApply;
      try {
        prepared = await this.prepareApply(entries, batch);
      } catch (error) {
        await batch.close();
        throw error;
      }
      try {
        await batch.write();
      } catch (error) {
        prepared.abandon(error);
        throw error;
      }
      return prepared.commit();
    };
    const result = this.applyTail.then(run, run);
    this.applyTail = result.catch(() => undefined);
    return result;
  }

  /**
   * Adds the effects of `entries` (and the new appliedIndex) to the caller's batch on the root
   * database. The caller writes the batch (possibly with its own Raft log writes) and then calls
   * `commit()` — or `abandon()` if the write failed. Only one prepared apply may be open at a time.
   */
  async prepareApply(entries: readonly Entry[], batch: StoreBatch): Promise<PreparedApply> {
    this.assertUsable();
    assert(!this.applyInFlight, 'one apply at a time: commit or abandon the previous PreparedApply first');
    assert(batch.db === this.layout.root, 'the batch must belong to the database the store was opened on');
    this.applyInFlight = true;
    this.watchHub.beginApply();
    const ctx = new ApplyContext(this.layout, batch, this.index, this.leaseTable, this.meta, this.watchHub.wantsPrevKv());
    const outcomes = new Map<number, ApplyOutcome>();
    try {
      for (const entry of entries) await this.applyEntry(ctx, entry, outcomes);
    } catch (error) {
      this.fail(error);
      throw error;
    }
    if (ctx.appliedIndex !== this.meta.appliedIndex) ctx.writeMeta();
    let settled = false;
    return {
      outcomes,
      commit: () => {
        assert(!settled, 'a prepared apply is committed once');
        settled = true;
        this.commit(ctx.meta(), ctx.events);
        for (const { revision, record } of ctx.written) this.recordCache.add(revision, record);
        return outcomes;
      },
      abandon: (error) => {
        settled = true;
        this.fail(error);
      },
    };
  }

  /** Reads committed state (serializable; the caller gets linearizability from ReadIndex first). */
  async range(request: RangeRequest): Promise<RangeResponse> {
    this.assertUsable();
    const full = fullRangeRequest(parseRangeRequest(request));
    const readRevision = full.revision > 0 ? full.revision : this.meta.revision;
    checkReadRevision(this.meta, readRevision);
    // A LevelDB snapshot (for cache misses) is taken in the same tick as the index is read
    // (executeRange plans synchronously), so the background compactor cannot delete a record this read needs.
    const reader = new CachedRecordReader(this.layout.kv, this.recordCache, () => this.layout.root.snapshot());
    return executeRange(this.index, reader, full, readRevision, this.meta.revision);
  }

  /** See WatchHub.watch. */
  watch(request: WatchRequest): Watcher {
    this.assertUsable();
    return this.watchHub.watch(request);
  }

  leases(): LeaseInfo[] {
    return this.leaseTable.list();
  }

  /** The lease as replicated (granted TTL); the remaining time is the leader's, see LeaseClock.remainingMs. */
  timeToLive(id: number, withKeys = false): LeaseTimeToLive | null {
    return this.leaseTable.timeToLive(id, withKeys);
  }

  /** See hash-kv.ts; `revision` 0/absent = current. */
  hashKv(revision?: number): Promise<HashKvResult> {
    this.assertUsable();
    return hashKv(this.layout, revision);
  }

  /** A consistent stream of the last committed state (README "Snapshots"). */
  createSnapshot(): Promise<StoreSnapshotStream> {
    this.assertUsable();
    return createSnapshotStream(this.layout);
  }

  writeSnapshotFile(path: string): Promise<SnapshotFileInfo> {
    this.assertUsable();
    return writeSnapshotFile(this.layout, path);
  }

  /** Resolves when background compaction has caught up with the compact revision. */
  whenCompacted(): Promise<void> {
    return this.compactor.whenIdle();
  }

  /** Cancels watchers, waits for a queued apply and stops the compactor. The database stays open (its owner closes it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchHub.close();
    await this.applyTail;
    await this.compactor.stop();
  }

  readHistory(fromRevision: number, interval: KeyInterval, wantPrevKv: boolean): Promise<{ events: StoreEvent[]; nextRevision: number }> {
    return readHistory(this.layout, this.index, { fromRevision, toRevision: this.meta.revision }, interval, wantPrevKv);
  }

  private async applyEntry(ctx: ApplyContext, entry: Entry, outcomes: Map<number, ApplyOutcome>): Promise<void> {
    // After a restart Raft re-delivers committed entries after its snapshot: skip what is durable.
    if (entry.index <= ctx.appliedIndex) return;
    assert(entry.index === ctx.appliedIndex + 1, () => `entry ${entry.index} applied after ${ctx.appliedIndex}: a gap in the log`);
    if (entry.type === 'normal') outcomes.set(entry.index, await this.applyNormal(ctx, entry.index, entry.data));
    ctx.appliedIndex = entry.index;
    ctx.appliedTerm = entry.term;
  }

  /** A deterministic refusal becomes an outcome; anything else (I/O, corruption, bugs) stops the store. */
  private async applyNormal(ctx: ApplyContext, index: number, data: Uint8Array): Promise<ApplyOutcome> {
    const writesBefore = ctx.writeCount;
    try {
      return { ok: true, index, response: await applyCommand(ctx, decodeCommand(data)) };
    } catch (error) {
      if (!isFlotillaError(error) || error.code === ErrorCode.storeCorrupt) throw error;
      assert(ctx.writeCount === writesBefore, () => `command at ${index} was refused after writing: ${error.message}`);
      return { ok: false, index, error: { code: error.code, message: error.message } };
    }
  }

  private commit(meta: StoredMeta, events: readonly StoreEvent[]): void {
    const previousCompactRevision = this.meta.compactRevision;
    this.meta = meta;
    this.applyInFlight = false;
    if (meta.compactRevision > previousCompactRevision) this.compactor.schedule(meta.compactRevision);
    this.watchHub.onCommitted(events, meta.revision);
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.applyInFlight = false;
    this.logger.error({ err: error }, 'store failed: memory may be ahead of disk; reopen it');
    this.watchHub.close('store failed');
  }

  private assertUsable(): void {
    if (this.failure !== null) {
      throw new FlotillaError(ErrorCode.storeCorrupt, 'store failed earlier; reopen it', { cause: this.failure.error });
    }
    if (this.closed) throw new FlotillaError(ErrorCode.invalidArgument, 'store is closed');
  }
}
