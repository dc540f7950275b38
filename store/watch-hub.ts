import { ErrorCode, FlotillaError } from '../common/index.ts';
import { Limits } from '../common/index.ts';
import { silentLogger, type Logger } from '../common/index.ts';
import type { StoreEvent } from './apply-context.ts';
import { checkKey } from './command-parse.ts';
import { intervalContains, keyInterval, type KeyInterval } from './keys.ts';
import { StoreLimits } from './store-limits.ts';
import { Watcher, type WatchCancelReason, type WatchEvent, type WatchRequest } from './watcher.ts';

/** History up to the committed revision, as the hub needs it for catch-up. */
export interface WatchSource {
  /** The committed revision. */
  readonly revision: number;
  readonly compactRevision: number;
  /**
   * Events of whole revisions from `fromRevision` on (a bounded amount, up to the committed
   * revision when the read started), and the revision to continue from.
   */
  readHistory(fromRevision: number, interval: KeyInterval, wantPrevKv: boolean): Promise<{ events: StoreEvent[]; nextRevision: number }>;
}

/**
 * Fans committed changes out to watchers. A new watcher first catches up from history (paced by
 * its consumer), then becomes "synced" and receives live events after each commit. The switch is
 * gap-free and duplicate-free because it happens synchronously when the watcher has read up to the
 * committed revision and no apply is in flight: every later revision reaches it live, every earlier
 * one came from history.
 */
export class WatchHub {
  private nextWatchId = 1;
  private readonly watchers = new Map<number, Watcher>();
  private readonly singleKey = new Map<string, Set<Watcher>>();
  private readonly ranged = new Set<Watcher>();
  /** Caught-up watchers waiting for the in-flight apply to commit before they can sync. */
  private readonly awaitingCommit = new Set<Watcher>();
  private syncedPrevKvWatchers = 0;
  private applying = false;
  private closed = false;

  constructor(
    private readonly source: WatchSource,
    private readonly eventsMax: number = Limits.watcherEventsMax,
    private readonly logger: Logger = silentLogger,
  ) {}

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Throws STORE_COMPACTED when startRevision <= the compact revision (Kubernetes: 410 Gone). */
  watch(request: WatchRequest): Watcher {
    if (this.closed) throw new FlotillaError(ErrorCode.invalidArgument, 'watch hub is closed');
    checkKey(request.key);
    if (this.watchers.size >= StoreLimits.watchersMax) throw new FlotillaError(ErrorCode.invalidArgument, `too many watchers (${StoreLimits.watchersMax})`);
    const startRevision = request.startRevision ?? 0;
    if (startRevision > 0 && startRevision <= this.source.compactRevision) throw compactedError(startRevision, this.source.compactRevision);
    const nextRevision = startRevision > 0 ? startRevision : this.source.revision + 1;
    const watcher = new Watcher(this.nextWatchId++, keyInterval(request.key, request.rangeEnd), request, nextRevision, this.eventsMax, (target) =>
      this.cancel(target, 'canceled', 'canceled by the consumer'),
    );
    this.watchers.set(watcher.id, watcher);
    if (request.signal !== undefined) {
      if (request.signal.aborted) watcher.cancel();
      else request.signal.addEventListener('abort', () => watcher.cancel(), { once: true });
    }
    void this.catchUp(watcher);
    return watcher;
  }

  /** Whether live events of the next batch need prevKv. */
  wantsPrevKv(): boolean {
    return this.syncedPrevKvWatchers > 0;
  }

  /** The store calls this before applying a batch; watchers cannot sync until it commits. */
  beginApply(): void {
    this.applying = true;
  }

  /** The store calls this synchronously when a batch has been written and is visible. */
  onCommitted(events: readonly StoreEvent[], revision: number): void {
    this.applying = false;
    if (events.length > 0) this.deliverLive(events, revision);
    const resumable = [...this.awaitingCommit];
    this.awaitingCommit.clear();
    for (const watcher of resumable) void this.catchUp(watcher);
  }

  /** Sends the committed revision to every synced watcher with nothing buffered (etcd's progress notify). */
  notifyProgress(): void {
    for (const watcher of this.watchers.values()) {
      if (watcher.synced && watcher.bufferedEvents === 0) {
        watcher.push({ kind: 'progress', watchId: watcher.id, revision: this.source.revision });
      }
    }
  }

  /** Progress for one watcher; false if it is unknown or still catching up (its next events say more). */
  requestProgress(watchId: number): boolean {
    const watcher = this.watchers.get(watchId);
    if (watcher === undefined || !watcher.synced) return false;
    return watcher.push({ kind: 'progress', watchId, revision: this.source.revision });
  }

