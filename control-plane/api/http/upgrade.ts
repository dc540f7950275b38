import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiContext } from '../context.ts';
import { podConnectError } from '../handlers/pod-connect.ts';
import { podResource } from '../registry/kinds/pod.ts';
import type { TokenAuthenticator } from '../security/tokens.ts';
import { errors, toApiError, type ApiError } from '../status.ts';

/** exec/attach/portforward as kubectl opens them: a WebSocket (or SPDY) upgrade of a pod subresource. */
const connectPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward|log)$/;

/**
 * Upgrade requests never reach the router (Node hands them to 'upgrade'); until an agent serves
 * them, each is answered with a plain HTTP Status (401, 404, or the 503 naming the node) and closed,
 * so kubectl prints why instead of "connection reset".
 */
export async function answerUpgrade(context: ApiContext, authenticator: TokenAuthenticator, request: IncomingMessage, socket: Duplex): Promise<void> {
  let failure: ApiError;
  try {
    const url = new URL(request.url ?? '/', 'http://api.invalid');
    if (authenticator.authenticate(request.headers.authorization) === null) throw errors.unauthorized();
    const match = connectPath.exec(url.pathname);
    if (match === null) throw errors.pathNotFound(url.pathname);
    failure = await podConnectError(context, podResource, decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? ''), match[3] ?? '');
  } catch (error) {
    failure = toApiError(error);
  }
  const body = JSON.stringify(failure.toStatus());
  const reason = failure.code === 503 ? 'Service Unavailable' : failure.code === 401 ? 'Unauthorized' : failure.code === 404 ? 'Not Found' : 'Error';
  socket.end(`HTTP/1.1 ${failure.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
