import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ApiError, toApiError } from '../api/status.ts';
import { confirmPodDeletion } from './handlers/pods-delete-handler.ts';
import { getConfig } from './handlers/config-get-handler.ts';
import { recordEvents } from './handlers/events-handler.ts';
import type { HandlerContext, OperationHandler } from './handlers/handler-context.ts';
import { renewLease } from './handlers/lease-handler.ts';
import { registerNode, updateNodeStatus } from './handlers/node-handlers.ts';
import { listNodePods } from './handlers/pods-list-handler.ts';
import { writePodStatuses } from './handlers/pods-status-handler.ts';
import { reportMetrics } from './handlers/metrics-handler.ts';
import { listVolumes, resolveVolume } from './handlers/volumes-handlers.ts';
import { listEndpointSlices, listIngresses, listServices } from './handlers/objects-list-handler.ts';
import { writeIngressLoadBalancer, writeServiceLoadBalancer, writeServiceProxyPorts } from './handlers/proxy-writes-handlers.ts';
import { getTlsSecret } from './handlers/tls-secret-handler.ts';
import { AgentOperation, controlPlaneQueueGroup, failureReply, okReply, ProtocolError, ProtocolLimits, type Subjects } from './protocol/index.ts';

export const operationHandlers: Readonly<Record<AgentOperation, OperationHandler>> = {
  [AgentOperation.nodeRegister]: registerNode,
  [AgentOperation.nodeStatus]: updateNodeStatus,
  [AgentOperation.leaseRenew]: renewLease,
  [AgentOperation.podsList]: listNodePods,
  [AgentOperation.configGet]: getConfig,
  [AgentOperation.podsStatus]: writePodStatuses,
  [AgentOperation.podsDelete]: confirmPodDeletion,
  [AgentOperation.eventsRecord]: recordEvents,
  [AgentOperation.metricsReport]: reportMetrics,
  [AgentOperation.volumesResolve]: resolveVolume,
  [AgentOperation.volumesList]: listVolumes,
  [AgentOperation.servicesList]: listServices,
  [AgentOperation.endpointSlicesList]: listEndpointSlices,
  [AgentOperation.ingressesList]: listIngresses,
  [AgentOperation.tlsSecretGet]: getTlsSecret,
  [AgentOperation.serviceProxyPortsWrite]: writeServiceProxyPorts,
  [AgentOperation.serviceLoadBalancerWrite]: writeServiceLoadBalancer,
  [AgentOperation.ingressLoadBalancerWrite]: writeIngressLoadBalancer,
};

export interface RequestServerCounters {
  handled: number;
  failed: number;
  refusedBusy: number;
}

/**
 * Answers agents' requests on this replica, as one member of the control plane's queue group
 * (NATS gives each request to one member). Writes go through Raft from here and reads are
 * linearizable, so any replica's answer is as good as the leader's. At most `requestsInFlightMax`
 * are handled at once; beyond that the answer is 429 at once and the agent retries (NATS then
 * picks a member at random again).
 */
export class RequestServer {
  readonly counters: RequestServerCounters = { handled: 0, failed: 0, refusedBusy: 0 };
  private readonly subscription: Subscription;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(connection: NatsConnection, private readonly subjects: Subjects, private readonly context: HandlerContext) {
    this.subscription = connection.subscribe(subjects.allOperations(), {
      queue: controlPlaneQueueGroup,
      callback: (error, message) => {
        if (error === null) this.onRequest(message);
      },
    });
  }

  /** Stops taking requests and waits (up to `graceMs`) for those in flight. */
  async close(graceMs: number): Promise<void> {
    this.subscription.unsubscribe();
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = this.context.env.timers.setTimeout(resolve, graceMs);
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  private onRequest(message: Msg): void {
    if (message.reply === undefined) return;
    const operation = this.subjects.operationOf(message.subject);
    if (operation === null) {
      message.respond(failureReply({ code: 404, reason: 'NotFound', message: `no such operation: ${message.subject} (this server speaks ${Object.values(AgentOperation).join(', ')})` }));
      return;
    }
    if (this.inFlight >= ProtocolLimits.requestsInFlightMax) {
      this.counters.refusedBusy++;
      message.respond(failureReply({ code: 429, reason: 'TooManyRequests', message: `this replica is handling ${this.inFlight} agent requests; retry` }));
      return;
    }
    this.inFlight++;
    void this.handle(operation, message).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async handle(operation: AgentOperation, message: Msg): Promise<void> {
    let reply: Uint8Array;
    try {
      reply = okReply(await operationHandlers[operation](message.data, this.context));
      this.counters.handled++;
    } catch (error) {
      this.counters.failed++;
      reply = failureReply(failureOf(error));
      if (!(error instanceof ProtocolError) && !(error instanceof ApiError && error.code < 500)) {
        this.context.logger.warn({ err: error, operation }, 'agent request failed');
      }
    }
    try {
      message.respond(reply);
    } catch (error) {
      this.context.logger.debug({ err: error, operation }, 'could not answer an agent request (NATS connection lost)');
    }
  }
}

function failureOf(error: unknown): { code: number; reason: string; message: string } {
  if (error instanceof ProtocolError) return { code: 400, reason: 'BadRequest', message: error.message };
  const apiError = toApiError(error);
  return { code: apiError.code, reason: apiError.reason, message: apiError.message };
}
