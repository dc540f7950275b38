import type { ApiClient, JsonObject } from '../../../control-plane/index.ts';
import type { RunningContainer } from '../container-ledger.ts';
import type { DeclaredObject } from '../declared-state.ts';
import { Kinds } from '../kinds.ts';

/**
 * Everything the final checks judge, read at one instant of virtual time (time stands still while
 * it is read): the API objects, which nodes are alive, what the nodes really run, and which
 * controllers the current leader runs (a check of a kind whose controller is absent is skipped).
 */
export interface ObservedState {
  readonly liveNodes: ReadonlySet<string>;
  readonly nodes: readonly JsonObject[];
  readonly pods: readonly JsonObject[];
  readonly deployments: readonly JsonObject[];
  readonly replicaSets: readonly JsonObject[];
  readonly statefulSets: readonly JsonObject[];
  readonly daemonSets: readonly JsonObject[];
  readonly controllerRevisions: readonly JsonObject[];
  readonly jobs: readonly JsonObject[];
  readonly services: readonly JsonObject[];
  readonly endpoints: readonly JsonObject[];
  readonly endpointSlices: readonly JsonObject[];
  readonly containers: readonly RunningContainer[];
  readonly controllers: ReadonlySet<string>;
  /** What the operator last asked for each object it touched. */
  readonly declared: readonly DeclaredObject[];
}

export interface ObservedFacts {
  readonly liveNodes: ReadonlySet<string>;
  readonly containers: readonly RunningContainer[];
  readonly controllers: ReadonlySet<string>;
  readonly declared: readonly DeclaredObject[];
}

/** Reads the API side through an unfaulted client. */
export async function readObservedState(client: ApiClient, facts: ObservedFacts): Promise<ObservedState> {
  const items = async (definition: (typeof Kinds)[keyof typeof Kinds]) => (await client.list(definition)).items;
  return {
    ...facts,
    nodes: await items(Kinds.node),
    pods: await items(Kinds.pod),
    deployments: await items(Kinds.deployment),
    replicaSets: await items(Kinds.replicaSet),
    statefulSets: await items(Kinds.statefulSet),
    daemonSets: await items(Kinds.daemonSet),
    controllerRevisions: await items(Kinds.controllerRevision),
    jobs: await items(Kinds.job),
    services: await items(Kinds.service),
    endpoints: await items(Kinds.endpoints),
    endpointSlices: await items(Kinds.endpointSlice),
  };
}

/** An empty state, for hand-made states in tests. */
export function emptyObservedState(overrides: Partial<ObservedState> = {}): ObservedState {
  return {
    liveNodes: new Set(), nodes: [], pods: [], deployments: [], replicaSets: [], statefulSets: [], daemonSets: [], controllerRevisions: [],
    jobs: [], services: [], endpoints: [], endpointSlices: [], containers: [], controllers: new Set(), declared: [], ...overrides,
  };
}
