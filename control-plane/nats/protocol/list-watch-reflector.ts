import { sleep, type Env, type Logger, type TimerHandle } from '../../../common/index.ts';
import type { JsonObject } from '../../api/json.ts';
import { ProtocolLimits } from './limits.ts';
import type { PublishedMessage } from './messages.ts';
import { SequenceTracker } from './sequence-tracker.ts';

/** A complete list of one kind, read at one revision. */
export interface ListedObjects {
  readonly objects: readonly JsonObject[];
  readonly revision: number;
}

/** What a reflector tells its owner. */
export interface ReflectorHandler<Message extends PublishedMessage> {
  /** A complete, consistent list at `revision`: it replaces everything known (what is not in it is gone). */
  listed(objects: readonly JsonObject[], revision: number): void;
  /** One published change after the latest list (or held during it and newer than it), in order. */
  changed(message: Extract<Message, { kind: 'change' }>): void;
  /** A list failed (it is retried); what is known stays in force meanwhile. */
  interrupted(reason: string): void;
}

/** Subscribes to the published subject (NATS in production), returning how to stop. */
export type ReflectorSubscribe = (onMessage: (bytes: Uint8Array) => void) => { unsubscribe(): void };

export const ReflectorLimits = {
  /** Changes held while a list is in flight (applied after it); more make the list start over. */
  bufferedChangesMax: 10_000,
  /** Two lists are at least this far apart (a flapping publisher cannot make receivers hammer the control plane). */
  relistIntervalMinMs: 1_000,
  /** Pause after a failed list, doubling up to the max (lists are retried for as long as it takes). */
  relistRetryMinMs: 250,
  relistRetryMaxMs: 5_000,
  /** How often silence is checked for. */
  silenceCheckMs: 1_000,
  /** Nothing heard for this long (three missed progress messages): re-list. */
  resyncSilenceMs: ProtocolLimits.resyncSilenceMs,
} as const;

export type ReflectorTimings = { -readonly [Key in keyof typeof ReflectorLimits]: number };

export interface ReflectorOptions<Message extends PublishedMessage> {
  /** Names the kind in logs (`services`). */
  readonly what: string;
  readonly list: (signal: AbortSignal) => Promise<ListedObjects>;
  /** Decodes one published message; a throw is logged and the message ignored. */
  readonly decode: (bytes: Uint8Array) => Message;
  readonly handler: ReflectorHandler<Message>;
  readonly env: Env;
  readonly logger: Logger;
  /** Tests shorten these. */
  readonly timings?: Partial<ReflectorTimings>;
}

/**
 * List + watch over NATS for one published subject — client-go's reflector, with the receiver's
 * rule of docs/nats-protocol.md: subscribe first, then list (pages at one revision); changes that
 * arrive during the list are held and applied after it if newer. A new epoch, a sequence gap, a
 * first message whose `since` is newer than the last list, a reconnect, or silence for
 * `resyncSilenceMs` starts a new list, so a lost message costs a re-list, never a wrong view.
 * (The agent's pod source and Service cache and the proxy's cluster source all use it.)
 */
export class ListWatchReflector<Message extends PublishedMessage> {
  private readonly tracker = new SequenceTracker();
  private readonly timings: ReflectorTimings;
  private subscription: { unsubscribe(): void } | undefined;
  private timer: TimerHandle | undefined;
  private buffered: Array<Extract<Message, { kind: 'change' }>> | undefined;
  private bufferOverflowed = false;
  private listing: Promise<void> | undefined;
  private relistWanted = false;
  private lastHeardMs = 0;
  private lastListMs = -Infinity;
  private listedRevision = 0;
  private publisherSince = 0;
  private readonly abort = new AbortController();
  /** Complete lists so far (tests, logs). */
  lists = 0;

  constructor(private readonly options: ReflectorOptions<Message>) {
    this.timings = { ...ReflectorLimits, ...options.timings };
  }

