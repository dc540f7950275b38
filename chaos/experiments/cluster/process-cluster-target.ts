import { join } from 'node:path';
import { ProcessCluster, waitForLeader } from '../../cluster/index.ts';
import type { ClusterControl, ExperimentCluster, LinkSetting } from './experiment-cluster.ts';

/** How long a started cluster may take to elect its first leader (a loaded 2-core machine is slow to start 3 processes). */
const firstLeaderWaitMs = 60_000;

/**
 * Replicas only (no API, agents or NATS), as `ProcessCluster` starts them behind fault relays:
 * enough for every replica-level experiment, and light enough for the test suite.
 */
export async function startProcessClusterTarget(options: { readonly servers: 3 | 5; readonly serverFlags: readonly string[]; readonly directory: string }): Promise<ExperimentCluster> {
  const cluster = await ProcessCluster.start({ size: options.servers, extraArgs: options.serverFlags, rootDir: join(options.directory, 'cluster') });
  try {
    await waitForLeader(cluster, firstLeaderWaitMs);
  } catch (error) {
    await cluster.stop({ keepFiles: true });
    throw error;
  }
  return {
    description: `${options.servers} servers started by the experiment (replicas only, behind fault relays)${options.serverFlags.length === 0 ? '' : `, flags ${options.serverFlags.join(' ')}`}`,
    servers: cluster.members.map((member) => ({ name: member.name, clientEndpoint: member.clientEndpoint })),
    components: cluster.members.map((member) => ({ name: member.name, kind: 'server' })),
    kubeconfigPath: null,
    addresses: {},
    control: processControl(cluster),
    faultsUnavailable: '',
    // The run directory keeps the replicas' logs and data for whoever reads the report.
    close: async () => cluster.stop({ keepFiles: true }),
  };
}

function processControl(cluster: ProcessCluster): ClusterControl {
  const processOf = (name: string) => cluster.member(name).process;
  return {
    kill: async (name) => processOf(name).kill(),
    pause: async (name) => processOf(name).signal('SIGSTOP'),
    resume: async (name) => processOf(name).signal('SIGCONT'),
    stop: async (name) => processOf(name).stop(),
    start: async (name) => processOf(name).start(),
    setLinks: async (links: readonly LinkSetting[]) => {
      for (const link of links) cluster.setLinkFault(link.from, link.to, link.fault);
    },
  };
}
