import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Env, Logger } from '../../common/index.ts';
import type { BackendPicker } from '../balancing/backend-picker.ts';
import { IngressLimits } from '../limits.ts';
import type { ConnectionRegistry } from '../runtime/connection-registry.ts';
import { BackendAgents } from './backend-agents.ts';
import type { CertificateStore } from './certificate-store.ts';
import { clientAddressOf, type ForwardingContext } from './forwarded-headers.ts';
import { normalizeHost } from './host-match.ts';
import { forwardRequest } from './http-forwarder.ts';
import { ingressErrors, rawIngressError, sendIngressError, type IngressError } from './ingress-errors.ts';
import { matchRoute, type IngressRouteTable } from './ingress-routes.ts';
import { requestPathOf } from './path-match.ts';
import { forwardUpgrade } from './websocket-forwarder.ts';

export interface IngressServerOptions {
  readonly env: Env;
  readonly logger: Logger;
  readonly host: string;
  /** null: that listener is off. 0: any free port (tests). */
  readonly httpPort: number | null;
  readonly httpsPort: number | null;
  readonly routes: () => IngressRouteTable;
  readonly pickerFor: (targetKey: string) => BackendPicker | undefined;
  readonly registry: ConnectionRegistry;
  readonly certificates: CertificateStore;
  readonly responseTimeoutMs?: number;
}

type Resolved = { readonly picker: BackendPicker } | { readonly error: IngressError; readonly detail: string };

/**
 * The ingress controller's listeners: HTTP and HTTPS (SNI picks the certificate) on the node. Each
 * request is routed by host and path to a service port, and its picker chooses the endpoint.
 */
export class IngressServer {
  private readonly agents = new BackendAgents();
  private http: Server | null = null;
  private https: Server | null = null;
  httpPort = 0;
  httpsPort = 0;

  constructor(private readonly options: IngressServerOptions) {}

  async start(): Promise<void> {
    const serverOptions = { keepAliveTimeout: IngressLimits.clientKeepAliveMs, maxHeaderSize: IngressLimits.requestHeaderBytesMax };
    if (this.options.httpPort !== null) {
      const server = createHttpServer(serverOptions);
      this.httpPort = await this.listen(server, this.options.httpPort, 'http');
      this.http = server;
    }
    if (this.options.httpsPort !== null) {
      const server = createHttpsServer({
        ...serverOptions,
        SNICallback: (name, callback) => {
          const context = this.options.certificates.select(name);
          if (context === null) callback(new Error(`no certificate for ${name}`));
          else callback(null, context);
        },
      });
      this.httpsPort = await this.listen(server, this.options.httpsPort, 'https');
      this.https = server;
    }
  }

  /** Endpoints that left every table lose their idle keep-alive sockets. */
  retainBackends(readyKeys: ReadonlySet<string>): void {
    this.agents.retainOnly(readyKeys);
  }

  /** Stops accepting; resolves once every client connection has ended (see closeAllConnections). */
  async close(): Promise<void> {
    const servers = [this.http, this.https].filter((server): server is Server => server !== null);
    await Promise.all(servers.map((server) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    }));
    this.http = null;
    this.https = null;
    this.agents.close();
  }

  /** Cuts client connections still open (after the drain period). */
  closeAllConnections(): void {
    this.http?.closeAllConnections();
    this.https?.closeAllConnections();
  }

  private async listen(server: Server, port: number, protocol: 'http' | 'https'): Promise<number> {
    server.maxConnections = IngressLimits.clientConnectionsMax;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.onRequest(request, response, protocol));
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(request, socket, head, protocol));
    server.on('clientError', (_error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.warn({ err: error, protocol }, 'ingress listener error'));
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  private contextOf(request: IncomingMessage, protocol: 'http' | 'https'): ForwardingContext {
    return { clientAddress: clientAddressOf(request.socket.remoteAddress), protocol, listenerPort: protocol === 'http' ? this.httpPort : this.httpsPort };
  }

  private resolve(request: IncomingMessage): Resolved {
    const route = matchRoute(this.options.routes(), normalizeHost(request.headers.host), requestPathOf(request.url ?? '/'));
    if (route === null) return { error: ingressErrors.noRoute, detail: 'no rule matched' };
    if (route.kind === 'unavailable') return { error: ingressErrors.unavailable, detail: route.reason };
    const picker = this.options.pickerFor(route.targetKey);
    if (picker === undefined) return { error: ingressErrors.unavailable, detail: `${route.serviceKey} is not programmed` };
    return { picker };
  }

  private onRequest(request: IncomingMessage, response: ServerResponse, protocol: 'http' | 'https'): void {
    const resolved = this.resolve(request);
    if ('error' in resolved) {
      sendIngressError(response, resolved.error, resolved.detail);
      return;
    }
    forwardRequest(request, response, resolved.picker, this.contextOf(request, protocol), {
      env: this.options.env, registry: this.options.registry, agents: this.agents,
      ...(this.options.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: this.options.responseTimeoutMs }),
    });
  }

  private onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer, protocol: 'http' | 'https'): void {
    const resolved = this.resolve(request);
    if ('error' in resolved) {
      socket.end(rawIngressError(resolved.error));
      return;
    }
    forwardUpgrade(request, socket, head, resolved.picker, this.contextOf(request, protocol), { env: this.options.env, registry: this.options.registry });
  }
}
