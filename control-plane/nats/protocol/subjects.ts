/**
 * Every NATS subject Flotilla uses, in one place: `flotilla.<cluster>.*`. Cluster and node names
 * become single subject tokens; a node name is a DNS subdomain (it may hold dots, which NATS reads
 * as token separators), so its dots are written as underscores — reversible, because a DNS name
 * never holds an underscore.
 */

/** The queue group of every control-plane replica: NATS hands each agent request to one of them. */
export const controlPlaneQueueGroup = 'flotilla-control-plane';

/**
 * Request-reply operations agents (and node proxies: the list, TLS Secret and proxy write
 * operations) send to the control plane.
 */
export const AgentOperation = {
  nodeRegister: 'node.register',
  nodeStatus: 'node.status',
  leaseRenew: 'lease.renew',
  podsList: 'pods.list',
  configGet: 'config.get',
  podsStatus: 'pods.status',
  podsDelete: 'pods.delete',
  eventsRecord: 'events.record',
  metricsReport: 'metrics.report',
  volumesResolve: 'volumes.resolve',
  volumesList: 'volumes.list',
  servicesList: 'services.list',
  endpointSlicesList: 'endpointslices.list',
  ingressesList: 'ingresses.list',
  tlsSecretGet: 'secrets.tls.get',
  serviceProxyPortsWrite: 'services.proxy-ports.write',
  serviceLoadBalancerWrite: 'services.load-balancer.write',
  ingressLoadBalancerWrite: 'ingresses.load-balancer.write',
} as const;
export type AgentOperation = (typeof AgentOperation)[keyof typeof AgentOperation];

/** The cluster-wide kinds whose changes the leader publishes for node proxies (and agents, for Services). */
export const watchedKinds = ['services', 'endpointslices', 'ingresses'] as const;
export type WatchedKind = (typeof watchedKinds)[number];

const clusterNamePattern = /^[A-Za-z0-9_-]{1,63}$/;

/** Null when the name can be a subject token; otherwise what is wrong with it. */
export function clusterNameProblem(name: string): string | null {
  return clusterNamePattern.test(name) ? null : `"${name}" must be 1-63 letters, digits, "_" or "-" (it becomes a NATS subject token)`;
}

export function nodeToken(nodeName: string): string {
  return nodeName.replaceAll('.', '_');
}

export class Subjects {
  readonly prefix: string;

  constructor(readonly clusterName: string) {
    const problem = clusterNameProblem(clusterName);
    if (problem !== null) throw new Error(`cluster name ${problem}`);
    this.prefix = `flotilla.${clusterName}`;
  }

  /** Agent → control plane, request-reply to the queue group. */
  operation(operation: AgentOperation): string {
    return `${this.prefix}.api.${operation}`;
  }

  /** What the control plane subscribes to for every operation. */
  allOperations(): string {
    return `${this.prefix}.api.>`;
  }

  /** The operation named by a request's subject, or null for one this version does not know. */
  operationOf(subject: string): AgentOperation | null {
    const start = `${this.prefix}.api.`;
    if (!subject.startsWith(start)) return null;
    const name = subject.slice(start.length);
    return (Object.values(AgentOperation) as string[]).includes(name) ? (name as AgentOperation) : null;
  }

  /** Control plane (the Raft leader) → one agent: changes to the pods bound to its node. */
  nodePods(nodeName: string): string {
    return `${this.prefix}.node.${nodeToken(nodeName)}.pods`;
  }

  /** Control plane → agents: a ConfigMap or Secret changed (name and revision only). */
  configChanges(): string {
    return `${this.prefix}.config`;
  }

  /** Control plane (the Raft leader) → every proxy (and agent): changes to Services, EndpointSlices or Ingresses. */
  objectChanges(kind: WatchedKind): string {
    return `${this.prefix}.${kind}`;
  }

  /** Control plane → one agent, request-reply: open a log stream of one of its containers. */
  nodeLogs(nodeName: string): string {
    return `${this.prefix}.node.${nodeToken(nodeName)}.logs`;
  }

  /** Control plane → one agent, request-reply: open an exec session in one of its containers. */
  nodeExec(nodeName: string): string {
    return `${this.prefix}.node.${nodeToken(nodeName)}.exec`;
  }

  /** A fresh, unguessable subject for one end of one stream (NATS inboxes are random NUIDs). */
  streamInbox(random: string): string {
    return `_INBOX.flotilla.${this.clusterName}.${random}`;
  }
}
