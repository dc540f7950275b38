import type { E2eCluster } from './e2e-cluster.ts';
import type { FaultAction, ServerTarget } from './plan.ts';

/** A fault in force: what it hit (resolved at the moment it started) and how to undo it. */
export interface ActiveFault {
  readonly description: string;
  undo(): Promise<void>;
}

/**
 * Starts a fault on the real processes. Targets are resolved now — "the leader" is whoever leads
 * when the fault starts — so the same plan may hit different servers on different runs; the
 * description records which one it was.
 */
export async function startFault(cluster: E2eCluster, fault: FaultAction): Promise<ActiveFault> {
  switch (fault.kind) {
    case 'kill-leader-server': {
      const name = await resolveServer(cluster, 'leader');
      await cluster.killServer(name);
      return { description: `killed server ${name} (the leader)`, undo: () => cluster.startServer(name) };
    }
    case 'isolate-server': {
      const name = await resolveServer(cluster, fault.target);
      await cluster.isolateServer(name);
      return { description: `isolated server ${name}${fault.target === 'leader' ? ' (the leader)' : ''}`, undo: () => cluster.healLinks() };
    }
    case 'kill-agent': {
      const agent = cluster.agents[fault.agent % cluster.agents.length];
      if (agent === undefined) throw new Error('the cluster has no agents');
      await cluster.killAgent(agent.name);
      return { description: `killed agent ${agent.name}`, undo: () => cluster.startAgent(agent.name) };
    }
    case 'restart-nats':
      await cluster.killNats();
      return { description: 'killed nats-server', undo: () => cluster.startNats() };
  }
}

/** With no leader at the moment (an election is on), the first server stands in. */
async function resolveServer(cluster: E2eCluster, target: ServerTarget): Promise<string> {
  const name = target === 'leader' ? ((await cluster.leaderServer()) ?? cluster.servers[0]) : cluster.servers[target % cluster.servers.length];
  if (name === undefined) throw new Error('the cluster has no servers');
  return name;
}
