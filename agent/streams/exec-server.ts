import type { Readable } from 'node:stream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import {
  decodeExecOpenRequest, natsFrameTransport, StreamChannel, StreamEndpoint, StreamLimits, type ExecOpenRequest, type Subjects,
} from '../../control-plane/nats/protocol/index.ts';
import type { Pod } from '../pod-types.ts';
import type { ExecProcess, Runtime } from '../runtime.ts';
import { accept, refuse, StreamSlots } from './stream-opening.ts';

export interface ExecServerOptions {
  readonly runtime: Runtime;
  readonly pod: (uid: string) => Pod | undefined;
  readonly env: Env;
  readonly logger: Logger;
}

/**
 * Serves `kubectl exec` for this node's running containers: a request on the node's exec subject
 * starts the command in the container's context and streams stdin in, stdout/stderr out (both
 * under credit, so neither side buffers more than a window), then the exit code. The command is
 * killed when the stream ends early (the user went away, or the control plane did).
 */
export class ExecServer {
  private subscription: Subscription | undefined;
  private readonly slots = new StreamSlots();
  private readonly open = new Set<StreamEndpoint>();

  constructor(private readonly options: ExecServerOptions) {}

  start(connection: NatsConnection, subjects: Subjects, nodeName: string): void {
    this.subscription = connection.subscribe(subjects.nodeExec(nodeName), { callback: (error, message) => {
      if (error === null) void this.onOpen(connection, message);
    } });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    for (const endpoint of this.open) endpoint.end(-1, 'the agent is stopping');
  }

  private async onOpen(connection: NatsConnection, message: Msg): Promise<void> {
    let request: ExecOpenRequest;
    try {
      request = decodeExecOpenRequest(message.data);
    } catch (error) {
      return refuse(message, 400, 'BadRequest', (error as Error).message);
    }
    if (this.options.pod(request.uid) === undefined) return refuse(message, 404, 'NotFound', `pod ${request.namespace}/${request.name} (uid ${request.uid}) does not run on this node`);
    const container = this.options.runtime.list(request.uid).find((candidate) => candidate.containerName === request.container && candidate.exit === undefined);
    if (container === undefined) return refuse(message, 400, 'BadRequest', `container ${request.container} is not running in pod ${request.name}`);
    if (request.command.length === 0) return refuse(message, 400, 'BadRequest', 'you must specify at least one command for the container');
    if (!this.slots.tryTake()) return refuse(message, 429, 'TooManyRequests', `this node serves ${StreamLimits.streamsPerAgentMax} log and exec streams already; retry`);
    let process: ExecProcess;
    try {
      process = this.options.runtime.execStream(container.id, request.command, { stdin: request.stdin, tty: request.tty });
    } catch (error) {
      this.slots.release();
      return refuse(message, 400, 'BadRequest', (error as Error).message);
    }
    const endpoint = new StreamEndpoint({
      transport: natsFrameTransport(connection), localSubject: request.subjects.toAgent, peerSubject: request.subjects.toControlPlane,
      timers: this.options.env.timers, clock: this.options.env.clock, sendCredit: request.windowChunks, receiveWindow: StreamLimits.windowChunks,
    });
    this.open.add(endpoint);
    accept(message);
    this.options.logger.info({ pod: `${request.namespace}/${request.name}`, container: request.container, command: request.command[0] }, 'exec started');
    try {
      await this.run(endpoint, process);
    } finally {
      this.open.delete(endpoint);
      this.slots.release();
    }
  }

  private async run(endpoint: StreamEndpoint, process: ExecProcess): Promise<void> {
    let exited = false;
    void process.exited.then(() => {
      exited = true;
    });
    // However the stream ends early (the user left, the peer went silent), the command goes with it.
    void endpoint.ended.then(() => {
      if (!exited) process.kill();
    });
    const input = this.feedStdin(endpoint, process);
    await Promise.all([pump(process.stdout, StreamChannel.stdout, endpoint), pump(process.stderr, StreamChannel.stderr, endpoint)]);
    const exitCode = await process.exited;
    endpoint.end(exitCode, '');
    await input;
  }

  private async feedStdin(endpoint: StreamEndpoint, process: ExecProcess): Promise<void> {
    const stdin = process.stdin;
    stdin?.on('error', () => undefined);
    for await (const frame of endpoint) {
      if (stdin === null) continue;
      if (frame.kind === 'data' && frame.channel === StreamChannel.stdin) {
        if (!stdin.write(frame.data)) await new Promise<void>((resolve) => {
          stdin.once('drain', resolve);
          stdin.once('close', resolve);
        });
      } else if (frame.kind === 'close' && frame.channel === StreamChannel.stdin) stdin.end();
    }
    if (stdin !== null && !stdin.writableEnded) stdin.end();
  }
}

/** Sends a stream's bytes as they come; the endpoint's credit holds the reader back when the peer is slow. */
async function pump(readable: Readable, channel: StreamChannel, endpoint: StreamEndpoint): Promise<void> {
  try {
    for await (const chunk of readable) {
      await endpoint.send(channel, chunk as Uint8Array);
    }
  } catch {
    // The stream ended (the peer went away): the command is killed by the caller.
    readable.destroy();
  }
}
