import type { RelayFault } from '../../relay/fault-relay.ts';

export type ComponentKind = 'server' | 'agent' | 'nats' | 'other';

export interface ClusterComponent {
  readonly name: string;
  readonly kind: ComponentKind;
}

export interface ServerEndpoint {
  readonly name: string;
  /** The replica's etcd v3 gRPC API, `HOST:PORT`. */
  readonly clientEndpoint: string;
}

/**
 * What an experiment needs of a cluster, whoever started it: where to look (replicas, the
 * Kubernetes API) and, when it is on this machine, how to hurt it. One adapter per kind of
 * cluster (`process-cluster-target.ts`, `local-cluster-target.ts`, `remote-target.ts`).
 */
export interface ExperimentCluster {
  /** For the report: "3 servers started by the experiment". */
  readonly description: string;
  readonly servers: readonly ServerEndpoint[];
  readonly components: readonly ClusterComponent[];
  /** Null when the cluster serves no Kubernetes API. */
  readonly kubeconfigPath: string | null;
  /** Named `HOST:PORT`s a probe URL may use as `{{name}}` (`ingress`, `ingress-node-2`, `api`). */
  readonly addresses: Readonly<Record<string, string>>;
  /** Null when the cluster cannot be faulted from here (remote); `faultsUnavailable` says why. */
  readonly control: ClusterControl | null;
  readonly faultsUnavailable: string;
  /** Lets go of the cluster; stops it when the experiment started it. */
  close(): Promise<void>;
}

/** Process and link faults on a local cluster. Every method resolves once the action is done. */
export interface ClusterControl {
  kill(name: string): Promise<void>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** SIGTERM, waiting for the exit. */
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /** Sets directed replica links; links not listed keep their fault. */
  setLinks(links: readonly LinkSetting[]): Promise<void>;
}

export interface LinkSetting {
  readonly from: string;
  readonly to: string;
  readonly fault: RelayFault;
}