  start(subscribe: ReflectorSubscribe): void {
    this.subscription = subscribe((bytes) => this.onMessage(bytes));
    this.lastHeardMs = this.options.env.clock.nowMs();
    this.timer = this.options.env.timers.setInterval(() => this.checkSilence(), this.timings.silenceCheckMs);
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

  /** Resolves when no list is running or wanted. */
  async settled(): Promise<void> {
    while (this.listing !== undefined) await this.listing;
  }

  relist(why: string): void {
    this.relistWanted = true;
    if (this.listing !== undefined || this.abort.signal.aborted) return;
    this.listing = this.runLists(why).finally(() => {
      this.listing = undefined;
    });
  }

  private async runLists(why: string): Promise<void> {
    let retryMs = this.timings.relistRetryMinMs;
    while (this.relistWanted && !this.abort.signal.aborted) {
      const waitMs = this.lastListMs + this.timings.relistIntervalMinMs - this.options.env.clock.nowMs();
      if (waitMs > 0) await sleep(this.options.env.timers, waitMs, this.abort.signal);
      if (this.abort.signal.aborted) return;
      this.relistWanted = false;
      this.lastListMs = this.options.env.clock.nowMs();
      this.buffered = [];
      this.bufferOverflowed = false;
      try {
        const { objects, revision } = await this.options.list(this.abort.signal);
        this.lists++;
        const held = this.buffered;
        this.buffered = undefined;
        if (this.bufferOverflowed) {
          this.relistWanted = true;
          continue;
        }
        this.options.logger.debug({ kind: this.options.what, why, objects: objects.length, revision }, 'listed');
        this.options.handler.listed(objects, revision);
        for (const message of held) if (message.revision > revision) this.options.handler.changed(message);
        this.listedRevision = revision;
        this.lastHeardMs = this.options.env.clock.nowMs();
        retryMs = this.timings.relistRetryMinMs;
        // A publisher that started watching after this list may not have published what happened in between.
        if (this.publisherSince > revision) this.relistWanted = true;
      } catch (error) {
        this.buffered = undefined;
        if (this.abort.signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        this.options.handler.interrupted(reason);
        this.options.logger.warn({ kind: this.options.what, why, reason, retryInMs: retryMs }, 'list failed; retrying');
        this.relistWanted = true;
        await sleep(this.options.env.timers, retryMs, this.abort.signal);
        retryMs = Math.min(this.timings.relistRetryMaxMs, retryMs * 2);
      }
    }
  }

  private onMessage(bytes: Uint8Array): void {
    let message: Message;
    try {
      message = this.options.decode(bytes);
    } catch (error) {
      return this.options.logger.warn({ err: error, kind: this.options.what }, 'ignored a published message');
    }
    this.lastHeardMs = this.options.env.clock.nowMs();
    const verdict = this.tracker.observe(message.epoch, message.sequence);
    if (verdict === 'stale') return;
    this.publisherSince = message.since;
    if (SequenceTracker.needsRelist(verdict)) this.relist(verdict === 'gap' ? 'messages lost' : 'new publisher epoch');
    else if (verdict === 'first' && this.buffered === undefined && message.since > this.listedRevision) this.relist('the publisher started after the last list');
    if (!isChange(message)) return;
    if (this.buffered !== undefined) {
      if (this.buffered.length >= this.timings.bufferedChangesMax) this.bufferOverflowed = true;
      else this.buffered.push(message);
      return;
    }
    this.options.handler.changed(message);
  }

  private checkSilence(): void {
    if (this.options.env.clock.nowMs() - this.lastHeardMs < this.timings.resyncSilenceMs) return;
    this.lastHeardMs = this.options.env.clock.nowMs();
    this.relist('nothing heard');
  }
}

function isChange<Message extends PublishedMessage>(message: Message): message is Extract<Message, { kind: 'change' }> {
  return message.kind === 'change';
}
