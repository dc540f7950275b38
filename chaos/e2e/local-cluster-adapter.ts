import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realEnv, type Logger } from '../../common/index.ts';
import { LocalCluster } from '../local-cluster/index.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { runKubectl } from './kubectl-process.ts';
import type { E2eClusterHandle } from './run-seeds.ts';

export interface LocalE2eClusterOptions {
  /** Where the cluster lives; a fresh temporary directory when absent. */
  readonly directory?: string;
  readonly servers: 3 | 5;
  readonly agents: number;
  /** How long the new cluster may take to be healthy (leader, every API, nodes Ready). */
  readonly healthyTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * Starts the cluster `flotilla up` starts (chaos/local-cluster/: one nats-server, the servers
 * behind fault relays, the stable API address, an agent and a proxy per node) and presents it as
 * the E2eCluster the runs drive. Nothing here starts a process itself.
 */
export async function startLocalE2eCluster(options: LocalE2eClusterOptions): Promise<E2eClusterHandle> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'flotilla-e2e-')));
  const env = realEnv();
  const local = await LocalCluster.start({ directory, env, servers: options.servers, agents: options.agents, natsServers: 1, logger: options.logger.child({ component: 'local-cluster' }) });
  const stop = async (stopOptions: { readonly keepFiles: boolean }): Promise<void> => {
    await local.down();
    if (!stopOptions.keepFiles && options.directory === undefined) await rm(directory, { recursive: true, force: true });
  };
  try {
    await local.waitUntilHealthy({ timeoutMs: options.healthyTimeoutMs });
  } catch (error) {
    await stop({ keepFiles: true });
    throw error;
  }
  return { cluster: adapt(local), directory: local.directory, stop };
}

function adapt(local: LocalCluster): E2eCluster {
  const { state } = local;
  const agentComponent = (node: string): string => {
    const record = state.nodes.find((candidate) => candidate.name === node);
    if (record === undefined) throw new Error(`no node named ${node}`);
    return record.agent;
  };
  const servers = state.servers.map((server) => server.name);
  const nats = local.componentNames('nats');
  return {
    servers,
    agents: state.nodes.map((node) => ({ name: node.name, dataDir: node.dataDir })),
    storeReplicas: state.servers.map((server) => ({ name: server.name, clientEndpoint: server.clientEndpoint })),
    kubectl: (invocation) => runKubectl(local.kubeconfigPath, local.directory, invocation),
    leaderServer: async () => (await local.health()).leader,
    killServer: (name) => local.killComponent(name),
    startServer: (name) => local.startComponent(name),
    isolateServer: (name) => local.partition([[name], servers.filter((other) => other !== name)]),
    healLinks: () => local.heal(),
    killAgent: (node) => local.killComponent(agentComponent(node)),
    startAgent: (node) => local.startComponent(agentComponent(node)),
    isAgentRunning: async (node) => (await local.componentState(agentComponent(node))) === 'running',
    killNats: async () => {
      for (const name of nats) await local.killComponent(name);
    },
    startNats: async () => {
      for (const name of nats) await local.startComponent(name);
    },
  };
}
