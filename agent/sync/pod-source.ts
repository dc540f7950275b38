import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { decodePodEvent, ProtocolLimits, SequenceTracker, type PodEventMessage } from '../../control-plane/nats/protocol/index.ts';
import { sleep } from '../wait.ts';

/** What the pod source needs from the control plane client (ControlPlaneClient has it). */
export interface PodLister {
  listPods(signal?: AbortSignal): Promise<{ pods: JsonObject[]; revision: number }>;
}

/** Subscribes to the node's pod subject (NATS in production), returning how to stop. */
export type PodEventSubscribe = (onMessage: (bytes: Uint8Array) => void) => { unsubscribe(): void };

export const PodSourceLimits = {
  /** Changes held while a list is in flight (applied after it); more make the list start over. */
  bufferedChangesMax: 10_000,
  /** Two lists are at least this far apart (a flapping publisher cannot make the agent hammer the control plane). */
  relistIntervalMinMs: 1_000,
  /** Pause after a failed list, doubling up to the max (lists are retried for as long as it takes). */
  relistRetryMinMs: 250,
  relistRetryMaxMs: 5_000,
  /** How often silence is checked for. */
  silenceCheckMs: 1_000,
} as const;

/** What the pod source tells the pod manager. */
export interface PodSourceHandler {
  /** A complete, consistent list of the node's pods (at `revision`): anything else known is gone. */
  synced(pods: readonly JsonObject[], revision: number): void;
  /** A pod was added or changed. */
  upsert(pod: JsonObject, revision: number): void;
  /** A pod was deleted (its last state). */
  remove(pod: JsonObject, revision: number): void;
}

/**
 * The node's pods as list + watch over NATS, kubelet's reflector: subscribe to the node's subject,
 * then list (pages at one revision); changes arriving during the list are applied after it if
 * newer. A new epoch, a sequence gap, a reconnect, or silence for `resyncSilenceMs` starts a new
 * list, so a lost message costs a re-list, never a wrong view.
 */
export class PodSource {
  private readonly tracker = new SequenceTracker();
  private subscription: { unsubscribe(): void } | undefined;
  private timer: TimerHandle | undefined;
  private buffered: PodEventMessage[] | undefined;
  private bufferOverflowed = false;
  private listing: Promise<void> | undefined;
  private relistWanted = false;
  private lastHeardMs = 0;
  private lastListMs = -Infinity;
  /** The revision of the last complete list, and where the current publisher run started watching. */
  private listedRevision = 0;
  private publisherSince = 0;
  private readonly abort = new AbortController();
  lists = 0;

  constructor(
    private readonly client: PodLister,
    private readonly handler: PodSourceHandler,
    private readonly env: Env,
    private readonly logger: Logger,
    private readonly resyncSilenceMs: number = ProtocolLimits.resyncSilenceMs,
  ) {}

  start(subscribe: PodEventSubscribe): void {
    this.subscription = subscribe((bytes) => this.onMessage(bytes));
    this.lastHeardMs = this.env.clock.nowMs();
    this.timer = this.env.timers.setInterval(() => this.checkSilence(), PodSourceLimits.silenceCheckMs);
    this.relist('start');
  }

  stop(): void {
    this.abort.abort();
    this.subscription?.unsubscribe();
    this.timer?.cancel();
  }

  /** After a NATS reconnect: messages may have been lost while away. */
  onReconnect(): void {
    this.tracker.reset();
    this.relist('reconnect');
  }

  /** Resolves when no list is running or wanted (tests, start-up). */
  async settled(): Promise<void> {
    while (this.listing !== undefined) await this.listing;
  }

  relist(why: string): void {
    this.relistWanted = true;
    if (this.listing !== undefined) return;
    this.listing = this.runLists(why).finally(() => {
      this.listing = undefined;
    });
  }

  private async runLists(why: string): Promise<void> {
    let retryMs: number = PodSourceLimits.relistRetryMinMs;
    while (this.relistWanted && !this.abort.signal.aborted) {
      const waitMs = this.lastListMs + PodSourceLimits.relistIntervalMinMs - this.env.clock.nowMs();
      if (waitMs > 0) await sleep(this.env.timers, waitMs, this.abort.signal).catch(() => undefined);
      this.relistWanted = false;
      this.lastListMs = this.env.clock.nowMs();
      this.buffered = [];
      this.bufferOverflowed = false;
      try {
        const { pods, revision } = await this.client.listPods(this.abort.signal);
        this.lists++;
        this.logger.debug({ why, pods: pods.length, revision }, 'listed the node\'s pods');
        const held = this.buffered;
        this.buffered = undefined;
        if (this.bufferOverflowed) {
          this.relistWanted = true;
          continue;
        }
        this.handler.synced(pods, revision);
        for (const message of held) if (message.revision > revision) this.apply(message);
        this.listedRevision = revision;
        this.lastHeardMs = this.env.clock.nowMs();
        retryMs = PodSourceLimits.relistRetryMinMs;
        // A publisher that started watching after this list may not have published what happened in between.
        if (this.publisherSince > revision) this.relistWanted = true;
      } catch (error) {
        this.buffered = undefined;
        if (this.abort.signal.aborted) return;
        this.logger.warn({ err: error, why, retryInMs: retryMs }, 'could not list the node\'s pods; retrying');
        this.relistWanted = true;
        await sleep(this.env.timers, retryMs, this.abort.signal).catch(() => undefined);
        retryMs = Math.min(PodSourceLimits.relistRetryMaxMs, retryMs * 2);
      }
    }
  }

  private onMessage(bytes: Uint8Array): void {
    let message: PodEventMessage;
    try {
      message = decodePodEvent(bytes);
    } catch (error) {
      return this.logger.warn({ err: error }, 'ignored a pod event');
    }
    this.lastHeardMs = this.env.clock.nowMs();
    const verdict = this.tracker.observe(message.epoch, message.sequence);
    if (verdict === 'stale') return;
    this.publisherSince = message.since;
    if (SequenceTracker.needsRelist(verdict)) this.relist(verdict === 'gap' ? 'messages lost' : 'new publisher epoch');
    else if (verdict === 'first' && this.buffered === undefined && message.since > this.listedRevision) this.relist('the publisher started after the last list');
    if (message.kind !== 'change') return;
    if (this.buffered !== undefined) {
      if (this.buffered.length >= PodSourceLimits.bufferedChangesMax) this.bufferOverflowed = true;
      else this.buffered.push(message);
      return;
    }
    this.apply(message);
  }

  private apply(message: PodEventMessage): void {
    if (message.kind !== 'change') return;
    if (message.type === 'deleted') this.handler.remove(message.pod, message.revision);
    else this.handler.upsert(message.pod, message.revision);
  }

  private checkSilence(): void {
    if (this.env.clock.nowMs() - this.lastHeardMs < this.resyncSilenceMs) return;
    this.lastHeardMs = this.env.clock.nowMs();
    this.relist('nothing heard');
  }
}
