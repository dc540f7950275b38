import type { BalancingPolicy, SessionAffinity } from '../model/service-view.ts';

/** One ready endpoint a service port forwards to: `address:port` (for the process runtime, hostIP:hostPort). */
export interface BackendSpec {
  readonly address: string;
  readonly port: number;
  /** `address:port`, the identity balancers and pools key on. */
  readonly key: string;
}

/** What a service port forwards to; shared by all its listeners so they share one balancer. */
export interface ServicePortTarget {
  /** `namespace/name:port/protocol`. */
  readonly key: string;
  readonly serviceKey: string;
  readonly portName: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly balancing: BalancingPolicy;
  readonly affinity: SessionAffinity;
  /** Ready endpoints only, sorted; terminating ones are absent (their open connections drain on their own). */
  readonly backends: readonly BackendSpec[];
}

/**
 * Why a listener exists: the Service's cluster IP (root mode), its port on the node address
 * (unprivileged mode, recorded in `flotilla.io/proxy-ports`), a NodePort, or a LoadBalancer port
 * on the node address (k3s ServiceLB style).
 */
export type ListenerRole = 'cluster-ip' | 'proxy-port' | 'node-port' | 'load-balancer';

export interface ListenerSpec {
  /** `protocol/host:port`: one socket per key. */
  readonly key: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly host: string;
  readonly port: number;
  readonly role: ListenerRole;
  readonly target: ServicePortTarget;
}

export interface TableProblem {
  readonly serviceKey: string;
  readonly message: string;
}

export interface ProxyTable {
  readonly listeners: readonly ListenerSpec[];
  readonly targets: ReadonlyMap<string, ServicePortTarget>;
  /** Cluster IPs to add to the node (root mode only). */
  readonly clusterAddresses: readonly string[];
  /** Skipped ports and listeners that lost a conflict, for the logs. */
  readonly problems: readonly TableProblem[];
}

/** `cluster-ip`: root on Linux, cluster IPs added to the node; `ports`: no root, a proxy port per service port. */
export type ListenMode = 'cluster-ip' | 'ports';

export interface NodeAddressing {
  /** The node's address as others reach it (status.loadBalancer.ingress, LoadBalancer listeners). */
  readonly nodeAddress: string;
  /** Where NodePorts and proxy ports are bound: the node address, or 0.0.0.0 for every address. */
  readonly listenAddress: string;
}

export function listenerKey(protocol: string, host: string, port: number): string {
  return `${protocol}/${host}:${port}`;
}
