import type { NatsConnection } from '@nats-io/transport-node';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  AgentOperation, listClusterObjects, readProxyWriteResult, readTlsSecretGetResult, requestOperation, type ListedObjects, type ProxyWriteResult,
  type Subjects, type WatchedKind,
} from '../../control-plane/nats/protocol/index.ts';

const listOperations: Readonly<Record<WatchedKind, AgentOperation>> = {
  services: AgentOperation.servicesList,
  endpointslices: AgentOperation.endpointSlicesList,
  ingresses: AgentOperation.ingressesList,
};

/** Which object a compare-and-swap write is for, and the resourceVersion it was planned from. */
export interface WriteTarget {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
}

/**
 * The node proxy's calls to the control plane over NATS (docs/nats-protocol.md): request-reply to
 * the replicas' queue group, each with a deadline. Failures throw (OperationRefusedError for an
 * answer, NatsRequestError for none); the callers retry.
 */
export class NatsControlPlaneClient {
  constructor(private readonly connection: NatsConnection, private readonly subjects: Subjects) {}

  /** Every object of a kind, page by page at one revision. */
  list(kind: WatchedKind, signal?: AbortSignal): Promise<ListedObjects> {
    return listClusterObjects(this.connection, this.subjects, listOperations[kind], signal);
  }

  /** A kubernetes.io/tls Secret by name; null when there is none (or it has another type). */
  async getTlsSecret(namespace: string, name: string, signal?: AbortSignal): Promise<JsonObject | null> {
    const result = await requestOperation(this.connection, this.subjects, AgentOperation.tlsSecretGet, { namespace, name }, readTlsSecretGetResult, signal);
    return result.found ? result.secret : null;
  }

  writeProxyPorts(target: WriteTarget, ports: Readonly<Record<string, number>>): Promise<ProxyWriteResult> {
    return requestOperation(this.connection, this.subjects, AgentOperation.serviceProxyPortsWrite, { ...target, ports }, readProxyWriteResult);
  }

  writeLoadBalancer(kind: 'services' | 'ingresses', target: WriteTarget, ips: readonly string[]): Promise<ProxyWriteResult> {
    const operation = kind === 'services' ? AgentOperation.serviceLoadBalancerWrite : AgentOperation.ingressLoadBalancerWrite;
    return requestOperation(this.connection, this.subjects, operation, { ...target, ips }, readProxyWriteResult);
  }
}
