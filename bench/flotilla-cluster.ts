import { ProcessCluster } from '../chaos/cluster/index.ts';
import type { LocalCluster } from './etcd-cluster.ts';

/** A 3-replica Flotilla store cluster of real `flotilla server` processes, peers linked directly. */
export async function startFlotillaCluster(extraArgs: readonly string[] = []): Promise<LocalCluster & { cluster: ProcessCluster }> {
  const cluster = await ProcessCluster.start({ size: 3, relays: false, extraArgs });
  return {
    name: 'flotilla',
    cluster,
    clientEndpoints: cluster.clientEndpoints(),
    pids: () => cluster.members.map((member) => member.process.pid ?? 0),
    stop: () => cluster.stop(),
  };
}
