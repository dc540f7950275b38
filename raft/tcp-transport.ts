import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { assert, Limits, type Env, type Logger } from '../common/index.ts';
import { InboundConnection, type InboundContext, type InboundCounters } from './tcp-inbound.ts';
import { defaultFrameBytesMax } from './tcp-framing.ts';
import { OutboundPeer, type OutboundPeerSettings, type PeerAddress, type PeerCounters } from './tcp-peer.ts';
import type { Transport } from './transport.ts';
import type { Message, NodeId } from './types.ts';

export type { PeerAddress } from './tcp-peer.ts';

export interface TcpTransportOptions {
  readonly id: NodeId;
  /** Connections from members of another cluster are refused at the handshake. */
  readonly clusterId: string;
  /** Where to listen; port 0 picks a free port (see `address()`). */
  readonly listen: PeerAddress;
  readonly peers?: ReadonlyMap<NodeId, PeerAddress>;
  readonly env: Env;
  readonly logger: Logger;
  readonly peerQueueMessagesMax?: number;
  readonly frameBytesMax?: number;
  readonly reconnectDelayMinMs?: number;
  readonly reconnectDelayMaxMs?: number;
  readonly connectTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly inboundConnectionsMax?: number;
}

/**
 * Defaults. Reconnects start at 50 ms (a restarted peer is back in well under an election timeout)
 * and stop growing at 1 s (so a peer that was down for minutes is found again within a second).
 */
export const tcpTransportDefaults = {
  peerQueueMessagesMax: Limits.peerQueueMessagesMax,
  frameBytesMax: defaultFrameBytesMax,
  reconnectDelayMinMs: 50,
  reconnectDelayMaxMs: 1000,
  connectTimeoutMs: 2000,
  handshakeTimeoutMs: 2000,
  pingIntervalMs: 1000,
  /** Two per peer is the steady state (an old one may linger while its replacement arrives). */
  inboundConnectionsMax: 64,
} as const;

export interface TcpTransportMetrics extends InboundCounters {
  /** Messages addressed to a member we have no address for. */
  droppedUnknownPeer: number;
  readonly peers: Readonly<Record<NodeId, Readonly<PeerCounters> & { readonly connected: boolean; readonly queuedMessages: number }>>;
}

/**
 * Raft messages over TCP between replicas: length-prefixed msgpack frames, one outbound connection
 * per peer (see `OutboundPeer`), inbound connections authenticated by a handshake (see
 * `InboundConnection`). Delivery is best effort, as the `Transport` contract allows.
 */
export class TcpTransport implements Transport {
  private readonly settings: OutboundPeerSettings;
  private readonly inboundContext: InboundContext;
  private readonly counters: InboundCounters = { receivedMessages: 0, rejectedConnections: 0, malformedFrames: 0 };
  private droppedUnknownPeer = 0;
  private readonly peers = new Map<NodeId, OutboundPeer>();
  private readonly inbound = new Set<InboundConnection>();
  private handler: ((message: Message) => void) | null = null;
  private server: Server | null = null;
  private running = false;

  constructor(private readonly options: TcpTransportOptions) {
    const defaults = tcpTransportDefaults;
    this.settings = {
      selfId: options.id,
      clusterId: options.clusterId,
      env: options.env,
      logger: options.logger,
      queueMessagesMax: options.peerQueueMessagesMax ?? defaults.peerQueueMessagesMax,
      frameBytesMax: options.frameBytesMax ?? defaults.frameBytesMax,
      reconnectDelayMinMs: options.reconnectDelayMinMs ?? defaults.reconnectDelayMinMs,
      reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? defaults.reconnectDelayMaxMs,
      connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
      pingIntervalMs: options.pingIntervalMs ?? defaults.pingIntervalMs,
    };
    this.inboundContext = this.createInboundContext();
    for (const [id, address] of options.peers ?? []) this.setPeer(id, address);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    assert(!this.running && this.server === null, 'transport started twice');
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.error({ err: error }, 'raft transport server error'));
    this.server = server;
    this.running = true;
    this.options.logger.info({ id: this.options.id, address: this.address() }, 'raft transport listening');
    for (const peer of this.peers.values()) peer.start();
  }

  /** The address actually listened on (the chosen port when `listen.port` was 0). */
  address(): PeerAddress {
    const info = this.server?.address();
    assert(info !== null && info !== undefined && typeof info !== 'string', 'transport is not listening');
    return { host: (info satisfies AddressInfo).address, port: info.port };
  }

  /** Adds a peer or changes its address (membership changes, tests that learn ports late). */
  setPeer(id: NodeId, address: PeerAddress): void {
    if (id === this.options.id) return;
    const existing = this.peers.get(id);
    if (existing !== undefined) {
      existing.setAddress(address);
      return;
    }
    const peer = new OutboundPeer(id, address, this.settings);
    this.peers.set(id, peer);
    if (this.running) peer.start();
  }

  removePeer(id: NodeId): void {
    this.peers.get(id)?.stop();
    this.peers.delete(id);
    for (const connection of this.inbound) if (connection.peer === id) connection.close();
  }

  send(messages: readonly Message[]): void {
    if (!this.running) return;
    for (const message of messages) {
      const peer = this.peers.get(message.to);
      if (peer === undefined) this.droppedUnknownPeer++;
      else peer.enqueue(message);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const peer of this.peers.values()) peer.stop();
    for (const connection of this.inbound) connection.close();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.options.logger.info({ id: this.options.id }, 'raft transport stopped');
  }

  metrics(): TcpTransportMetrics {
    const peers: Record<NodeId, Readonly<PeerCounters> & { connected: boolean; queuedMessages: number }> = {};
    for (const [id, peer] of this.peers) {
      peers[id] = { ...peer.counters, connected: peer.connected, queuedMessages: peer.queuedMessages };
    }
    return { ...this.counters, droppedUnknownPeer: this.droppedUnknownPeer, peers };
  }

  private onConnection(socket: Socket): void {
    const max = this.options.inboundConnectionsMax ?? tcpTransportDefaults.inboundConnectionsMax;
    if (!this.running || this.inbound.size >= max) {
      this.counters.rejectedConnections++;
      this.options.logger.warn({ remote: socket.remoteAddress, inbound: this.inbound.size }, 'inbound connection refused: too many or stopping');
      socket.destroy();
      return;
    }
    this.inbound.add(new InboundConnection(socket, this.inboundContext));
  }

  private createInboundContext(): InboundContext {
    const { options } = this;
    return {
      selfId: options.id,
      clusterId: options.clusterId,
      env: options.env,
      logger: options.logger,
      frameBytesMax: this.settings.frameBytesMax,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? tcpTransportDefaults.handshakeTimeoutMs,
      counters: this.counters,
      isKnownPeer: (id) => this.peers.has(id),
      deliver: (message) => {
        if (this.running) this.handler?.(message);
      },
      authenticated: (peerId, connection) => {
        // A peer that restarted dials again while its old connection may linger half-open.
        for (const other of this.inbound) if (other !== connection && other.peer === peerId) other.close();
      },
      closed: (connection) => this.inbound.delete(connection),
    };
  }
}
