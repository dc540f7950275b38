import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ErrorCode, isFlotillaError, type TimerHandle } from '../../common/index.ts';
import type { WatchEvent, WatchListener, WatchSubscription } from './backend.ts';
import { encodeEvent } from './encode-kv.ts';
import { EtcdRequestError, toEtcdStatus } from './etcd-errors.ts';
import { int64ToNumber } from './numbers.ts';
import { wireHeader, type ServiceContext } from './service-support.ts';
import { endStreamWithStatus, isStreamClosed } from './stream-support.ts';
import { checkWatchRange, decodeWatchCreate, type WatchCreate } from './watch-create.ts';
import type { WireWatchCreateRequest, WireWatchRequest, WireWatchResponse } from './wire.ts';

/** etcd answers a failed create, and a progress request, with this watch ID. */
const noWatchId = -1;
/** How often a pending progress request looks again for catching-up watchers. */
const progressRetryMs = 50;

interface Watcher {
  readonly id: number;
  readonly create: WatchCreate;
  subscription: WatchSubscription | null;
  /** Responses produced before the `created` response went out; etcd never sends events first. */
  held: WireWatchResponse[] | null;
  /** An event went out since the last progress notification. */
  sentSinceProgress: boolean;
}

/**
 * One Watch stream, with etcd's wire behaviour (v3rpc/watch.go): requests are handled in order;
 * `created` precedes a watcher's events; a compacted start is `canceled` with `compact_revision`;
 * a bad create is answered created+canceled with watch_id -1 and a cancel_reason; cancelling an
 * unknown ID is silently ignored; a progress request is answered with watch_id -1.
 */
export class WatchStream {
  private readonly watchers = new Map<number, Watcher>();
  private nextWatchId = 0;
  private requests: Promise<void> = Promise.resolve();
  private queuedRequests = 0;
  private progressTimer: TimerHandle | null = null;
  private progressRequest: { timer: TimerHandle | null; deadlineMs: number } | null = null;
  private closed = false;

  constructor(
    private readonly context: ServiceContext,
    private readonly call: ServerDuplexStream<WireWatchRequest, WireWatchResponse>,
  ) {}

  start(): void {
    this.call.on('data', (request: WireWatchRequest) => this.onRequest(request));
    this.call.on('end', () => this.close(null));
    this.call.on('cancelled', () => this.close(null));
    this.call.on('error', () => this.close(null));
  }

  private onRequest(request: WireWatchRequest): void {
    // Requests wait while a create is in flight; as many as there may be watchers is plenty.
    if (this.queuedRequests >= this.context.limits.watchersPerStreamMax) {
      this.close(new EtcdRequestError('tooManyRequests', 'watch requests are not being processed'));
      return;
    }
    this.queuedRequests += 1;
    this.requests = this.requests
      .then(() => this.handle(request))
      .catch((error: unknown) => this.close(error))
      .finally(() => {
        this.queuedRequests -= 1;
      });
  }

  private async handle(request: WireWatchRequest): Promise<void> {
    if (this.closed) return;
    if (request.create_request !== undefined) await this.onCreate(request.create_request);
    else if (request.cancel_request !== undefined) this.onCancel(int64ToNumber(request.cancel_request.watch_id));
    else if (request.progress_request !== undefined) this.onProgressRequest();
  }

  private async onCreate(wire: WireWatchCreateRequest): Promise<void> {
    const refusal = this.refuseCreate(wire);
    if (refusal !== null) {
      this.send({ ...this.emptyResponse(noWatchId), created: true, canceled: true, cancel_reason: refusal });
      return;
    }
    const create = decodeWatchCreate(wire);
    const id = create.watchId !== 0 ? create.watchId : this.allocateWatchId();
    const watcher: Watcher = { id, create, subscription: null, held: [], sentSinceProgress: false };
    this.watchers.set(id, watcher);
    try {
      const started = await this.context.backend.watch(create.request, this.listenerFor(watcher));
      watcher.subscription = started.subscription;
      if (this.closed) {
        started.subscription.cancel();
        return;
      }
      // Even if the backend already ended it (compacted start), `created` goes first, as in etcd.
      this.send({ ...this.emptyResponse(id), header: wireHeader(this.context, started.header), created: true });
      if (this.watchers.get(id) !== watcher) started.subscription.cancel();
    } catch (error) {
      this.onCreateFailed(watcher, error);
    }
    this.releaseHeld(watcher);
    if (create.progressNotify) this.startProgressTimer();
  }

