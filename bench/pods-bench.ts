import { performance } from 'node:perf_hooks';
import { fixtureServer } from '../test/agent/helpers.ts';
import { apiRequest } from './api-client.ts';
import { startPodsCluster } from './pods-cluster.ts';
import { PodMilestoneWatch } from './pods-watch.ts';
import { residentMiB } from './rss.ts';
import { fixed, formatTable } from './table.ts';

export interface PodsBenchOptions {
  readonly pods: number;
  readonly agents: number;
  /** Pod creations in flight at once. */
  readonly concurrency: number;
  /** How long all pods may take to become Ready before the run gives up on the rest. */
  readonly timeoutMs: number;
  /** A readiness probe every N seconds (Ready then waits for its first success); none by default. */
  readonly readinessProbeSeconds?: number;
}

const namespace = 'default';
/** How long the agents idle before their RSS is measured "idle". */
const settleMs = 5_000;
const pollMs = 200;
const deleteTimeoutMs = 60_000;

/**
 * `npm run bench -- pods`: a real cluster (3 servers, nats-server, real agents), N bare pods of
 * the fixture HTTP server created through the API; create → Running and create → Ready per pod as
 * a watch on the API sees them; each agent's RSS idle and under load. Goals are printed, not
 * asserted.
 */
export async function runPodsBench(options: PodsBenchOptions, print: (line: string) => void): Promise<void> {
  const probe = options.readinessProbeSeconds === undefined ? 'no readiness probe: Ready once started' : `readiness probe every ${options.readinessProbeSeconds} s`;
  print(`pods benchmark: ${options.pods} pods (node test/fixtures/http-server.mjs, ${probe}) on ${options.agents} agents, ${options.concurrency} creations in flight`);
  const cluster = await startPodsCluster(options.agents);
  try {
    const endpoint = cluster.endpoints[0];
    if (endpoint === undefined) throw new Error('no API endpoint');
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const idle = await Promise.all(cluster.agents.map((agent) => residentMiB(agent.process.pid ?? 0)));
    const list = JSON.parse((await apiRequest(endpoint, 'GET', `/api/v1/namespaces/${namespace}/pods`)).body) as { metadata: { resourceVersion: string } };
    const watch = new PodMilestoneWatch(endpoint, namespace, () => performance.now());
    watch.start(list.metadata.resourceVersion);
    const createdAtMs = await createPods(cluster.endpoints, options);
    const deadline = performance.now() + options.timeoutMs;
    while (performance.now() < deadline && [...createdAtMs.keys()].some((name) => watch.milestones.get(name)?.readyAtMs === undefined)) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const loaded = await Promise.all(cluster.agents.map((agent) => residentMiB(agent.process.pid ?? 0)));
    watch.stop();
    report(createdAtMs, watch, idle, loaded, print);
    await deletePods(endpoint, [...createdAtMs.keys()], print);
  } finally {
    await cluster.stop();
  }
}

async function createPods(endpoints: readonly { url: string; ca: string; token: string }[], options: PodsBenchOptions): Promise<Map<string, number>> {
  const createdAtMs = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.pods) {
      const index = next++;
      const name = `bench-${String(index).padStart(4, '0')}`;
      const endpoint = endpoints[index % endpoints.length];
      if (endpoint === undefined) return;
      createdAtMs.set(name, performance.now());
      const answer = await apiRequest(endpoint, 'POST', `/api/v1/namespaces/${namespace}/pods`, podManifest(name, options.readinessProbeSeconds));
      if (answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${answer.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return createdAtMs;
}

/** The agents leave containers running when they stop (to be re-adopted): the pods go first. */
async function deletePods(endpoint: { url: string; ca: string; token: string }, names: readonly string[], print: (line: string) => void): Promise<void> {
  for (const name of names) await apiRequest(endpoint, 'DELETE', `/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=1`).catch(() => undefined);
  const deadline = performance.now() + deleteTimeoutMs;
  while (performance.now() < deadline) {
    const left = (JSON.parse((await apiRequest(endpoint, 'GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dpods-bench`)).body) as { items?: unknown[] }).items?.length ?? 0;
    if (left === 0) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  print(`warning: pods were still being deleted after ${deleteTimeoutMs} ms; their processes may outlive the run`);
}

function podManifest(name: string, readinessProbeSeconds: number | undefined): unknown {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'pods-bench' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web', image: 'fixture', command: [process.execPath, fixtureServer], ports: [{ name: 'http', containerPort: 8080 }],
        ...(readinessProbeSeconds === undefined ? {} : { readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: readinessProbeSeconds } }),
      }],
    },
  };
}

function report(createdAtMs: ReadonlyMap<string, number>, watch: PodMilestoneWatch, idle: readonly number[], loaded: readonly number[], print: (line: string) => void): void {
  const running: number[] = [];
  const ready: number[] = [];
  for (const [name, created] of createdAtMs) {
    const seen = watch.milestones.get(name);
    if (seen?.runningAtMs !== undefined) running.push(seen.runningAtMs - created);
    if (seen?.readyAtMs !== undefined) ready.push(seen.readyAtMs - created);
  }
  const row = (label: string, samples: number[]): string[] => [label, `${samples.length}/${createdAtMs.size}`, fixed(percentile(samples, 0.5), 0), fixed(percentile(samples, 0.99), 0), fixed(samples.length === 0 ? Number.NaN : Math.max(...samples), 0)];
  print(formatTable(['create →', 'pods', 'p50 ms', 'p99 ms', 'max ms'], [row('Running', running), row('Ready', ready)]));
  print(formatTable(['agent', 'RSS idle MiB', 'RSS under load MiB'], idle.map((value, index) => [`agent ${index + 1}`, fixed(value, 1), fixed(loaded[index] ?? Number.NaN, 1)])));
  print('goals: create → Ready p99 <= 1 s; agent RSS <= 60 MB idle. Kubernetes\' SLO for comparison: pod startup p99 <= 5 s without image pulls.');
}

function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}
