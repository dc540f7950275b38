import type { Socket } from 'node:net';
import type { Env, Logger, TimerHandle } from '../common/index.ts';
import { decodeFrame, encodeFrame, FrameDecoder, wireProtocolVersion, type Frame } from './tcp-framing.ts';
import type { Message, NodeId } from './types.ts';

/** How long a rejected connection stays open for its reject frame to reach the dialer. */
const rejectLingerMs = 200;

/** Transport-wide counters of what came in. */
export interface InboundCounters {
  receivedMessages: number;
  /** Handshakes refused: another cluster, an unknown member, a message for someone else. */
  rejectedConnections: number;
  /** Connections closed for an oversized, undecodable or out-of-protocol frame. */
  malformedFrames: number;
}

export interface InboundContext {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly env: Env;
  readonly logger: Logger;
  readonly frameBytesMax: number;
  readonly handshakeTimeoutMs: number;
  readonly counters: InboundCounters;
  isKnownPeer(id: NodeId): boolean;
  deliver(message: Message): void;
  /** The connection proved to come from `peerId`; the transport closes that peer's older ones. */
  authenticated(peerId: NodeId, connection: InboundConnection): void;
  closed(connection: InboundConnection): void;
}

/**
 * One accepted connection. It must open with a `hello` naming our cluster, a known member and us
 * within the handshake timeout; after that it carries that member's messages to us. Any protocol
 * violation closes it (and only it): a bad peer must not take the process down.
 */
export class InboundConnection {
  private peerId: NodeId | null = null;
  /** Set once we decided to close: later frames are ignored. */
  private closing = false;
  private readonly decoder: FrameDecoder;
  private readonly handshakeTimer: TimerHandle;

  constructor(
    readonly socket: Socket,
    private readonly context: InboundContext,
  ) {
    this.decoder = new FrameDecoder(context.frameBytesMax);
    this.handshakeTimer = context.env.timers.setTimeout(() => this.reject('no handshake in time'), context.handshakeTimeoutMs);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => context.logger.debug({ peer: this.peerId, err: error }, 'inbound connection error'));
    socket.on('close', () => {
      this.handshakeTimer.cancel();
      context.closed(this);
    });
  }

  get peer(): NodeId | null {
    return this.peerId;
  }

  close(): void {
    this.closing = true;
    this.handshakeTimer.cancel();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    try {
      for (const body of this.decoder.push(chunk)) {
        this.onFrame(decodeFrame(body));
        if (this.closing) return;
      }
    } catch (error) {
      this.context.counters.malformedFrames++;
      this.context.logger.warn(
        { peer: this.peerId, remote: this.socket.remoteAddress, err: error },
        'malformed or oversized frame; closing the connection',
      );
      this.close();
    }
  }

  private onFrame(frame: Frame): void {
    if (this.peerId === null) {
      this.onHandshake(frame);
      return;
    }
    switch (frame.kind) {
      case 'message':
        this.onMessage(frame.message);
        return;
      case 'ping':
        this.socket.write(encodeFrame({ kind: 'pong', sentAtMs: frame.sentAtMs }, this.context.frameBytesMax));
        return;
      default:
        this.protocolViolation(`unexpected ${frame.kind} frame`);
    }
  }

  private onHandshake(frame: Frame): void {
    const { selfId, clusterId } = this.context;
    if (frame.kind !== 'hello') return this.reject(`expected hello, got ${frame.kind}`);
    if (frame.version !== wireProtocolVersion) return this.reject(`protocol version ${frame.version}, expected ${wireProtocolVersion}`);
    if (frame.clusterId !== clusterId) return this.reject(`cluster id ${JSON.stringify(frame.clusterId)} is not ours (${JSON.stringify(clusterId)})`);
    if (frame.to !== selfId) return this.reject(`connection meant for ${frame.to}, this is ${selfId}`);
    if (!this.context.isKnownPeer(frame.from)) return this.reject(`unknown member ${JSON.stringify(frame.from)}`);
    this.handshakeTimer.cancel();
    this.peerId = frame.from;
    this.context.logger.info({ peer: frame.from, remote: this.socket.remoteAddress }, 'accepted peer connection');
    this.context.authenticated(frame.from, this);
  }

  private onMessage(message: Message): void {
    // The handshake named the sender; a message claiming another sender or recipient is a protocol error.
    if (message.from !== this.peerId || message.to !== this.context.selfId) {
      this.protocolViolation(`message from ${message.from} to ${message.to} on ${this.peerId}'s connection`);
      return;
    }
    this.context.counters.receivedMessages++;
    this.context.deliver(message);
  }

  private protocolViolation(reason: string): void {
    this.context.counters.malformedFrames++;
    this.context.logger.warn({ peer: this.peerId, reason }, 'protocol violation; closing the connection');
    this.close();
  }

  private reject(reason: string): void {
    this.context.counters.rejectedConnections++;
    this.context.logger.warn({ remote: this.socket.remoteAddress, reason }, 'peer connection rejected');
    this.closing = true;
    this.handshakeTimer.cancel();
    // Tell the dialer why (so its log says it too), then close even if it never closes its side.
    this.socket.end(encodeFrame({ kind: 'reject', reason }, this.context.frameBytesMax));
    this.context.env.timers.setTimeout(() => this.socket.destroy(), rejectLingerMs);
  }
}
