import type { Env } from '../../common/index.ts';
import type { ClusterState } from './cluster-state.ts';
import { httpRequest } from './http-request.ts';
import type { ApiCredentials } from './kubeconfig-writer.ts';

/** One look at the cluster, as `flotilla up` reports progress and tests wait for it. */
export interface ClusterHealth {
  /** The leader every answering replica names, or null while they disagree or none is known. */
  readonly leader: string | null;
  readonly term: number | null;
  /** Replicas whose Kubernetes API answers /readyz. */
  readonly apiReady: readonly string[];
  /** The stable address answered an authenticated request (needs the credentials). */
  readonly balancerReady: boolean;
  /** Nodes whose Ready condition is True. */
  readonly nodesReady: readonly string[];
}

export function isHealthy(state: ClusterState, health: ClusterHealth): boolean {
  return health.leader !== null && health.apiReady.length === state.servers.length && health.balancerReady && health.nodesReady.length === state.nodes.length;
}

/** Asks every replica's /healthz and /readyz, then the API through the stable address. */
export async function observeHealth(env: Env, state: ClusterState, credentials: ApiCredentials | null): Promise<ClusterHealth> {
  const [leaders, apiReady] = await Promise.all([
    Promise.all(state.servers.map((server) => leaderSeenBy(env, server.metricsEndpoint))),
    Promise.all(state.servers.map(async (server) => ((await answers(env, `https://${server.apiEndpoint}/readyz`)) ? server.name : null))),
  ]);
  const seen = leaders.filter((leader) => leader !== null);
  const agreed = seen.length > 0 && seen.every((leader) => leader.name === seen[0]?.name) && seen.length > state.servers.length / 2 ? seen[0] ?? null : null;
  const nodesReady = credentials === null ? null : await readyNodes(env, state, credentials);
  return {
    leader: agreed?.name ?? null,
    term: agreed?.term ?? null,
    apiReady: apiReady.filter((name) => name !== null),
    balancerReady: nodesReady !== null,
    nodesReady: nodesReady ?? [],
  };
}

async function leaderSeenBy(env: Env, metricsEndpoint: string): Promise<{ name: string; term: number } | null> {
  try {
    const answer = await httpRequest(env, { method: 'GET', url: `http://${metricsEndpoint}/healthz` });
    if (answer.status !== 200) return null;
    const body = JSON.parse(answer.body) as { leader?: unknown; term?: unknown };
    return typeof body.leader === 'string' ? { name: body.leader, term: typeof body.term === 'number' ? body.term : 0 } : null;
  } catch {
    return null;
  }
}

async function answers(env: Env, url: string): Promise<boolean> {
  try {
    return (await httpRequest(env, { method: 'GET', url, insecure: true })).status === 200;
  } catch {
    return false;
  }
}

/** Names of the Ready nodes, read through the stable address; null when it did not answer. */
async function readyNodes(env: Env, state: ClusterState, credentials: ApiCredentials): Promise<string[] | null> {
  try {
    const answer = await httpRequest(env, {
      method: 'GET', url: `https://${state.apiBalancer.endpoint}/api/v1/nodes`, ca: credentials.caCertificatePem, bearerToken: credentials.token,
    });
    if (answer.status !== 200) return null;
    const list = JSON.parse(answer.body) as { items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[] } }[] };
    return (list.items ?? [])
      .filter((node) => node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true)
      .map((node) => node.metadata?.name ?? '')
      .filter((name) => state.nodes.some((known) => known.name === name));
  } catch {
    return null;
  }
}
