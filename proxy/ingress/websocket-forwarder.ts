import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from '../../common/index.ts';
import type { BackendPicker } from '../balancing/backend-picker.ts';
import { ProxyLimits } from '../limits.ts';
import { boundedConnect } from '../runtime/bounded-connect.ts';
import type { ConnectionRegistry } from '../runtime/connection-registry.ts';
import { forwardedHeaders, type ForwardingContext } from './forwarded-headers.ts';
import { ingressErrors, rawIngressError } from './ingress-errors.ts';

export interface UpgradeDeps {
  readonly env: Env;
  readonly registry: ConnectionRegistry;
  readonly connectAttemptsMax?: number;
  readonly connectTimeoutMs?: number;
}

function requestHead(request: IncomingMessage, context: ForwardingContext): string {
  const headers = forwardedHeaders(request.headers, context, true);
  const lines = [`${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(item)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * A WebSocket (or any HTTP/1.1 Upgrade) request: a new TCP connection to a ready endpoint (another
 * one if the connect fails), the request head re-sent with Connection: upgrade and X-Forwarded-*
 * headers, then bytes both ways untouched — the backend's 101 answer included.
 */
export function forwardUpgrade(request: IncomingMessage, client: Socket, head: Buffer, picker: BackendPicker, context: ForwardingContext, deps: UpgradeDeps): void {
  const tried = new Set<string>();
  client.on('error', () => client.destroy());
  const attempt = (): void => {
    if (client.destroyed) return;
    const backend = tried.size < (deps.connectAttemptsMax ?? ProxyLimits.connectAttemptsMax) ? picker.pick(context.clientAddress, tried) : null;
    if (backend === null) {
      client.end(rawIngressError(tried.size === 0 ? ingressErrors.unavailable : ingressErrors.badGateway));
      return;
    }
    tried.add(backend.key);
    const upstream = boundedConnect(backend.address, backend.port, false);
    const deadline = deps.env.timers.setTimeout(() => upstream.destroy(new Error('connect timed out')), deps.connectTimeoutMs ?? ProxyLimits.connectTimeoutMs);
    upstream.once('error', () => {
      deadline.cancel();
      picker.onConnectFailed(context.clientAddress, backend);
      attempt();
    });
    upstream.once('connect', () => {
      deadline.cancel();
      upstream.removeAllListeners('error');
      picker.onConnected(context.clientAddress, backend);
      const end = deps.registry.begin(backend.key, client, upstream);
      const teardown = (): void => {
        client.destroy();
        upstream.destroy();
        end();
      };
      upstream.on('error', teardown);
      client.on('error', teardown);
      upstream.on('close', teardown);
      client.on('close', teardown);
      upstream.write(requestHead(request, context));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
  };
  attempt();
}
