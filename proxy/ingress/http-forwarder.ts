import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from '../../common/index.ts';
import type { BackendPicker } from '../balancing/backend-picker.ts';
import type { BackendSpec } from '../core/proxy-table.ts';
import { IngressLimits, ProxyLimits } from '../limits.ts';
import type { ConnectionRegistry } from '../runtime/connection-registry.ts';
import type { BackendAgents } from './backend-agents.ts';
import { forwardedHeaders, responseHeaders, type ForwardingContext } from './forwarded-headers.ts';
import { ingressErrors, sendIngressError } from './ingress-errors.ts';

export interface ForwarderDeps {
  readonly env: Env;
  readonly registry: ConnectionRegistry;
  readonly agents: BackendAgents;
  readonly responseTimeoutMs?: number;
  readonly connectAttemptsMax?: number;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Forwards one request to a ready endpoint of the route's service port over a keep-alive pool.
 * The request body is only streamed once the upstream socket is connected, so a failed connect
 * can move to another endpoint without having consumed it; a kept-alive socket that the backend
 * had just closed is retried once more for idempotent requests without a body. Streams both ways
 * through pipes (backpressure), and answers 502/503/504 itself when it must.
 */
export function forwardRequest(request: IncomingMessage, response: ServerResponse, picker: BackendPicker, context: ForwardingContext, deps: ForwarderDeps): void {
  const tried = new Set<string>();
  const attemptsMax = deps.connectAttemptsMax ?? ProxyLimits.connectAttemptsMax;
  const retryable = idempotentMethods.has(request.method ?? '') && !hasBody(request);
  let staleSocketRetried = false;
  const attempt = (): void => {
    const backend = tried.size < attemptsMax ? picker.pick(context.clientAddress, tried) : null;
    if (backend === null) {
      sendIngressError(response, tried.size === 0 ? ingressErrors.unavailable : ingressErrors.badGateway, tried.size === 0 ? 'no ready endpoint' : 'no endpoint accepted the connection');
      return;
    }
    tried.add(backend.key);
    send(backend);
  };
  const send = (backend: BackendSpec): void => {
    const end = deps.registry.begin(backend.key);
    let answered = false;
    let connected = false;
    let timedOut = false;
    const upstream = httpRequest({
      host: backend.address, port: backend.port, method: request.method, path: request.url, headers: forwardedHeaders(request.headers, context, false), agent: deps.agents.agentFor(backend.key),
    });
    const timer = deps.env.timers.setTimeout(() => {
      timedOut = true;
      upstream.destroy(new Error('backend response timed out'));
    }, deps.responseTimeoutMs ?? IngressLimits.backendResponseTimeoutMs);
    const onClientGone = (): void => {
      if (!response.writableFinished) upstream.destroy();
    };
    response.once('close', onClientGone);
    upstream.on('socket', (socket: Socket) => {
      socket.setNoDelay(true);
      const start = (): void => {
        connected = true;
        if (hasBody(request)) request.pipe(upstream);
        else upstream.end();
      };
      if (socket.connecting) socket.once('connect', start);
      else start();
    });
    upstream.on('response', (upstreamResponse) => {
      answered = true;
      timer.cancel();
      picker.onConnected(context.clientAddress, backend);
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, responseHeaders(upstreamResponse.headers));
      upstreamResponse.pipe(response);
      upstreamResponse.on('end', end);
      upstreamResponse.on('error', () => {
        end();
        response.destroy();
      });
    });
    upstream.on('error', () => {
      timer.cancel();
      end();
      response.off('close', onClientGone);
      if (answered || response.destroyed) {
        response.destroy();
        return;
      }
      if (timedOut) {
        sendIngressError(response, ingressErrors.timeout, 'backend did not answer in time');
        return;
      }
      if (upstream.reusedSocket && retryable && !staleSocketRetried) {
        // The backend closed a kept-alive socket as we reused it: send again on a fresh one.
        staleSocketRetried = true;
        send(backend);
        return;
      }
      // Nothing of the request reached the backend: try another endpoint.
      if (!connected) {
        picker.onConnectFailed(context.clientAddress, backend);
        attempt();
      } else sendIngressError(response, ingressErrors.badGateway, 'backend closed the connection');
    });
  };
  attempt();
}
