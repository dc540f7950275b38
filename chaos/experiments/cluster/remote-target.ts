import { EtcdWireClient } from '../../../store/index.ts';
import type { ExperimentCluster, ServerEndpoint } from './experiment-cluster.ts';

/** How long each endpoint may take to say who it is. */
const identifyTimeoutMs = 3_000;

interface WireStatus {
  readonly header: { readonly member_id: string };
}
interface WireMemberList {
  readonly members: ReadonlyArray<{ readonly ID: string; readonly name: string }>;
}

/**
 * A cluster elsewhere, known by its replicas' etcd endpoints (and a kubeconfig): it can be probed
 * and watched, not faulted — processes and links there are out of this machine's reach.
 */
export async function openRemoteTarget(etcdEndpoints: readonly string[], kubeconfig: string | null): Promise<ExperimentCluster> {
  const servers = await Promise.all(etcdEndpoints.map((endpoint) => identify(endpoint)));
  return {
    description: `a remote cluster (${etcdEndpoints.join(', ')})`,
    servers,
    components: servers.map((server) => ({ name: server.name, kind: 'server' })),
    kubeconfigPath: kubeconfig,
    addresses: {},
    control: null,
    faultsUnavailable: 'the cluster is remote: its processes and links cannot be reached from here (run the experiment on a cluster started by flotilla up, or by the experiment)',
    close: async () => undefined,
  };
}

/** The member's name from MemberList, matched by the id its own Status gives. */
async function identify(endpoint: string): Promise<ServerEndpoint> {
  const client = new EtcdWireClient(endpoint);
  try {
    const status = await client.call<WireStatus>('Maintenance', 'Status', {}, identifyTimeoutMs);
    const list = await client.call<WireMemberList>('Cluster', 'MemberList', {}, identifyTimeoutMs);
    const name = list.members.find((member) => member.ID === status.header.member_id)?.name;
    return { name: name === undefined || name === '' ? endpoint : name, clientEndpoint: endpoint };
  } catch (error) {
    throw new Error(`cannot reach the replica at ${endpoint}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.close();
  }
}
