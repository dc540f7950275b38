import type { Clock, TimerHandle, Timers } from '../../../common/index.ts';
import { encodeMessage } from './codec.ts';
import { StreamLimits } from './limits.ts';
import { protocolVersion, type StreamChannel, type StreamFrame } from './messages.ts';
import { decodeStreamFrame } from './stream-codec.ts';

/** The two NATS calls a stream needs (a NatsConnection adapts to it; tests use an in-memory one). */
export interface FrameTransport {
  publish(subject: string, bytes: Uint8Array): void;
  subscribe(subject: string, onMessage: (bytes: Uint8Array) => void): { unsubscribe(): void };
}

export type IncomingFrame =
  | { readonly kind: 'data'; readonly channel: StreamChannel; readonly data: Uint8Array }
  | { readonly kind: 'resize'; readonly width: number; readonly height: number }
  | { readonly kind: 'close'; readonly channel: StreamChannel };

export interface StreamEnd {
  /** Who ended it: this side (`end()`, a timeout, a protocol error) or the peer (its `end` frame). */
  readonly by: 'local' | 'peer';
  /** An exec's exit code; -1 when there is none. */
  readonly exitCode: number;
  /** '' for a normal end. */
  readonly error: string;
}

export interface StreamTimings {
  readonly keepaliveIntervalMs: number;
  readonly silenceMaxMs: number;
}

export interface StreamEndpointOptions {
  readonly transport: FrameTransport;
  /** Where the peer sends to us (subscribed here). */
  readonly localSubject: string;
  /** Where we send to the peer. */
  readonly peerSubject: string;
  readonly timers: Timers;
  readonly clock: Clock;
  /** Data frames we may send before the peer's first credit (its window). */
  readonly sendCredit: number;
  /** Data frames we let the peer send ahead, and so buffer at most. */
  readonly receiveWindow: number;
  readonly timings?: Partial<StreamTimings>;
}

/** Control frames (resize, close) buffered unread before the stream is judged broken. */
const controlFramesBufferedMax = 64;

/**
 * One end of a log or exec stream over NATS core (at most once, ordered per publisher): data
 * frames flow only against credit the receiver grants as its reader consumes them, so neither
 * side ever buffers more than its window; every frame is numbered, so a lost one ends the stream
 * instead of corrupting it; keepalives and a silence deadline end a stream whose peer vanished.
 */
export class StreamEndpoint implements AsyncIterable<IncomingFrame> {
  readonly ended: Promise<StreamEnd>;
  private resolveEnded: (end: StreamEnd) => void = () => undefined;
  private result: StreamEnd | undefined;
  private readonly subscription: { unsubscribe(): void };
  private readonly ticker: TimerHandle;
  private readonly timings: StreamTimings;
  private readonly queue: IncomingFrame[] = [];
  private bufferedData = 0;
  private sentSequence = 0;
  private receivedSequence = 0;
  private credit: number;
  private consumedSinceCredit = 0;
  private lastSentMs: number;
  private lastReceivedMs: number;
  private wake: (() => void) | undefined;
  private wakeSenders: Array<() => void> = [];

