import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import {
  decodeLogOpenRequest, natsFrameTransport, StreamChannel, StreamEndpoint, StreamLimits, type LogOpenRequest, type Subjects,
} from '../../control-plane/nats/protocol/index.ts';
import { AgentErrorCode, isAgentError } from '../errors.ts';
import type { Pod } from '../pod-types.ts';
import type { Runtime } from '../runtime.ts';
import { accept, refuse, StreamSlots } from './stream-opening.ts';

export interface LogServerOptions {
  readonly runtime: Runtime;
  /** The pod this agent runs with that uid. */
  readonly pod: (uid: string) => Pod | undefined;
  readonly env: Env;
  readonly logger: Logger;
}

/**
 * Serves `kubectl logs` for this node's containers: a request on the node's logs subject opens a
 * stream of the container's log lines (tail, previous, follow), sent in frames of up to
 * `chunkBytesMax` under the control plane's credit, so a slow reader never makes the agent buffer.
 */
export class LogServer {
  private subscription: Subscription | undefined;
  private readonly slots = new StreamSlots();
  private readonly open = new Set<StreamEndpoint>();

  constructor(private readonly options: LogServerOptions) {}

  start(connection: NatsConnection, subjects: Subjects, nodeName: string): void {
    this.subscription = connection.subscribe(subjects.nodeLogs(nodeName), { callback: (error, message) => {
      if (error === null) void this.onOpen(connection, message);
    } });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    for (const endpoint of this.open) endpoint.end(-1, 'the agent is stopping');
  }

  private async onOpen(connection: NatsConnection, message: Msg): Promise<void> {
    let request: LogOpenRequest;
    try {
      request = decodeLogOpenRequest(message.data);
    } catch (error) {
      return refuse(message, 400, 'BadRequest', (error as Error).message);
    }
    const pod = this.options.pod(request.uid);
    if (pod === undefined) return refuse(message, 404, 'NotFound', `pod ${request.namespace}/${request.name} (uid ${request.uid}) does not run on this node`);
    if (!this.slots.tryTake()) return refuse(message, 429, 'TooManyRequests', `this node serves ${StreamLimits.streamsPerAgentMax} log and exec streams already; retry`);
    const stop = new AbortController();
    let lines: AsyncIterable<string>;
    try {
      lines = this.options.runtime.logs(request.uid, request.container, {
        previous: request.previous, follow: request.follow, signal: stop.signal, ...(request.tailLines >= 0 ? { tailLines: request.tailLines } : {}),
      });
    } catch (error) {
      this.slots.release();
      if (!isAgentError(error, AgentErrorCode.containerNotFound)) return refuse(message, 500, 'InternalError', (error as Error).message);
      const text = request.previous
        ? `previous terminated container "${request.container}" in pod "${request.name}" not found`
        : `container "${request.container}" in pod "${request.name}" is waiting to start: ContainerCreating`;
      return refuse(message, 400, 'BadRequest', text);
    }
    const endpoint = new StreamEndpoint({
      transport: natsFrameTransport(connection), localSubject: request.subjects.toAgent, peerSubject: request.subjects.toControlPlane,
      timers: this.options.env.timers, clock: this.options.env.clock, sendCredit: request.windowChunks, receiveWindow: StreamLimits.windowChunks,
    });
    this.open.add(endpoint);
    void endpoint.ended.then(() => stop.abort());
    accept(message);
    try {
      await pumpLines(lines, endpoint, this.options.env, stop.signal);
      endpoint.end(0, '');
    } catch (error) {
      endpoint.end(-1, stop.signal.aborted ? '' : `reading the log failed: ${(error as Error).message}`);
    } finally {
      stop.abort();
      this.open.delete(endpoint);
      this.slots.release();
    }
  }
}

const encoder = new TextEncoder();

/**
 * Sends lines as frames: a frame goes out when it is full or `chunkFlushMs` after its first line
 * (so a followed log shows up promptly, and a big one travels in few frames).
 */
export async function pumpLines(lines: AsyncIterable<string>, endpoint: StreamEndpoint, env: Env, signal: AbortSignal): Promise<void> {
  const iterator = lines[Symbol.asyncIterator]();
  let pending = '';
  let next = iterator.next();
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    const bytes = encoder.encode(pending);
    pending = '';
    await endpoint.send(StreamChannel.stdout, bytes, signal);
  };
  try {
    for (;;) {
      const result = pending === '' ? await next : await raceFlush(next, env, StreamLimits.chunkFlushMs);
      if (result === 'flush') {
        await flush();
        continue;
      }
      if (result.done === true) break;
      pending += `${result.value}\n`;
      next = iterator.next();
      if (pending.length >= StreamLimits.chunkBytesMax / 4) await flush();
    }
    await flush();
  } finally {
    await iterator.return?.();
  }
}

function raceFlush<T>(promise: Promise<T>, env: Env, delayMs: number): Promise<T | 'flush'> {
  return new Promise((resolve, reject) => {
    const timer = env.timers.setTimeout(() => resolve('flush'), delayMs);
    promise.then((value) => {
      timer.cancel();
      resolve(value);
    }, (error: unknown) => {
      timer.cancel();
      reject(error);
    });
  });
}
