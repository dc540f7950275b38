import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createPrng, realClock, realTimers, silentLogger, type Logger, type Prng } from '../../common/index.ts';

/**
 * What a relay does to the bytes it carries. A partition is a blackhole (connections stay open,
 * nothing gets through, as a dead switch port looks), `reset` refuses and cuts connections (as a
 * killed process looks), `delay` holds every chunk for a while before passing it on in order.
 * `loss` is packet loss as TCP shows it to the application: no byte goes missing (TCP retransmits),
 * but a lost chunk, and every chunk behind it, arrives a retransmission timeout late.
 */
export type RelayFault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'loss'; readonly rate: number; readonly retransmitDelayMs: number; readonly delayMs: number };

export interface FaultRelayOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  readonly listenHost?: string;
  readonly listenPort?: number;
  readonly logger?: Logger;
  /** Decides which chunks a `loss` fault hits; seeded from the target port by default. */
  readonly prng?: Prng;
}

/** Bytes held back by a delay, per direction of one connection, before the source is paused. */
const delayedBytesMax = 8 * 1024 * 1024;
/** Connections carried at once; more are refused so a misbehaving peer cannot exhaust us. */
const connectionsMax = 256;

/**
 * A TCP relay between two replicas that injects faults without root: peers are configured to dial
 * the relay, which forwards to the real address unless told to drop, cut or delay.
 */
export class FaultRelay {
  private server: Server | null = null;
  private fault: RelayFault = { kind: 'pass' };
  private readonly connections = new Set<Socket>();
  private readonly logger: Logger;
  private readonly prng: Prng;
  port = 0;

  constructor(private readonly options: FaultRelayOptions) {
    this.logger = options.logger ?? silentLogger;
    this.prng = options.prng ?? createPrng(options.targetPort);
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.onConnection(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort ?? 0, this.options.listenHost ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this.port;
  }

  currentFault(): RelayFault {
    return this.fault;
  }

  setFault(fault: RelayFault): void {
    this.fault = fault;
    this.logger.info({ fault, port: this.port }, 'relay fault set');
    if (fault.kind === 'reset') for (const socket of this.connections) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    if (this.fault.kind === 'reset' || this.connections.size >= connectionsMax) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    for (const socket of [client, upstream]) {
      this.connections.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.connections.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards one direction, applying the fault in force when each chunk arrives. */
  private pipe(source: Socket, sink: Socket): void {
    // Chunks held by a delay leave in arrival order: each is released no earlier than the one
    // before it, even when the delay is shortened or lifted meanwhile.
    const held: { chunk: Buffer; releaseAtMs: number }[] = [];
    let heldBytes = 0;
    let timerArmed = false;
    const release = (): void => {
      timerArmed = false;
      const nowMs = realClock.nowMs();
      while (held.length > 0 && held[0]!.releaseAtMs <= nowMs) {
        const { chunk } = held.shift()!;
        heldBytes -= chunk.length;
        if (this.fault.kind !== 'blackhole' && !sink.destroyed) sink.write(chunk);
      }
      if (source.isPaused() && heldBytes <= delayedBytesMax / 2) source.resume();
      armTimer();
    };
    const armTimer = (): void => {
      const head = held[0];
      if (timerArmed || head === undefined) return;
      timerArmed = true;
      realTimers.setTimeout(release, Math.max(0, head.releaseAtMs - realClock.nowMs()));
    };
    source.on('data', (chunk: Buffer) => {
      const fault = this.fault;
      if (fault.kind === 'blackhole' || fault.kind === 'reset') return;
      if (fault.kind === 'pass' && held.length === 0) {
        sink.write(chunk);
        return;
      }
      const delayMs = fault.kind === 'delay' ? fault.delayMs : fault.kind === 'loss' ? fault.delayMs + (this.prng.chance(fault.rate) ? fault.retransmitDelayMs : 0) : 0;
      const previousReleaseMs = held.at(-1)?.releaseAtMs ?? 0;
      held.push({ chunk, releaseAtMs: Math.max(realClock.nowMs() + delayMs, previousReleaseMs) });
      heldBytes += chunk.length;
      if (heldBytes > delayedBytesMax) source.pause();
      armTimer();
    });
  }
}
