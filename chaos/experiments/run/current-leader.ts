import { EtcdWireClient } from '../../../store/index.ts';
import type { ServerEndpoint } from '../cluster/experiment-cluster.ts';

const statusTimeoutMs = 500;

interface WireStatus {
  readonly header: { readonly member_id: string };
  readonly leader: string;
}

/** The name of the replica that says it leads now, or null (none answers as leader). */
export async function currentLeaderOf(servers: readonly ServerEndpoint[]): Promise<string | null> {
  const answers = await Promise.all(servers.map(async (server) => {
    const client = new EtcdWireClient(server.clientEndpoint);
    try {
      const status = await client.call<WireStatus>('Maintenance', 'Status', {}, statusTimeoutMs);
      return status.leader !== '0' && status.leader === status.header.member_id ? server.name : null;
    } catch {
      return null;
    } finally {
      client.close();
    }
  }));
  return answers.find((answer) => answer !== null) ?? null;
}
