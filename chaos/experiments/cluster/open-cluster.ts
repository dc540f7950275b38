import type { Env } from '../../../common/index.ts';
import type { ClusterSpec } from '../experiment.ts';
import type { ExperimentCluster } from './experiment-cluster.ts';
import { attachLocalClusterTarget, startLocalClusterTarget } from './local-cluster-target.ts';
import { startProcessClusterTarget } from './process-cluster-target.ts';
import { openRemoteTarget } from './remote-target.ts';

/** A cluster the experiment cannot have: a usage error (exit 2), with what to do instead. */
export class ClusterUnavailableError extends Error {
  override readonly name = 'ClusterUnavailableError';
}

/**
 * The cluster an experiment runs against: the one it starts itself (in `runDirectory`), the one
 * `flotilla up` runs in a directory, or a remote one.
 */
export async function openCluster(spec: ClusterSpec, runDirectory: string, env: Env, print: (line: string) => void): Promise<ExperimentCluster> {
  switch (spec.kind) {
    case 'start':
      // Replicas only when no agent is asked for: a few processes, so quick enough for tests.
      if (spec.agents === 0) return await startProcessClusterTarget({ servers: spec.servers, serverFlags: spec.serverFlags, directory: runDirectory });
      return await startLocalClusterTarget({ servers: spec.servers, agents: spec.agents, serverFlags: spec.serverFlags, directory: runDirectory, env, print });
    case 'local':
      try {
        return await attachLocalClusterTarget(spec.directory, env);
      } catch (error) {
        throw new ClusterUnavailableError(error instanceof Error ? error.message : String(error));
      }
    case 'remote':
      return await openRemoteTarget(spec.etcdEndpoints, spec.kubeconfig);
  }
}
