import { join } from 'node:path';
import type { Env } from '../../../common/index.ts';
import { LocalCluster } from '../../local-cluster/index.ts';
import type { ClusterComponent, ComponentKind, ExperimentCluster } from './experiment-cluster.ts';

/** A cluster with agents starts many processes; on a loaded 2-core machine that takes a while. */
const healthyWaitMs = 240_000;

/** Starts a whole local cluster (chaos/local-cluster) for the experiment, in its run directory; `close` takes it down. */
export async function startLocalClusterTarget(options: { readonly servers: 3 | 5; readonly agents: number; readonly serverFlags: readonly string[]; readonly directory: string; readonly env: Env; readonly print: (line: string) => void }): Promise<ExperimentCluster> {
  const cluster = await LocalCluster.start({ directory: join(options.directory, 'cluster'), env: options.env, servers: options.servers, agents: options.agents, serverArgs: options.serverFlags });
  try {
    options.print(`waiting for the cluster to be healthy (leader, APIs, stable address, ${options.agents} node(s) Ready)`);
    await cluster.waitUntilHealthy({ timeoutMs: healthyWaitMs });
  } catch (error) {
    await cluster.down();
    throw error;
  }
  const flags = options.serverFlags.length === 0 ? '' : `, flags ${options.serverFlags.join(' ')}`;
  return adapt(cluster, `${options.servers} servers and ${options.agents} agents started by the experiment${flags}`, async () => cluster.down());
}

/** The cluster `flotilla up` runs in `directory`: faulted through its state file; left running at the end. */
export async function attachLocalClusterTarget(directory: string, env: Env): Promise<ExperimentCluster> {
  const cluster = await LocalCluster.attach(directory, env);
  return adapt(cluster, `the local cluster in ${cluster.directory}`, async () => undefined);
}

function adapt(cluster: LocalCluster, description: string, close: () => Promise<void>): ExperimentCluster {
  const state = cluster.state;
  const addresses: Record<string, string> = { api: cluster.apiEndpoint };
  state.nodes.forEach((node, index) => {
    const ingress = `${node.address}:${node.ingressHttpPort}`;
    if (index === 0) addresses['ingress'] = ingress;
    addresses[`ingress-${node.name}`] = ingress;
  });
  return {
    description,
    servers: state.servers.map((server) => ({ name: server.name, clientEndpoint: server.clientEndpoint })),
    components: state.components.map((component): ClusterComponent => ({ name: component.name, kind: kindOf(component.kind) })),
    kubeconfigPath: cluster.kubeconfigPath,
    addresses,
    control: {
      kill: async (name) => cluster.killComponent(name),
      pause: async (name) => cluster.pauseComponent(name),
      resume: async (name) => cluster.resumeComponent(name),
      stop: async (name) => cluster.stopComponent(name),
      start: async (name) => cluster.startComponent(name),
      setLinks: async (links) => {
        for (const link of links) await cluster.setLinkFault(link.from, link.to, link.fault);
      },
    },
    faultsUnavailable: '',
    close,
  };
}

function kindOf(kind: string): ComponentKind {
  return kind === 'server' || kind === 'agent' || kind === 'nats' ? kind : 'other';
}
