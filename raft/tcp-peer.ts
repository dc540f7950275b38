import { connect, type Socket } from 'node:net';
import type { Env, Logger, TimerHandle } from '../common/index.ts';
import { decodeFrame, encodeFrame, FrameDecoder, wireProtocolVersion, type Frame } from './tcp-framing.ts';
import type { Message, NodeId } from './types.ts';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** Counters of one outbound peer, for metrics. */
export interface PeerCounters {
  sentMessages: number;
  sentBytes: number;
  /** Socket writes: each carries every message queued in one turn of the event loop. */
  writes: number;
  /** Dropped because the queue was full, the peer was unreachable (backing off) or the message was oversized. */
  droppedMessages: number;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Latest ping round trip, null until measured. */
  rttMs: number | null;
}

export interface OutboundPeerSettings {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly env: Env;
  readonly logger: Logger;
  readonly queueMessagesMax: number;
  readonly frameBytesMax: number;
  readonly reconnectDelayMinMs: number;
  readonly reconnectDelayMaxMs: number;
  readonly connectTimeoutMs: number;
  readonly pingIntervalMs: number;
}

type PeerState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopped';

/**
 * The one outbound connection to a peer: a bounded queue of encoded frames, flushed once per turn
 * of the event loop as one socket write, and reconnect with jittered exponential backoff. While
 * backing off, messages are dropped rather than queued: Raft retries, and a burst of stale
 * heartbeats after a reconnect would only delay the fresh ones.
 */
export class OutboundPeer {
  readonly counters: PeerCounters = { sentMessages: 0, sentBytes: 0, writes: 0, droppedMessages: 0, reconnects: 0, rttMs: null };
  private state: PeerState = 'idle';
  private queue: Buffer[] = [];
  private socket: Socket | null = null;
  private failedAttempts = 0;
  private attempts = 0;
  private flushScheduled = false;
  private waitingForDrain = false;
  private timer: TimerHandle | null = null;
  private pingTimer: TimerHandle | null = null;

  constructor(
    readonly id: NodeId,
    private address: PeerAddress,
    private readonly settings: OutboundPeerSettings,
  ) {}

  get connected(): boolean {
    return this.state === 'connected';
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  /** A new address takes effect on the next connection; the current one is closed so that happens now. */
  setAddress(address: PeerAddress): void {
    if (address.host === this.address.host && address.port === this.address.port) return;
    this.address = address;
    this.socket?.destroy();
  }

  /** Connects (again, after a `stop`: a transport can be restarted). */
  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.failedAttempts = 0;
    this.connect();
  }

  enqueue(message: Message): void {
    if (this.state === 'backoff' || this.state === 'stopped' || this.queue.length >= this.settings.queueMessagesMax) {
      this.counters.droppedMessages++;
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame({ kind: 'message', message }, this.settings.frameBytesMax);
    } catch (error) {
      this.counters.droppedMessages++;
      this.settings.logger.error({ peer: this.id, type: message.type, err: error }, 'raft message too large to send; dropped');
      return;
    }
    this.queue.push(frame);
    this.scheduleFlush();
  }

  stop(): void {
    this.state = 'stopped';
    this.timer?.cancel();
    this.pingTimer?.cancel();
    this.queue = [];
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): void {
    if (this.attempts > 0) this.counters.reconnects++;
    this.attempts++;
    this.state = 'connecting';
    const socket = connect({ host: this.address.host, port: this.address.port });
    this.socket = socket;
    this.timer = this.settings.env.timers.setTimeout(() => socket.destroy(), this.settings.connectTimeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => this.onConnect(socket));
    socket.on('error', (error) => this.settings.logger.debug({ peer: this.id, err: error }, 'peer connection error'));
    socket.on('close', () => this.onClose(socket));
    const decoder = new FrameDecoder(this.settings.frameBytesMax);
    socket.on('data', (chunk: Buffer) => this.onData(socket, decoder, chunk));
  }

  private onConnect(socket: Socket): void {
    if (socket !== this.socket) return;
    this.timer?.cancel();
    this.state = 'connected';
    this.failedAttempts = 0;
    socket.setKeepAlive(true, this.settings.pingIntervalMs);
    const { selfId, clusterId, frameBytesMax } = this.settings;
    const hello: Frame = { kind: 'hello', version: wireProtocolVersion, clusterId, from: selfId, to: this.id };
    socket.write(encodeFrame(hello, frameBytesMax));
    this.settings.logger.info({ peer: this.id, address: this.address }, 'connected to peer');
    this.pingTimer = this.settings.env.timers.setInterval(() => this.ping(socket), this.settings.pingIntervalMs);
    this.flush();
  }

  private onData(socket: Socket, decoder: FrameDecoder, chunk: Buffer): void {
    try {
      for (const body of decoder.push(chunk)) {
        const frame = decodeFrame(body);
        if (frame.kind === 'pong') this.counters.rttMs = Math.max(0, this.settings.env.clock.nowMs() - frame.sentAtMs);
        else if (frame.kind === 'reject') this.settings.logger.warn({ peer: this.id, reason: frame.reason }, 'peer rejected our connection');
      }
    } catch (error) {
      this.settings.logger.warn({ peer: this.id, err: error }, 'malformed frame from peer; closing the connection');
      socket.destroy();
    }
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.timer?.cancel();
    this.pingTimer?.cancel();
    this.waitingForDrain = false;
    if (this.state === 'stopped') return;
    if (this.state === 'connected') this.settings.logger.info({ peer: this.id }, 'peer connection closed; reconnecting');
    this.counters.droppedMessages += this.queue.length;
    this.queue = [];
    this.state = 'backoff';
    const { reconnectDelayMinMs, reconnectDelayMaxMs, env } = this.settings;
    const ceiling = Math.min(reconnectDelayMaxMs, reconnectDelayMinMs * 2 ** Math.min(this.failedAttempts, 20));
    this.failedAttempts++;
    // Full jitter over the upper half: peers that lost each other at the same moment do not redial in lockstep.
    const delayMs = ceiling / 2 + env.prng.next() * (ceiling / 2);
    this.timer = env.timers.setTimeout(() => this.connect(), delayMs);
  }

  private ping(socket: Socket): void {
    if (socket !== this.socket || this.state !== 'connected') return;
    socket.write(encodeFrame({ kind: 'ping', sentAtMs: this.settings.env.clock.nowMs() }, this.settings.frameBytesMax));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A microtask: every message queued in this turn of the event loop goes out in one write.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const socket = this.socket;
    if (this.state !== 'connected' || socket === null || this.waitingForDrain || this.queue.length === 0) return;
    const frames = this.queue;
    this.queue = [];
    const data = frames.length === 1 && frames[0] !== undefined ? frames[0] : Buffer.concat(frames);
    this.counters.sentMessages += frames.length;
    this.counters.sentBytes += data.length;
    this.counters.writes++;
    if (!socket.write(data)) {
      // The kernel buffer is full: let the queue (bounded) absorb what comes until it drains.
      this.waitingForDrain = true;
      socket.once('drain', () => {
        this.waitingForDrain = false;
        this.flush();
      });
    }
  }
}