  /** etcd's reasons for refusing a create (its exact cancel_reason texts, which clients show). */
  private refuseCreate(wire: WireWatchCreateRequest): string | null {
    const requestedId = int64ToNumber(wire.watch_id);
    if (requestedId !== 0 && this.watchers.has(requestedId)) {
      return 'mvcc: duplicate watch ID provided on the WatchStream';
    }
    if (!checkWatchRange(wire.key, wire.range_end)) return 'mvcc: watcher range is empty';
    if (this.watchers.size >= this.context.limits.watchersPerStreamMax) {
      return `flotilla: too many watchers on one stream (limit ${this.context.limits.watchersPerStreamMax})`;
    }
    return null;
  }

  /** A backend that refuses a compacted start is answered as etcd does: created, then canceled. */
  private onCreateFailed(watcher: Watcher, error: unknown): void {
    const compactRevision = isFlotillaError(error, ErrorCode.storeCompacted) ? error.details['compactRevision'] : null;
    const header = wireHeader(this.context, this.context.backend.localHeader());
    this.watchers.delete(watcher.id);
    watcher.held = null;
    if (typeof compactRevision === 'number') {
      this.send({ ...this.emptyResponse(watcher.id), header, created: true });
      this.send({ ...this.emptyResponse(watcher.id), header, canceled: true, compact_revision: compactRevision });
      return;
    }
    const reason = toEtcdStatus(error, this.context.logger, 'Watch').details;
    this.send({ ...this.emptyResponse(noWatchId), header, created: true, canceled: true, cancel_reason: reason });
  }

  /** etcd's auto IDs count up from 0 and skip IDs the client chose. */
  private allocateWatchId(): number {
    while (this.watchers.has(this.nextWatchId)) this.nextWatchId += 1;
    const id = this.nextWatchId;
    this.nextWatchId += 1;
    return id;
  }

  private listenerFor(watcher: Watcher): WatchListener {
    return {
      onEvents: (events) => this.onEvents(watcher, events),
      onCompacted: (compactRevision) =>
        this.endWatcher(watcher, { canceled: true, compact_revision: compactRevision }),
      onClosed: (reason) => this.endWatcher(watcher, { canceled: true, cancel_reason: reason }),
    };
  }

  private onEvents(watcher: Watcher, events: readonly WatchEvent[]): void {
    const { filterPut, filterDelete, request } = watcher.create;
    const kept = events.filter((event) => (event.type === 'put' ? !filterPut : !filterDelete));
    if (kept.length === 0 || this.watchers.get(watcher.id) !== watcher) return;
    const revision = Math.max(...kept.map((event) => event.kv.modRevision));
    const header = wireHeader(this.context, { revision });
    const wireEvents = kept.map((event) => encodeEvent(request.prevKv ? event : { ...event, prevKv: null }));
    watcher.sentSinceProgress = true;
    this.sendFor(watcher, { ...this.emptyResponse(watcher.id), header, events: wireEvents });
  }

  /** The backend ended the watcher (compaction, cut off): tell the client, forget it. */
  private endWatcher(watcher: Watcher, fields: Partial<WireWatchResponse>): void {
    if (this.watchers.get(watcher.id) !== watcher) return;
    this.watchers.delete(watcher.id);
    this.sendFor(watcher, { ...this.emptyResponse(watcher.id), ...fields });
  }

  private onCancel(watchId: number): void {
    const watcher = this.watchers.get(watchId);
    if (watcher === undefined) return;
    this.watchers.delete(watchId);
    watcher.subscription?.cancel();
    this.send({ ...this.emptyResponse(watchId), canceled: true });
  }

