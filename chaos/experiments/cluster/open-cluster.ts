import type { ClusterSpec } from '../experiment.ts';
import type { ExperimentCluster } from './experiment-cluster.ts';
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
export async function openCluster(spec: ClusterSpec, runDirectory: string): Promise<ExperimentCluster> {
  switch (spec.kind) {
    case 'start':
      if (spec.agents > 0) {
        throw new ClusterUnavailableError('cluster.start.agents: clusters with agents, NATS and the Kubernetes API are started by the local-cluster library (flotilla up), which this build does not have yet; set agents: 0 (replicas only) or run against a running cluster with --cluster DIR');
      }
      return await startProcessClusterTarget({ servers: spec.servers, serverFlags: spec.serverFlags, directory: runDirectory });
    case 'local':
      throw new ClusterUnavailableError(`cluster.local (${spec.directory}): attaching to a cluster started by flotilla up needs the local-cluster library, which this build does not have yet`);
    case 'remote':
      return await openRemoteTarget(spec.etcdEndpoints, spec.kubeconfig);
  }
}
