import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from '../test/agent/agent-process.ts';
import { NatsServerProcess } from '../test/agent/nats-server-process.ts';
import { ApiClusterHarness, eventually } from '../test/e2e/api-cluster-harness.ts';
import type { ApiEndpoint } from './api-client.ts';

/** How long the agents may take to register their nodes Ready. */
const nodesReadyDeadlineMs = 90_000;

export interface PodsCluster {
  readonly endpoints: readonly ApiEndpoint[];
  readonly agents: readonly AgentProcess[];
  stop(): Promise<void>;
}

/**
 * The agent e2e test's cluster (test/e2e/agents.test.ts), reused: 3 `flotilla server` replicas
 * with --api-listen and --nats, a real nats-server on a random port, and `agentCount` real
 * `flotilla agent` processes, each with its own data directory.
 */
export async function startPodsCluster(agentCount: number): Promise<PodsCluster> {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-pods-bench-'));
  const nats = await NatsServerProcess.start(directory);
  const harness = await ApiClusterHarness.start({ extraArgs: ['--nats', nats.url, '--cluster-name', 'bench'] });
  const agents: AgentProcess[] = [];
  for (let index = 0; index < agentCount; index++) agents.push(await AgentProcess.create(directory, `bench-${index + 1}`, { servers: [nats.url], clusterName: 'bench' }));
  for (const agent of agents) agent.start();
  const stop = async (): Promise<void> => {
    for (const agent of agents) await agent.stop();
    await harness.stop();
    await nats.stop();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    for (const agent of agents) {
      await eventually(`${agent.nodeName} Ready`, nodesReadyDeadlineMs, async () => {
        const ready = await harness.kubectlOk(['get', 'node', agent.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
        return ready === 'True' ? true : null;
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: harness.endpoints, agents, stop };
}
