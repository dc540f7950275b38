import type { JsonObject } from '../../control-plane/index.ts';
import { recordsAt, stringAt } from '../control-plane-sim/object-fields.ts';
import type { ContainerProcess, ObservedCluster } from './checks/observed-cluster.ts';
import type { DeclaredState } from './declared-state.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { readContainerProcesses } from './node-processes.ts';

/** One read of the API may take this long (the lists are small: one run's objects). */
const readTimeoutMs = 20_000;

/**
 * Reads what the checks judge: two kubectl lists (nodes and pods of every namespace; the run
 * namespace's Deployments, Services, Endpoints and EndpointSlices), which agents run, and the
 * container processes on every node. Throws when the API cannot be read: the caller reads again.
 */
export async function observeCluster(cluster: E2eCluster, namespace: string, declared: DeclaredState): Promise<ObservedCluster> {
  const global = await listThroughKubectl(cluster, ['get', 'nodes,pods', '--all-namespaces', '-o', 'json']);
  const local = await listThroughKubectl(cluster, ['get', 'deployments,services,endpoints,endpointslices', '-n', namespace, '-o', 'json']);
  const liveNodes = new Set<string>();
  const processes: ContainerProcess[] = [];
  for (const agent of cluster.agents) {
    if (await cluster.isAgentRunning(agent.name)) liveNodes.add(agent.name);
    processes.push(...(await readContainerProcesses(agent.name, agent.dataDir)));
  }
  const ofKind = (items: readonly JsonObject[], kind: string) => items.filter((item) => stringAt(item, ['kind']) === kind);
  return {
    namespace,
    declared,
    clusterNodes: cluster.agents.map((agent) => agent.name),
    liveNodes,
    nodes: ofKind(global, 'Node'),
    pods: ofKind(global, 'Pod'),
    deployments: ofKind(local, 'Deployment'),
    services: ofKind(local, 'Service'),
    endpoints: ofKind(local, 'Endpoints'),
    endpointSlices: ofKind(local, 'EndpointSlice'),
    processes,
  };
}

async function listThroughKubectl(cluster: E2eCluster, args: readonly string[]): Promise<JsonObject[]> {
  const result = await cluster.kubectl({ args: [`--request-timeout=10s`, ...args], timeoutMs: readTimeoutMs });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  const list: unknown = JSON.parse(result.stdout);
  return typeof list === 'object' && list !== null && !Array.isArray(list) ? recordsAt(list as JsonObject, ['items']) : [];
}
