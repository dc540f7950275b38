import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ApiContext } from '../context.ts';
import { booleanParameter, streamTarget } from '../handlers/pod-log.ts';
import type { ExecSession } from '../handlers/pod-streams.ts';
import type { JsonObject } from '../json.ts';
import { getObject } from '../objects/object-operations.ts';
import { podResource } from '../registry/kinds/pod.ts';
import { ApiError, errors, StatusReason } from '../status.ts';

/** Kubernetes' remotecommand subprotocols over WebSocket that we speak (v5 adds the stdin close signal). */
export const execSubprotocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** remotecommand's channel numbers (the first byte of every binary message). */
const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Largest WebSocket message accepted from the client (stdin chunks, resize messages). */
export const execMessageBytesMax = 1024 * 1024;

/**
 * kubectl falls back to SPDY when the WebSocket handshake fails, and prints the SPDY answer: so
 * the SPDY attempt that follows a refused WebSocket one is answered with the same Status (kept
 * briefly, a bounded number of them).
 */
const failureMemoryMs = 10_000;
const failuresRememberedMax = 256;
const recentFailures = new WeakMap<ApiContext, Map<string, { readonly error: ApiError; readonly atMs: number }>>();

export function recentExecFailure(context: ApiContext, namespace: string, name: string): ApiError | undefined {
  const entry = recentFailures.get(context)?.get(`${namespace}/${name}`);
  return entry !== undefined && context.env.clock.nowMs() - entry.atMs < failureMemoryMs ? entry.error : undefined;
}

function rememberFailure(context: ApiContext, namespace: string, name: string, error: ApiError): void {
  const failures = recentFailures.get(context) ?? new Map<string, { readonly error: ApiError; readonly atMs: number }>();
  recentFailures.set(context, failures);
  failures.delete(`${namespace}/${name}`);
  failures.set(`${namespace}/${name}`, { error, atMs: context.env.clock.nowMs() });
  if (failures.size > failuresRememberedMax) {
    const oldest = failures.keys().next();
    if (oldest.done !== true) failures.delete(oldest.value);
  }
}

export function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/**
 * `kubectl exec` as kubectl 1.32 opens it: a WebSocket upgrade of pods/{name}/exec speaking
 * v5.channel.k8s.io. Everything that can fail (the pod, its container, the command, the agent) is
 * checked before the upgrade, so kubectl gets a Status it can print; then stdin, stdout, stderr
 * and resizes flow through the session with back-pressure both ways, and the exit status is the
 * error channel's Status (NonZeroExitCode with the code, as kubelet reports it).
 */
export async function serveExecWebSocket(context: ApiContext, request: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): Promise<void> {
  let session: { readonly session: ExecSession; readonly protocol: string; readonly wants: ExecWants; readonly command: readonly string[] };
  try {
    session = await openSession(context, request, namespace, name, query);
  } catch (error) {
    if (error instanceof ApiError) rememberFailure(context, namespace, name, error);
    throw error;
  }
  const server = new WebSocketServer({ noServer: true, maxPayload: execMessageBytesMax, handleProtocols: () => session.protocol });
  server.handleUpgrade(request, socket, head, (webSocket) => {
    server.close();
    void bridge(webSocket, session.session, session.wants, session.command, context);
  });
}

interface ExecWants {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

async function openSession(context: ApiContext, request: IncomingMessage, namespace: string, name: string, query: URLSearchParams) {
  const protocol = chooseSubprotocol(request.headers['sec-websocket-protocol']);
  if (protocol === undefined) throw errors.badRequest(`pods/exec over WebSocket needs a subprotocol of ${execSubprotocols.join(' or ')}`);
  const streams = context.podStreams;
  const { object } = await getObject(context, podResource, namespace, name);
  const target = streamTarget(object, query.get('container') ?? '');
  const command = query.getAll('command');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  const wants: ExecWants = { stdin: booleanParameter(query, 'stdin'), stdout: booleanParameter(query, 'stdout'), stderr: booleanParameter(query, 'stderr'), tty: booleanParameter(query, 'tty') };
  if (!wants.stdin && !wants.stdout && !wants.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (streams === undefined) throw new ApiError(503, StatusReason.serviceUnavailable, `no agent serves node ${target.nodeName} yet: pods/exec for pod ${name} needs the node's flotilla agent`);
  const session = await streams.openExec(target, { command, stdin: wants.stdin, tty: wants.tty }, new AbortController().signal);
  return { session, protocol, wants, command };
}

function chooseSubprotocol(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((item) => item.trim());
  return execSubprotocols.find((protocol) => offered.includes(protocol));
}

async function bridge(webSocket: WebSocket, session: ExecSession, wants: ExecWants, command: readonly string[], context: ApiContext): Promise<void> {
  webSocket.on('message', (data: RawData) => onClientMessage(webSocket, session, toBuffer(data)));
  webSocket.on('close', () => session.cancel());
  webSocket.on('error', () => session.cancel());
  try {
    for await (const output of session.output) {
      if ((output.channel === 'stdout' && !wants.stdout) || (output.channel === 'stderr' && !wants.stderr)) continue;
      await send(webSocket, Buffer.concat([Buffer.from([output.channel === 'stdout' ? Channel.stdout : Channel.stderr]), output.data]));
    }
    const result = await session.result;
    await send(webSocket, Buffer.concat([Buffer.from([Channel.error]), Buffer.from(JSON.stringify(exitStatus(result, command)))]));
    webSocket.close(1000);
  } catch (error) {
    context.logger.debug({ err: error }, 'exec session ended early');
    session.cancel();
    webSocket.terminate();
  }
}

function onClientMessage(webSocket: WebSocket, session: ExecSession, data: Buffer): void {
  const channel = data[0];
  const payload = data.subarray(1);
  if (channel === Channel.stdin) {
    // Back-pressure: read nothing more from the client until the agent took this chunk.
    webSocket.pause();
    session.writeStdin(payload).then(() => webSocket.resume(), () => webSocket.terminate());
  } else if (channel === Channel.resize) {
    const size = parseSize(payload);
    if (size !== undefined) session.resize(size.width, size.height);
  } else if (channel === Channel.close && payload[0] === Channel.stdin) {
    session.closeStdin();
  }
}

/** remotecommand's TerminalSize: {"Width": w, "Height": h} (Go field names). */
function parseSize(payload: Buffer): { width: number; height: number } | undefined {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const width = Number(parsed['Width'] ?? parsed['width']);
    const height = Number(parsed['Height'] ?? parsed['height']);
    return Number.isInteger(width) && Number.isInteger(height) ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** The error channel's Status, as kubelet writes it. */
export function exitStatus(result: { readonly exitCode: number; readonly error: string }, command: readonly string[]): JsonObject {
  if (result.exitCode === 0) return { metadata: {}, status: 'Success' };
  if (result.exitCode > 0) {
    return {
      metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${result.exitCode}`,
      details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
    };
  }
  return { metadata: {}, status: 'Failure', reason: 'InternalError', message: `error executing command [${command.join(' ')}]: ${result.error || 'the stream to the agent broke'}` };
}

function send(webSocket: WebSocket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => webSocket.send(data, { binary: true }, (error) => (error === undefined || error === null ? resolve() : reject(error))));
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
