import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiContext } from '../context.ts';
import { podConnectError } from '../handlers/pod-connect.ts';
import { podResource } from '../registry/kinds/pod.ts';
import type { TokenAuthenticator } from '../security/tokens.ts';
import { errors, toApiError, type ApiError } from '../status.ts';
import { isWebSocketUpgrade, recentExecFailure, serveExecWebSocket } from './exec-websocket.ts';

/** exec/attach/portforward as kubectl opens them: a WebSocket (or SPDY) upgrade of a pod subresource. */
const connectPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward|log)$/;

/**
 * Upgrade requests never reach the router (Node hands them to 'upgrade'). `exec` over WebSocket is
 * served (exec-websocket.ts); everything else — SPDY, attach, portforward, and any failure before
 * the upgrade — is answered with a plain HTTP Status (401, 404, 400, 503) and closed, so kubectl
 * prints why instead of "connection reset".
 */
export async function answerUpgrade(context: ApiContext, authenticator: TokenAuthenticator, request: IncomingMessage, socket: Duplex, head: Buffer = Buffer.alloc(0)): Promise<void> {
  let failure: ApiError;
  try {
    const url = new URL(request.url ?? '/', 'http://api.invalid');
    if (authenticator.authenticate(request.headers.authorization) === null) throw errors.unauthorized();
    const match = connectPath.exec(url.pathname);
    if (match === null) throw errors.pathNotFound(url.pathname);
    const namespace = decodeURIComponent(match[1] ?? '');
    const name = decodeURIComponent(match[2] ?? '');
    if (match[3] === 'exec' && isWebSocketUpgrade(request) && context.podStreams !== undefined) {
      return await serveExecWebSocket(context, request, socket, head, namespace, name, url.searchParams);
    }
    // kubectl's SPDY fallback after a refused WebSocket: repeat why, since that is what it prints.
    failure = (match[3] === 'exec' ? recentExecFailure(context, namespace, name) : undefined) ?? await podConnectError(context, podResource, namespace, name, match[3] ?? '');
  } catch (error) {
    failure = toApiError(error);
  }
  const body = JSON.stringify(failure.toStatus());
  const reason = failure.code === 503 ? 'Service Unavailable' : failure.code === 401 ? 'Unauthorized' : failure.code === 404 ? 'Not Found' : failure.code === 400 ? 'Bad Request' : 'Error';
  socket.end(`HTTP/1.1 ${failure.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
