import { silentLogger, type Env, type Logger, type TimerHandle } from '../../common/index.ts';
import { ProtocolLimits, type PodStatusResultEntry, type PodStatusUpdate } from '../../control-plane/nats/protocol/index.ts';

export const StatusBatchLimits = {
  /** Pods with a status waiting to be written; one more drops the oldest (its pod's next status supersedes it). */
  pendingMax: 1_000,
  /**
   * How long the first status waits for others to join its batch while nothing is in flight. Later
   * batches go out the moment the one in flight is answered, with what gathered meanwhile (a fixed
   * 100 ms tick cost a pod up to a tick per batch ahead of it: 100 pods took ~1 s to be Running).
   */
  gatherMs: 20,
  /** Retry pause after a failed batch: doubles from min to max, reset by a success. */
  retryDelayMinMs: 200,
  retryDelayMaxMs: 5_000,
  /** Times one pod's status is retried after the control plane refused it as failed (e.g. invalid). */
  podRetriesMax: 5,
} as const;

export type StatusSender = (updates: readonly PodStatusUpdate[]) => Promise<readonly PodStatusResultEntry[]>;

export interface StatusBatcherCounters {
  batches: number;
  written: number;
  dropped: number;
  failedBatches: number;
}

/**
 * Writes pod statuses to the control plane in batches (up to statusesPerBatchMax per request,
 * one request in flight): the latest status per pod replaces an unsent older one; a batch that
 * failed as a whole is retried with back-off unless newer statuses replaced its entries; a pod
 * whose write was refused (replaced, deleted) is dropped, since its next status is moot.
 */
export class StatusBatcher {
  readonly counters: StatusBatcherCounters = { batches: 0, written: 0, dropped: 0, failedBatches: 0 };
  private readonly pending = new Map<string, PodStatusUpdate>();
  /** Failed attempts of the pending update of a pod (bounded with `pending`). */
  private readonly attempts = new Map<string, number>();
  private inFlight: Promise<void> | undefined;
  private retryDelayMs = 0;
  private retryAtMs = 0;
  private wake: TimerHandle | undefined;
  private started = false;

  constructor(private readonly send: StatusSender, private readonly env: Env, private readonly logger: Logger = silentLogger) {}

  start(): void {
    this.started = true;
    this.schedule(StatusBatchLimits.gatherMs);
  }

  stop(): void {
    this.started = false;
    this.wake?.cancel();
    this.wake = undefined;
  }

  offer(update: PodStatusUpdate): void {
    this.attempts.delete(update.uid);
    this.enqueue(update);
    this.schedule(StatusBatchLimits.gatherMs);
  }

  /** One wake-up at a time; a request in flight schedules the next batch itself when answered. */
  private schedule(delayMs: number): void {
    if (!this.started || this.wake !== undefined || this.inFlight !== undefined || this.pending.size === 0) return;
    this.wake = this.env.timers.setTimeout(() => {
      this.wake = undefined;
      this.tick();
    }, Math.max(delayMs, this.retryAtMs - this.env.clock.nowMs(), 0));
  }

  private enqueue(update: PodStatusUpdate): void {
    this.pending.delete(update.uid);
    if (this.pending.size >= StatusBatchLimits.pendingMax) {
      const oldest = this.pending.keys().next();
      if (oldest.done !== true) {
        this.pending.delete(oldest.value);
        this.attempts.delete(oldest.value);
      }
      this.counters.dropped++;
    }
    this.pending.set(update.uid, update);
  }

  /** Forgets what is pending for a pod (it was deleted). */
  forget(uid: string): void {
    this.pending.delete(uid);
    this.attempts.delete(uid);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends what is pending now (ignoring the retry pause), waiting for it; false when something is left. */
  async flush(): Promise<boolean> {
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.pending.size > 0) {
      this.retryAtMs = 0;
      this.tick();
      while (this.inFlight !== undefined) await this.inFlight;
    }
    return this.pending.size === 0;
  }

  private tick(): void {
    if (this.inFlight !== undefined || this.pending.size === 0) return;
    if (this.env.clock.nowMs() < this.retryAtMs) {
      this.schedule(0);
      return;
    }
    const batch = [...this.pending.values()].slice(0, ProtocolLimits.statusesPerBatchMax);
    for (const update of batch) this.pending.delete(update.uid);
    this.inFlight = this.write(batch).finally(() => {
      this.inFlight = undefined;
      this.schedule(0);
    });
  }

  private async write(batch: readonly PodStatusUpdate[]): Promise<void> {
    this.counters.batches++;
    try {
      const results = await this.send(batch);
      this.retryDelayMs = 0;
      for (const result of results) this.onResult(result, batch);
    } catch (error) {
      this.counters.failedBatches++;
      this.retryDelayMs = Math.min(StatusBatchLimits.retryDelayMaxMs, Math.max(StatusBatchLimits.retryDelayMinMs, this.retryDelayMs * 2));
      this.retryAtMs = this.env.clock.nowMs() + this.retryDelayMs;
      this.logger.debug({ err: error, pods: batch.length, retryInMs: this.retryDelayMs }, 'pod status batch failed; retrying');
      for (const update of batch) this.requeue(update);
    }
  }

  private onResult(result: PodStatusResultEntry, batch: readonly PodStatusUpdate[]): void {
    if (result.outcome === 'updated' || result.outcome === 'unchanged') {
      this.counters.written++;
      if (!this.pending.has(result.uid)) this.attempts.delete(result.uid);
      return;
    }
    const update = batch.find((entry) => entry.uid === result.uid);
    const attempts = (this.attempts.get(result.uid) ?? 0) + 1;
    if (result.outcome === 'failed' && update !== undefined && attempts <= StatusBatchLimits.podRetriesMax) {
      this.attempts.set(result.uid, attempts);
      this.requeue(update);
      return;
    }
    this.attempts.delete(result.uid);
    this.counters.dropped++;
    this.logger.debug({ pod: `${result.namespace}/${result.name}`, outcome: result.outcome, message: result.message }, 'pod status not written');
  }

  /** Puts an unsent update back, unless a newer one for its pod arrived meanwhile. */
  private requeue(update: PodStatusUpdate): void {
    if (!this.pending.has(update.uid)) this.enqueue(update);
  }
}
