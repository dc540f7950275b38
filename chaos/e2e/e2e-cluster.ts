import type { StoreReplica } from './store-hashes.ts';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlInvocation {
  readonly args: readonly string[];
  readonly input?: string;
  /** The process is killed after this long (kubectl's own --request-timeout is shorter). */
  readonly timeoutMs: number;
}

export interface AgentNode {
  /** The Node's name in the API. */
  readonly name: string;
  /** The agent's --data-dir: the process runtime keeps pods/<uid>/… there. */
  readonly dataDir: string;
}

/**
 * What an end-to-end chaos run needs from a real local cluster, and nothing more: kubectl against
 * its stable API address, the store replicas' etcd addresses, the agents' data directories, and
 * kill / restart / cut-off of single components. chaos/local-cluster/ (the cluster `flotilla up`
 * starts) provides it through local-cluster-adapter.ts; the runner never starts processes itself.
 */
export interface E2eCluster {
  readonly servers: readonly string[];
  readonly agents: readonly AgentNode[];
  readonly storeReplicas: readonly StoreReplica[];
  kubectl(invocation: KubectlInvocation): Promise<KubectlResult>;
  /** The server that says it is the Raft leader now, or null. */
  leaderServer(): Promise<string | null>;
  /** kill -9; `startServer` brings it back on the same data directory. */
  killServer(name: string): Promise<void>;
  startServer(name: string): Promise<void>;
  /** Cuts every Raft link between this server and the others (its API and NATS stay up). */
  isolateServer(name: string): Promise<void>;
  /** Every Raft link passes again. */
  healLinks(): Promise<void>;
  killAgent(name: string): Promise<void>;
  startAgent(name: string): Promise<void>;
  isAgentRunning(name: string): Promise<boolean>;
  /** kill -9 every nats-server; `startNats` starts them again on the same ports. */
  killNats(): Promise<void>;
  startNats(): Promise<void>;
}