  constructor(private readonly options: StreamEndpointOptions) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    this.credit = options.sendCredit;
    this.timings = { keepaliveIntervalMs: StreamLimits.keepaliveIntervalMs, silenceMaxMs: StreamLimits.silenceMaxMs, ...options.timings };
    this.lastSentMs = options.clock.nowMs();
    this.lastReceivedMs = this.lastSentMs;
    this.subscription = options.transport.subscribe(options.localSubject, (bytes) => this.onBytes(bytes));
    const tickMs = Math.max(10, Math.min(this.timings.keepaliveIntervalMs, this.timings.silenceMaxMs) / 4);
    this.ticker = options.timers.setInterval(() => this.onTick(), tickMs);
  }

  get isEnded(): boolean {
    return this.result !== undefined;
  }

  /** Sends bytes on a channel in chunks, each waiting for credit; rejects once the stream ended. */
  async send(channel: StreamChannel, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    for (let offset = 0; offset < data.length || (offset === 0 && data.length === 0); offset += StreamLimits.chunkBytesMax) {
      await this.waitForCredit(signal);
      this.credit--;
      this.publish({ kind: 'data', channel, data: data.subarray(offset, offset + StreamLimits.chunkBytesMax) });
      if (data.length === 0) return;
    }
  }

  /** Adds sending credit learnt out of band (the window the peer announced when it accepted the stream). */
  grant(chunks: number): void {
    this.credit += chunks;
    this.wakeAllSenders();
  }

  resize(width: number, height: number): void {
    if (!this.isEnded) this.publish({ kind: 'resize', width, height });
  }

  /** Half-closes a channel (stdin EOF). */
  close(channel: StreamChannel): void {
    if (!this.isEnded) this.publish({ kind: 'close', channel });
  }

  /** Ends the stream from this side, telling the peer. */
  end(exitCode = -1, error = ''): void {
    if (this.isEnded) return;
    this.publish({ kind: 'end', exitCode, error });
    this.finish({ by: 'local', exitCode, error });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<IncomingFrame> {
    for (;;) {
      const frame = this.queue.shift();
      if (frame !== undefined) {
        if (frame.kind === 'data') this.consumed();
        yield frame;
        continue;
      }
      if (this.isEnded) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private consumed(): void {
    this.bufferedData--;
    this.consumedSinceCredit++;
    if (this.consumedSinceCredit >= Math.max(1, Math.floor(this.options.receiveWindow / 2)) && !this.isEnded) {
      this.publish({ kind: 'credit', chunks: this.consumedSinceCredit });
      this.consumedSinceCredit = 0;
    }
  }

  private async waitForCredit(signal: AbortSignal | undefined): Promise<void> {
    const onAbort = (): void => this.wakeAllSenders();
    signal?.addEventListener('abort', onAbort);
    try {
      while (this.credit <= 0 && !this.isEnded && signal?.aborted !== true) {
        await new Promise<void>((resolve) => this.wakeSenders.push(resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.isEnded) throw new Error(`the stream ended${this.result?.error ? `: ${this.result.error}` : ''}`);
    signal?.throwIfAborted();
  }

  private onBytes(bytes: Uint8Array): void {
    if (this.isEnded) return;
    let frame: StreamFrame;
    try {
      frame = decodeStreamFrame(bytes);
    } catch (error) {
      return this.end(-1, `bad frame from the peer: ${(error as Error).message}`);
    }
    if (frame.sequence !== this.receivedSequence + 1) return this.end(-1, `frames were lost (expected ${this.receivedSequence + 1}, got ${frame.sequence})`);
    this.receivedSequence = frame.sequence;
    this.lastReceivedMs = this.options.clock.nowMs();
    this.onFrame(frame);
  }

  private onFrame(frame: StreamFrame): void {
    switch (frame.kind) {
      case 'credit':
        this.credit += frame.chunks;
        return this.wakeAllSenders();
      case 'keepalive':
        return;
      case 'end':
        return this.finish({ by: 'peer', exitCode: frame.exitCode, error: frame.error });
      case 'data':
        if (this.bufferedData >= this.options.receiveWindow) return this.end(-1, 'the peer sent beyond the credit it was given');
        this.bufferedData++;
        this.enqueue({ kind: 'data', channel: frame.channel, data: frame.data });
        return;
      case 'resize':
        return this.enqueueControl({ kind: 'resize', width: frame.width, height: frame.height });
      default:
        return this.enqueueControl({ kind: 'close', channel: frame.channel });
    }
  }

  private enqueueControl(frame: IncomingFrame): void {
    if (this.queue.length - this.bufferedData >= controlFramesBufferedMax) return this.end(-1, 'too many unread control frames');
    this.enqueue(frame);
  }

  private enqueue(frame: IncomingFrame): void {
    this.queue.push(frame);
    this.wakeReader();
  }

  private onTick(): void {
    const now = this.options.clock.nowMs();
    if (now - this.lastReceivedMs >= this.timings.silenceMaxMs) return this.end(-1, `the peer sent nothing for ${this.timings.silenceMaxMs} ms`);
    if (now - this.lastSentMs >= this.timings.keepaliveIntervalMs) this.publish({ kind: 'keepalive' });
  }

  private publish(frame: DistributiveOmit<StreamFrame, 'version' | 'sequence'>): void {
    this.sentSequence++;
    this.lastSentMs = this.options.clock.nowMs();
    try {
      this.options.transport.publish(this.options.peerSubject, encodeMessage({ version: protocolVersion, sequence: this.sentSequence, ...frame }));
    } catch (error) {
      this.finish({ by: 'local', exitCode: -1, error: `could not send: ${(error as Error).message}` });
    }
  }

  private finish(end: StreamEnd): void {
    if (this.result !== undefined) return;
    this.result = end;
    this.subscription.unsubscribe();
    this.ticker.cancel();
    this.resolveEnded(end);
    this.wakeAllSenders();
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private wakeAllSenders(): void {
    const senders = this.wakeSenders;
    this.wakeSenders = [];
    for (const wake of senders) wake();
  }
}

type DistributiveOmit<T, Key extends PropertyKey> = T extends unknown ? Omit<T, Key> : never;
