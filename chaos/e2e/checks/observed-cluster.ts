import type { JsonObject } from '../../../control-plane/index.ts';
import type { DeclaredState } from '../declared-state.ts';

/** A container process found on a node, and how it was found. */
export interface ContainerProcess {
  readonly node: string;
  readonly podUid: string;
  readonly container: string;
  readonly pid: number;
  /**
   * `state-file`: the runtime's pods/<uid>/containers/<name>/state.json names a live process (pid
   * and start time match). `process-table`: a live process whose working directory is inside a
   * container's directory, found in /proc whether or not the runtime still remembers it.
   */
  readonly seenBy: 'state-file' | 'process-table';
}

/**
 * Everything the final checks judge, read after the heal: the API's objects (pods and nodes of
 * every namespace, the rest of the run's namespace), which nodes' agents run, what processes the
 * nodes really run, and what the operator declared. Reads are not one snapshot (real processes
 * keep moving), so a check that fails is read again until the deadline.
 */
export interface ObservedCluster {
  readonly namespace: string;
  readonly declared: DeclaredState;
  /** Every node the cluster has (after the heal, every one's agent should run). */
  readonly clusterNodes: readonly string[];
  /** Nodes whose agent process is running. */
  readonly liveNodes: ReadonlySet<string>;
  readonly nodes: readonly JsonObject[];
  readonly pods: readonly JsonObject[];
  readonly deployments: readonly JsonObject[];
  readonly services: readonly JsonObject[];
  readonly endpoints: readonly JsonObject[];
  readonly endpointSlices: readonly JsonObject[];
  readonly processes: readonly ContainerProcess[];
}
