import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../common/index.ts';
import { DnsLimits } from '../limits.ts';
import { answerQuery } from './dns-answer.ts';
import type { DnsZone } from './dns-zone.ts';

export interface DnsServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); the bound port is in `port` once started. */
  readonly port: number;
  readonly logger: Logger;
  /** The zone in force at the moment a query arrives (swapped on every table change). */
  readonly zone: () => DnsZone;
}

/**
 * The per-node DNS server on UDP and TCP (same port). UDP answers are synchronous, so nothing is
 * queued; TCP (RFC 7766: 2-byte length prefix) is bounded in connections, message size, buffered
 * bytes and idle time.
 */
export class DnsServer {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly connections = new Set<Socket>();
  port = 0;

  constructor(private readonly options: DnsServerOptions) {}

  async start(): Promise<void> {
    const udp = createSocket({ type: this.options.host.includes(':') ? 'udp6' : 'udp4' });
    udp.on('message', (message, remote) => {
      const answer = answerQuery(this.options.zone(), message, 'udp');
      if (answer !== null) udp.send(answer, remote.port, remote.address);
    });
    udp.on('error', (error) => this.options.logger.warn({ err: error }, 'dns udp socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.options.port, this.options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    this.port = udp.address().port;
    const tcp = createServer((socket) => this.onTcpConnection(socket));
    tcp.maxConnections = DnsLimits.tcpConnectionsMax;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, this.options.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.tcp = tcp;
  }

  private onTcpConnection(socket: Socket): void {
    this.connections.add(socket);
    socket.setTimeout(DnsLimits.tcpIdleMs, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // A length prefix is at most 65,535, so one message plus a prefix bounds what is held.
      if (buffered.length > DnsLimits.tcpMessageBytesMax + 2) {
        socket.destroy();
        return;
      }
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const answer = answerQuery(this.options.zone(), message, 'tcp');
        if (answer === null) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answer.length);
        // A client that does not read its answers is not sent more: stop reading until it drains.
        if (!socket.write(Buffer.concat([prefix, answer]))) {
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      }
    });
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    if (udp !== null) await new Promise<void>((resolve) => udp.close(() => resolve()));
    const tcp = this.tcp;
    this.tcp = null;
    for (const socket of this.connections) socket.destroy();
    if (tcp !== null) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}
