import { createServer, type Server, type Socket } from 'node:net';
import type { Env, Logger } from '../../common/index.ts';
import type { BackendPicker } from '../balancing/backend-picker.ts';
import type { BackendSpec, ListenerSpec } from '../core/proxy-table.ts';
import { ProxyLimits } from '../limits.ts';
import { boundedConnect } from './bounded-connect.ts';
import type { ConnectionRegistry } from './connection-registry.ts';

export interface TcpListenerDeps {
  readonly env: Env;
  readonly logger: Logger;
  readonly registry: ConnectionRegistry;
  /** The picker of the listener's current target (looked up per connection: the table may have changed). */
  readonly pickerFor: (targetKey: string) => BackendPicker | undefined;
  readonly connectAttemptsMax?: number;
  readonly connectTimeoutMs?: number;
}

/**
 * One TCP listening socket of a service port. Each accepted connection is held paused (nothing is
 * read, so nothing is buffered) until a backend accepts the upstream connection; a failed or slow
 * connect moves to another ready backend, at most `connectAttemptsMax` attempts in all, and a client
 * with nowhere to go gets a reset, like a Kubernetes Service without endpoints. Then bytes flow
 * through pipes, which pause the sender when the other side's buffer reaches its high-water mark.
 */
export class TcpListener {
  private server: Server | null = null;

  constructor(private spec: ListenerSpec, private readonly deps: TcpListenerDeps) {}

  get key(): string {
    return this.spec.key;
  }

  update(spec: ListenerSpec): void {
    this.spec = spec;
  }

  async start(): Promise<void> {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, highWaterMark: ProxyLimits.pipeHighWaterMarkBytes }, (socket) => this.onConnection(socket));
    server.maxConnections = ProxyLimits.connectionsPerListenerMax;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.spec.host, port: this.spec.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.deps.logger.warn({ err: error, listener: this.spec.key }, 'listener error'));
    this.server = server;
  }

  /** Stops accepting; connections already proxied carry on until they end (drain). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    // A proxy must not add Nagle delays the client did not ask for: bytes go on as they come.
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    this.attempt(client, new Set());
  }

  private attempt(client: Socket, tried: Set<string>): void {
    if (client.destroyed) return;
    const clientAddress = client.remoteAddress ?? '';
    const picker = this.deps.pickerFor(this.spec.target.key);
    const attemptsLeft = tried.size < (this.deps.connectAttemptsMax ?? ProxyLimits.connectAttemptsMax);
    const backend = attemptsLeft ? (picker?.pick(clientAddress, tried) ?? null) : null;
    if (picker === undefined || backend === null) {
      client.resetAndDestroy();
      return;
    }
    tried.add(backend.key);
    const upstream = boundedConnect(backend.address, backend.port, true);
    const deadline = this.deps.env.timers.setTimeout(() => upstream.destroy(new Error('connect timed out')), this.deps.connectTimeoutMs ?? ProxyLimits.connectTimeoutMs);
    const abandon = (): void => {
      upstream.destroy();
    };
    client.once('close', abandon);
    upstream.once('error', () => {
      deadline.cancel();
      client.off('close', abandon);
      picker.onConnectFailed(clientAddress, backend);
      this.attempt(client, tried);
    });
    upstream.once('connect', () => {
      deadline.cancel();
      upstream.setNoDelay(true);
      client.off('close', abandon);
      upstream.removeAllListeners('error');
      picker.onConnected(clientAddress, backend);
      this.splice(client, upstream, backend);
    });
  }

  private splice(client: Socket, upstream: Socket, backend: BackendSpec): void {
    const end = this.deps.registry.begin(backend.key, client, upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      end();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    // FINs travel through the pipes (allowHalfOpen); a side that closes with an error takes the other down.
    const onClose = (hadError: boolean): void => {
      if (hadError) teardown();
      if (client.destroyed && upstream.destroyed) end();
    };
    client.on('close', onClose);
    upstream.on('close', onClose);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
