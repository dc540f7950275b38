import type { Etcd3 } from 'etcd3';
import { singleEndpointClient } from '../../cluster/index.ts';
import type { ServerEndpoint } from '../cluster/experiment-cluster.ts';
import type { ProbeAttemptFunction } from './probe-loop.ts';

/**
 * A KV probe's attempts: write a fresh value to the key through the etcd API, then read it back
 * (a linearizable read). It talks to one replica at a time and moves to the next one after a
 * failure, as a client with a list of endpoints does; the etcd3 client's own retries and
 * circuit breakers are off, so the timeline shows what the cluster did, not the client's policy.
 */
export function kvProbe(key: string, servers: readonly ServerEndpoint[], timeoutMs: number): { attempt: ProbeAttemptFunction; close: () => void } {
  const clients: Etcd3[] = servers.map((server) => singleEndpointClient(server.clientEndpoint, timeoutMs));
  let current = 0;
  let sequence = 0;
  const attempt: ProbeAttemptFunction = async () => {
    const client = clients[current];
    if (client === undefined) throw new Error('no replica to probe');
    sequence += 1;
    const value = `probe-${sequence}`;
    try {
      await client.put(key).value(value).exec();
      const read = await client.get(key).string();
      // Only this probe writes the key: anything else read back is a stale or lost write.
      if (read !== value) throw new Error(`read ${JSON.stringify(read)} right after writing "${value}"`);
    } catch (error) {
      current = (current + 1) % clients.length;
      throw error;
    }
  };
  return { attempt, close: () => clients.forEach((client) => client.close()) };
}
