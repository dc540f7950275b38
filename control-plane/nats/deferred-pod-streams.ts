import type { ByteStream, ExecSession, PodExecOptions, PodLogOptions, PodStreams, PodStreamTarget } from '../api/handlers/pod-streams.ts';
import { ApiError, StatusReason } from '../api/status.ts';

/**
 * PodStreams for an API server that starts before its NATS bridge (the bridge needs the API's
 * object layer): 503 until `attach` hands over the bridge's streams.
 */
export class DeferredPodStreams implements PodStreams {
  private target: PodStreams | undefined;

  attach(streams: PodStreams): void {
    this.target = streams;
  }

  openLogs(target: PodStreamTarget, options: PodLogOptions, signal: AbortSignal): Promise<ByteStream> {
    return this.current(target).openLogs(target, options, signal);
  }

  openExec(target: PodStreamTarget, options: PodExecOptions, signal: AbortSignal): Promise<ExecSession> {
    return this.current(target).openExec(target, options, signal);
  }

  private current(target: PodStreamTarget): PodStreams {
    if (this.target === undefined) throw new ApiError(503, StatusReason.serviceUnavailable, `no agent answers for node ${target.nodeName}: this replica's NATS bridge is starting`);
    return this.target;
  }
}