  cancel(watcher: Watcher, reason: WatchCancelReason, message: string): void {
    if (!this.watchers.delete(watcher.id)) return;
    this.unindex(watcher);
    this.awaitingCommit.delete(watcher);
    const compactRevision = reason === 'compacted' ? this.source.compactRevision : 0;
    watcher.finish({ kind: 'canceled', watchId: watcher.id, revision: this.source.revision, reason, message, compactRevision });
    if (reason === 'slow') this.logger.warn({ watchId: watcher.id, eventsMax: this.eventsMax }, 'watcher fell behind and was canceled');
  }

  close(message = 'store closed'): void {
    this.closed = true;
    for (const watcher of [...this.watchers.values()]) this.cancel(watcher, 'closed', message);
  }

  private async catchUp(watcher: Watcher): Promise<void> {
    try {
      while (!watcher.closed) {
        if (watcher.nextRevision <= this.source.compactRevision) return this.cancelCompacted(watcher);
        if (watcher.nextRevision > this.source.revision) {
          if (this.applying) this.awaitingCommit.add(watcher);
          else this.markSynced(watcher);
          return;
        }
        if (watcher.bufferedEvents >= this.eventsMax / 2) return this.pauseUntilDrained(watcher);
        const from = watcher.nextRevision;
        const chunk = await this.source.readHistory(from, watcher.interval, watcher.prevKv);
        if (watcher.closed) return;
        // A compaction that committed during the read may have removed records it needed.
        if (this.source.compactRevision >= from) return this.cancelCompacted(watcher);
        watcher.nextRevision = chunk.nextRevision;
        const events = chunk.events.flatMap((event) => this.toWatchEvent(watcher, event));
        if (events.length > 0 && !watcher.push({ kind: 'events', watchId: watcher.id, revision: chunk.nextRevision - 1, events })) {
          return this.cancelSlow(watcher);
        }
      }
    } catch (error) {
      this.logger.error({ err: error, watchId: watcher.id }, 'watch catch-up failed');
      this.cancel(watcher, 'closed', `catch-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private pauseUntilDrained(watcher: Watcher): void {
    watcher.onDrain = () => {
      watcher.onDrain = null;
      void this.catchUp(watcher);
    };
  }

  private markSynced(watcher: Watcher): void {
    watcher.synced = true;
    if (watcher.prevKv) this.syncedPrevKvWatchers++;
    if (watcher.interval.single) {
      let set = this.singleKey.get(watcher.interval.start);
      if (set === undefined) this.singleKey.set(watcher.interval.start, (set = new Set()));
      set.add(watcher);
    } else {
      this.ranged.add(watcher);
    }
  }

  private unindex(watcher: Watcher): void {
    if (!watcher.synced) return;
    if (watcher.prevKv) this.syncedPrevKvWatchers--;
    const set = this.singleKey.get(watcher.interval.start);
    set?.delete(watcher);
    if (set?.size === 0) this.singleKey.delete(watcher.interval.start);
    this.ranged.delete(watcher);
  }

  private deliverLive(events: readonly StoreEvent[], revision: number): void {
    const batches = new Map<Watcher, WatchEvent[]>();
    for (const event of events) {
      for (const watcher of this.targetsOf(event)) {
        const converted = this.toWatchEvent(watcher, event);
        if (converted.length === 0) continue;
        const batch = batches.get(watcher);
        if (batch === undefined) batches.set(watcher, converted);
        else batch.push(...converted);
      }
    }
    for (const [watcher, batch] of batches) {
      if (!watcher.push({ kind: 'events', watchId: watcher.id, revision, events: batch })) this.cancelSlow(watcher);
    }
  }

  private *targetsOf(event: StoreEvent): Generator<Watcher> {
    yield* this.singleKey.get(event.key) ?? [];
    for (const watcher of this.ranged) if (intervalContains(watcher.interval, event.key)) yield watcher;
  }

  /** The event as this watcher wants it (none when filtered out or before its start revision). */
  private toWatchEvent(watcher: Watcher, event: StoreEvent): WatchEvent[] {
    if (event.kv.modRevision < watcher.nextRevision && watcher.synced) return [];
    if (!intervalContains(watcher.interval, event.key)) return [];
    if ((event.type === 'put' && watcher.noPut) || (event.type === 'delete' && watcher.noDelete)) return [];
    return [{ type: event.type, kv: event.kv, prevKv: watcher.prevKv ? event.prevKv : null }];
  }

  private cancelCompacted(watcher: Watcher): void {
    this.cancel(watcher, 'compacted', compactedError(watcher.nextRevision, this.source.compactRevision).message);
  }

  private cancelSlow(watcher: Watcher): void {
    this.cancel(watcher, 'slow', `watcher fell behind: more than ${this.eventsMax} events buffered`);
  }
}

function compactedError(revision: number, compactRevision: number): FlotillaError {
  return new FlotillaError(ErrorCode.storeCompacted, `revision ${revision} has been compacted (compacted up to ${compactRevision})`, {
    details: { compactRevision },
  });
}
