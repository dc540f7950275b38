import type { NatsConnection } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import type { ByteStream, ExecOutput, ExecSession, PodExecOptions, PodLogOptions, PodStreams, PodStreamTarget } from '../api/handlers/pod-streams.ts';
import { ApiError, StatusReason } from '../api/status.ts';
import {
  decodeReply, encodeMessage, natsFrameTransport, natsRequest, NatsRequestError, protocolVersion, readStreamOpenResult, StreamChannel, StreamEndpoint, StreamLimits,
  type ProtocolFailure, type StreamSubjects, type Subjects,
} from './protocol/index.ts';

/** Random bytes in a stream subject (64 bits: not guessable by another NATS client). */
const streamIdWords = 4;

/**
 * `PodStreams` over NATS: opens a log or exec stream with the pod's node agent (request-reply on
 * the node's subject, bounded by `openTimeoutMs`), then moves frames with credit-based flow control
 * (StreamEndpoint). Any replica can serve a stream: it needs only its own NATS connection.
 */
export class NatsPodStreams implements PodStreams {
  constructor(
    private readonly connection: () => NatsConnection | null,
    private readonly subjects: Subjects,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  async openLogs(target: PodStreamTarget, options: PodLogOptions, signal: AbortSignal): Promise<ByteStream> {
    const endpoint = await this.open(target, this.subjects.nodeLogs(target.nodeName), signal, (subjects) => ({
      follow: options.follow, previous: options.previous, tailLines: options.tailLines, subjects,
    }), 'pods/log');
    return {
      cancel: () => endpoint.end(),
      [Symbol.asyncIterator]: async function* () {
        try {
          for await (const frame of endpoint) if (frame.kind === 'data') yield frame.data;
        } finally {
          endpoint.end();
        }
      },
    };
  }

  async openExec(target: PodStreamTarget, options: PodExecOptions, signal: AbortSignal): Promise<ExecSession> {
    const endpoint = await this.open(target, this.subjects.nodeExec(target.nodeName), signal, (subjects) => ({
      command: [...options.command], stdin: options.stdin, tty: options.tty, subjects,
    }), 'pods/exec');
    const output = async function* (): AsyncGenerator<ExecOutput> {
      for await (const frame of endpoint) {
        if (frame.kind === 'data') yield { channel: frame.channel === StreamChannel.stderr ? 'stderr' : 'stdout', data: frame.data };
      }
    };
    return {
      output: output(),
      writeStdin: (data) => endpoint.send(StreamChannel.stdin, data),
      closeStdin: () => endpoint.close(StreamChannel.stdin),
      resize: (width, height) => endpoint.resize(width, height),
      result: endpoint.ended.then((end) => ({ exitCode: end.exitCode, error: end.by === 'local' && end.error === '' ? 'cancelled' : end.error })),
      cancel: () => endpoint.end(),
    };
  }

  /** Subscribes, asks the agent, and returns the endpoint once it accepted; 503 if nobody answers. */
  private async open(target: PodStreamTarget, subject: string, signal: AbortSignal, fields: (subjects: StreamSubjects) => object, what: string): Promise<StreamEndpoint> {
    const connection = this.connection();
    if (connection === null) throw unavailable(target.nodeName, what, 'this control-plane replica is not connected to NATS');
    const subjects = { toControlPlane: this.inbox(), toAgent: this.inbox() };
    const endpoint = new StreamEndpoint({
      transport: natsFrameTransport(connection), localSubject: subjects.toControlPlane, peerSubject: subjects.toAgent,
      timers: this.env.timers, clock: this.env.clock, sendCredit: 0, receiveWindow: StreamLimits.windowChunks,
    });
    const request = encodeMessage({
      version: protocolVersion, namespace: target.namespace, name: target.name, uid: target.uid, container: target.container,
      windowChunks: StreamLimits.windowChunks, ...fields(subjects),
    });
    try {
      const reply = decodeReply(await natsRequest(connection, subject, request, StreamLimits.openTimeoutMs, signal), `${what} open`, readStreamOpenResult);
      if (!reply.ok) throw apiErrorOf(reply.error);
      endpoint.grant(reply.result.windowChunks);
      return endpoint;
    } catch (error) {
      endpoint.end(-1, 'not opened');
      if (error instanceof NatsRequestError) throw unavailable(target.nodeName, what, error.failure === 'noResponders' ? 'no agent is connected for it' : error.message);
      this.logger.debug({ err: error, pod: `${target.namespace}/${target.name}` }, `${what} not opened`);
      throw error;
    }
  }

  private inbox(): string {
    const random = Array.from({ length: streamIdWords }, () => this.env.prng.nextInt(0, 0x10000).toString(16).padStart(4, '0')).join('');
    return this.subjects.streamInbox(random);
  }
}

function unavailable(nodeName: string, what: string, why: string): ApiError {
  // No Retry-After: client-go would silently retry for a long time before saying anything.
  return new ApiError(503, StatusReason.serviceUnavailable, `no agent answers for node ${nodeName}: ${what} needs the node's flotilla agent (${why})`);
}

const reasonsByCode: Readonly<Record<number, StatusReason>> = {
  400: StatusReason.badRequest, 404: StatusReason.notFound, 409: StatusReason.conflict, 429: StatusReason.tooManyRequests, 503: StatusReason.serviceUnavailable,
};

function apiErrorOf(failure: ProtocolFailure): ApiError {
  return new ApiError(failure.code, reasonsByCode[failure.code] ?? StatusReason.internalError, failure.message);
}
