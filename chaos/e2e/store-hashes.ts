import { EtcdWireClient } from '../../store/index.ts';
import type { ReplicaHash } from './checks/store-checks.ts';

/** A replica as the store check reaches it: its etcd v3 API address. */
export interface StoreReplica {
  readonly name: string;
  readonly clientEndpoint: string;
}

/** Each etcd call's deadline. */
const callTimeoutMs = 2_000;

interface WireStatus {
  readonly header: { readonly revision: string };
}

interface WireHashKv {
  readonly header: { readonly revision: string };
  readonly hash: number;
  readonly compact_revision: string;
}

/**
 * HashKV of every replica at one revision. Agents renew their leases every second, so the
 * replicas' current revisions rarely agree at the instant they are read (chaos/kv's
 * convergence.ts waits for that, which a quiet cluster allows); instead this reads each one's
 * revision, takes the smallest — one every replica has applied — and asks each for its hash up to
 * there, which is equal on replicas that applied the same log.
 */
export async function readReplicaHashes(replicas: readonly StoreReplica[]): Promise<ReplicaHash[]> {
  const revisions = await Promise.all(replicas.map(async (replica) => ({ replica, revision: await withClient(replica, async (client) => Number((await client.call<WireStatus>('Maintenance', 'Status', {}, callTimeoutMs)).header.revision)) })));
  const failed = revisions.flatMap(({ replica, revision }) => (typeof revision === 'string' ? [{ name: replica.name, error: revision }] : []));
  const numbers = revisions.flatMap(({ revision }) => (typeof revision === 'number' ? [revision] : []));
  if (failed.length > 0 || numbers.length === 0) return failed;
  const common = Math.min(...numbers);
  return Promise.all(replicas.map(async (replica): Promise<ReplicaHash> => {
    const answer = await withClient(replica, (client) => client.call<WireHashKv>('Maintenance', 'HashKV', { revision: common }, callTimeoutMs));
    if (typeof answer === 'string') return { name: replica.name, error: answer };
    return { name: replica.name, revision: Number(answer.header.revision), hash: Number(answer.hash), compactRevision: Number(answer.compact_revision ?? 0) };
  }));
}

/** Runs one call on a fresh client; a failure comes back as its message. */
async function withClient<T>(replica: StoreReplica, call: (client: EtcdWireClient) => Promise<T>): Promise<T | string> {
  // Our own wire client: the etcd3 npm client cannot call HashKV (see chaos/kv/convergence.ts).
  const client = new EtcdWireClient(replica.clientEndpoint);
  try {
    return await call(client);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.close();
  }
}