  /** Holds a watcher's responses until its `created` response is out. */
  private sendFor(watcher: Watcher, response: WireWatchResponse): void {
    if (watcher.held !== null) watcher.held.push(response);
    else this.send(response);
  }

  private releaseHeld(watcher: Watcher): void {
    const held = watcher.held ?? [];
    watcher.held = null;
    for (const response of held) this.send(response);
  }

  private emptyResponse(watchId: number): WireWatchResponse {
    return {
      header: wireHeader(this.context, this.context.backend.localHeader()),
      watch_id: watchId,
      created: false,
      canceled: false,
      compact_revision: 0,
      cancel_reason: '',
      events: [],
    };
  }

  /** Writes, and cuts the stream off if the client stopped reading (bounded buffering). */
  private send(response: WireWatchResponse): void {
    if (this.closed || isStreamClosed(this.call)) return;
    this.call.write(response);
    if (this.call.writableLength > this.context.limits.watchStreamQueuedResponsesMax) {
      this.close(new EtcdRequestError('watchStreamBehind'));
    }
  }

  // ---- Progress ----

  /**
   * A progress response promises "no event at or below this revision is still coming", so it waits
   * until every watcher has caught up (bounded by progressRequestWaitMs; past that it is dropped,
   * as etcd 3.5 drops it, rather than break the promise). Concurrent requests are answered once.
   */
  private onProgressRequest(): void {
    if (this.progressRequest !== null) return;
    const deadlineMs = this.context.clock.nowMs() + this.context.limits.progressRequestWaitMs;
    this.progressRequest = { timer: null, deadlineMs };
    this.tryAnswerProgress();
  }

  private tryAnswerProgress(): void {
    const pending = this.progressRequest;
    if (pending === null || this.closed) return;
    const revision = this.syncedRevision();
    if (revision !== null) {
      this.progressRequest = null;
      const header = wireHeader(this.context, { revision });
      this.send({ ...this.emptyResponse(noWatchId), header });
    } else if (this.context.clock.nowMs() >= pending.deadlineMs) {
      this.progressRequest = null;
      this.context.logger.debug('watch progress request dropped: watchers still catching up');
    } else {
      pending.timer = this.context.timers.setTimeout(() => this.tryAnswerProgress(), progressRetryMs);
    }
  }

  /** The revision every watcher on the stream has caught up to, or null if one is behind. */
  private syncedRevision(): number | null {
    let revision = this.context.backend.localHeader().revision;
    for (const watcher of this.watchers.values()) {
      const synced = watcher.subscription === null ? null : watcher.subscription.syncedRevision();
      if (synced === null) return null;
      revision = Math.min(revision, synced);
    }
    return revision;
  }

  private startProgressTimer(): void {
    if (this.progressTimer !== null || this.closed) return;
    const interval = this.context.limits.progressNotifyIntervalMs;
    this.progressTimer = this.context.timers.setInterval(() => this.notifyProgress(), interval);
  }

  /** etcd's progress_notify: an idle, caught-up watcher hears the revision it has reached. */
  private notifyProgress(): void {
    for (const watcher of this.watchers.values()) {
      if (!watcher.create.progressNotify || watcher.held !== null) continue;
      const idle = !watcher.sentSinceProgress;
      watcher.sentSinceProgress = false;
      const synced = watcher.subscription?.syncedRevision() ?? null;
      if (!idle || synced === null) continue;
      const header = wireHeader(this.context, { revision: synced });
      this.send({ ...this.emptyResponse(watcher.id), header });
    }
  }

  // ---- Shutdown ----

  /** Ends every watcher; with an error, also ends the call with its status. Idempotent. */
  close(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.progressTimer?.cancel();
    this.progressRequest?.timer?.cancel();
    for (const watcher of this.watchers.values()) watcher.subscription?.cancel();
    this.watchers.clear();
    if (isStreamClosed(this.call)) return;
    if (error === null) this.call.end();
    else endStreamWithStatus(this.call, toEtcdStatus(error, this.context.logger, 'Watch'));
  }
}
