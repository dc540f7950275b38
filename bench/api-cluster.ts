import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { ProcessCluster } from '../chaos/cluster/index.ts';
import { findFreePorts } from '../common/index.ts';
import { apiRequest, type ApiEndpoint } from './api-client.ts';

/** How long the cluster may take to elect a leader, bootstrap its CA and serve the API. */
const apiReadyDeadlineMs = 60_000;

export interface ApiCluster {
  readonly cluster: ProcessCluster;
  /** One endpoint per replica, each with a keep-alive agent sized for `socketsPerReplica`. */
  readonly endpoints: readonly ApiEndpoint[];
  stop(): Promise<void>;
}

/** 3 real `flotilla server` processes with the Kubernetes API on each (peers linked directly). */
export async function startApiCluster(socketsPerReplica: number): Promise<ApiCluster> {
  const apiPorts = await findFreePorts(3);
  const cluster = await ProcessCluster.start({ size: 3, relays: false, perMemberArgs: (_name, index) => ['--api-listen', `127.0.0.1:${apiPorts[index]}`] });
  try {
    const first = cluster.members[0];
    if (first === undefined) throw new Error('no members');
    const token = await until(async () => (await readFile(join(first.dataDir, 'api', 'auth', 'admin.token'), 'utf8')).trim());
    const ca = await readFile(join(first.dataDir, 'api', 'pki', 'ca.crt'), 'utf8');
    const endpoints = apiPorts.map((port) => ({
      url: `https://127.0.0.1:${port}`,
      ca,
      token,
      agent: new Agent({ keepAlive: true, maxSockets: socketsPerReplica, ca }),
    }));
    for (const endpoint of endpoints) await until(async () => ((await apiRequest(endpoint, 'GET', '/api/v1/namespaces/default')).status === 200 ? true : null));
    return {
      cluster,
      endpoints,
      stop: async () => {
        for (const endpoint of endpoints) endpoint.agent.destroy();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function until<T>(probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + apiReadyDeadlineMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('the Kubernetes API did not come up on every replica');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
