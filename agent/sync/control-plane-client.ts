import type { NatsConnection } from '@nats-io/transport-node';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  AgentOperation, listAllPages, listClusterObjects, OperationRefusedError, ProtocolLimits, readConfigGetResult, type ListedObjects, readEmptyResult, readEventsRecordResult,
  readMetricsReportResult, readNodeRegisterResult, readVolumesListResult, readVolumesResolveResult, readNodeStatusResult, readPodsDeleteResult, readPodsListResult, readPodsStatusResult,
  requestOperation, type AgentEvent, type ConfigGetResult, type ConfigKind, type EventsRecordResult, type Fields, type MetricsReportRequest, type MetricsReportResult,
  type NodeRegisterResult, type NodeStatusResult, type PodStatusResultEntry, type PodStatusUpdate, type PodsDeleteResult, type Subjects, type VolumesListResult, type VolumesResolveResult,
} from '../../control-plane/nats/protocol/index.ts';

/** The control plane answered, with a failure (a Kubernetes status code and message): the protocol's OperationRefusedError. */
export const ControlPlaneError = OperationRefusedError;
export type ControlPlaneError = OperationRefusedError;

export function isControlPlaneError(error: unknown, code?: number): error is ControlPlaneError {
  return error instanceof ControlPlaneError && (code === undefined || error.code === code);
}

/** Pages of one pod list (each at most podsPerListPageMax pods); a bigger node is refused. */
const listPagesMax = 100;

/**
 * The agent's calls to the control plane: request-reply on `flotilla.<cluster>.api.*`, answered
 * by any replica of the queue group, each with a deadline (and an AbortSignal). Failures are
 * `ControlPlaneError` (an answer) or `NatsRequestError` (no answer); callers decide on retries.
 */
export class ControlPlaneClient {
  constructor(private readonly connection: NatsConnection, private readonly subjects: Subjects, readonly nodeName: string) {}

  async registerNode(node: JsonObject, signal?: AbortSignal): Promise<NodeRegisterResult> {
    return this.call(AgentOperation.nodeRegister, { node }, readNodeRegisterResult, signal);
  }

  async updateNodeStatus(status: JsonObject, signal?: AbortSignal): Promise<NodeStatusResult> {
    return this.call(AgentOperation.nodeStatus, { nodeName: this.nodeName, status }, readNodeStatusResult, signal);
  }

  async renewLease(renewTime: string, leaseDurationSeconds: number, signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    await this.call(AgentOperation.leaseRenew, { nodeName: this.nodeName, renewTime, leaseDurationSeconds }, readEmptyResult, signal, timeoutMs);
  }

  /** Every pod bound to this node, read page by page at one revision. */
  async listPods(signal?: AbortSignal): Promise<{ pods: JsonObject[]; revision: number }> {
    const { objects, revision } = await listAllPages(async (revision, continueAfter) => {
      const result = await this.call(AgentOperation.podsList, { nodeName: this.nodeName, revision, continueAfter }, readPodsListResult, signal, ProtocolLimits.listRequestTimeoutMs);
      return { revision: result.revision, objects: result.pods, continueAfter: result.continueAfter };
    }, `pods of node ${this.nodeName}`, listPagesMax);
    return { pods: [...objects], revision };
  }

  /** Every Service of the cluster (for the containers' Service variables), page by page at one revision. */
  async listServices(signal?: AbortSignal): Promise<ListedObjects> {
    return listClusterObjects(this.connection, this.subjects, AgentOperation.servicesList, signal);
  }

  async getConfig(kind: ConfigKind, namespace: string, name: string, signal?: AbortSignal): Promise<ConfigGetResult> {
    return this.call(AgentOperation.configGet, { kind, namespace, name }, readConfigGetResult, signal);
  }

  async writeStatuses(updates: readonly PodStatusUpdate[], signal?: AbortSignal): Promise<readonly PodStatusResultEntry[]> {
    return (await this.call(AgentOperation.podsStatus, { nodeName: this.nodeName, updates }, readPodsStatusResult, signal)).results;
  }

  async confirmDeletion(namespace: string, name: string, uid: string, signal?: AbortSignal): Promise<PodsDeleteResult> {
    return this.call(AgentOperation.podsDelete, { namespace, name, uid }, readPodsDeleteResult, signal);
  }

  async recordEvents(events: readonly AgentEvent[], signal?: AbortSignal): Promise<EventsRecordResult> {
    return this.call(AgentOperation.eventsRecord, { nodeName: this.nodeName, events }, readEventsRecordResult, signal);
  }

  async resolveVolume(namespace: string, claimName: string, signal?: AbortSignal): Promise<VolumesResolveResult> {
    return this.call(AgentOperation.volumesResolve, { namespace, claimName }, readVolumesResolveResult, signal);
  }

  async listVolumes(signal?: AbortSignal): Promise<VolumesListResult> {
    return this.call(AgentOperation.volumesList, {}, readVolumesListResult, signal);
  }

  async reportMetrics(report: Omit<MetricsReportRequest, 'version' | 'nodeName'>, signal?: AbortSignal): Promise<MetricsReportResult> {
    return this.call(AgentOperation.metricsReport, { nodeName: this.nodeName, ...report }, readMetricsReportResult, signal);
  }

  private call<Result>(operation: AgentOperation, fields: object, read: (fields: Fields) => Result, signal?: AbortSignal, timeoutMs?: number): Promise<Result> {
    return requestOperation(this.connection, this.subjects, operation, fields, read, signal, timeoutMs);
  }
}
