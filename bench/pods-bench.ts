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
/** RSS is sampled this long after the agents are Ready (still start-up garbage)... */
const startedMs = 5_000;
/** ...and at this point, "idle": V8's memory reducer has run (about 10 s after start) and RSS is steady. */
const idleMs = 20_000;
const pollMs = 200;
const deleteTimeoutMs = 60_000;

/**
 * What the pods run. `pause` is what Kubernetes' own pod-startup measurements run (clusterloader2's
 * pause image): a process that does nothing, so the figure is the orchestration's. `http` is the
 * fixture HTTP server, a Node process each: on a small machine its start-up CPU is most of the time.
 */
const workloads = {
  pause: { label: 'pause (sleep 3600)', command: ['sleep', '3600'] },
  http: { label: 'http (node test/fixtures/http-server.mjs)', command: [process.execPath, fixtureServer] },
} as const;
type Workload = keyof typeof workloads;

/**
 * `npm run bench -- pods`: a real cluster (3 servers, nats-server, real agents); each agent's RSS
 * just after start and idle; then for each workload N bare pods created through the API, create →
 * bound, → Running and → Ready per pod as a watch on the API sees them, and the agents' RSS under
 * that load. Goals are printed, not asserted.
 */
export async function runPodsBench(options: PodsBenchOptions, print: (line: string) => void): Promise<void> {
  const probe = options.readinessProbeSeconds === undefined ? 'no readiness probe: Ready once started' : `readiness probe every ${options.readinessProbeSeconds} s`;
  print(`pods benchmark: ${options.pods} pods per workload (${probe}) on ${options.agents} agents, ${options.concurrency} creations in flight`);
  const cluster = await startPodsCluster(options.agents);
  try {
    const endpoint = cluster.endpoints[0];
    if (endpoint === undefined) throw new Error('no API endpoint');
    const rssOfAgents = (): Promise<number[]> => Promise.all(cluster.agents.map((agent) => residentMiB(agent.process.pid ?? 0)));
    await new Promise((resolve) => setTimeout(resolve, startedMs));
    const started = await rssOfAgents();
    await new Promise((resolve) => setTimeout(resolve, idleMs - startedMs));
    const idle = await rssOfAgents();
    const loaded = new Map<Workload, number[]>();
    for (const workload of Object.keys(workloads) as Workload[]) {
      const list = JSON.parse((await apiRequest(endpoint, 'GET', `/api/v1/namespaces/${namespace}/pods`)).body) as { metadata: { resourceVersion: string } };
      const watch = new PodMilestoneWatch(endpoint, namespace, () => performance.now());
      watch.start(list.metadata.resourceVersion);
      const createdAtMs = await createPods(cluster.endpoints, workload, options);
      const deadline = performance.now() + options.timeoutMs;
      while (performance.now() < deadline && [...createdAtMs.keys()].some((name) => watch.milestones.get(name)?.readyAtMs === undefined)) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
      loaded.set(workload, await rssOfAgents());
      watch.stop();
      print(`workload ${workloads[workload].label}:`);
      printLatencies(createdAtMs, watch, print);
      await deletePods(endpoint, [...createdAtMs.keys()], print);
    }
    printRss({ started, idle, loaded }, print);
  } finally {
    await cluster.stop();
  }
}

async function createPods(endpoints: readonly { url: string; ca: string; token: string }[], workload: Workload, options: PodsBenchOptions): Promise<Map<string, number>> {
  const createdAtMs = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.pods) {
      const index = next++;
      const name = `${workload}-${String(index).padStart(4, '0')}`;
      const endpoint = endpoints[index % endpoints.length];
      if (endpoint === undefined) return;
      createdAtMs.set(name, performance.now());
      const answer = await apiRequest(endpoint, 'POST', `/api/v1/namespaces/${namespace}/pods`, podManifest(name, workloads[workload].command, options.readinessProbeSeconds));
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

function podManifest(name: string, command: readonly string[], readinessProbeSeconds: number | undefined): unknown {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'pods-bench' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web', image: 'fixture', command, ports: [{ name: 'http', containerPort: 8080 }],
        ...(readinessProbeSeconds === undefined ? {} : { readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: readinessProbeSeconds } }),
      }],
    },
  };
}

interface AgentRss {
  readonly started: readonly number[];
  readonly idle: readonly number[];
  readonly loaded: ReadonlyMap<Workload, readonly number[]>;
}

function printLatencies(createdAtMs: ReadonlyMap<string, number>, watch: PodMilestoneWatch, print: (line: string) => void): void {
  const scheduled: number[] = [];
  const running: number[] = [];
  const ready: number[] = [];
  for (const [name, created] of createdAtMs) {
    const seen = watch.milestones.get(name);
    if (seen?.scheduledAtMs !== undefined) scheduled.push(seen.scheduledAtMs - created);
    if (seen?.runningAtMs !== undefined) running.push(seen.runningAtMs - created);
    if (seen?.readyAtMs !== undefined) ready.push(seen.readyAtMs - created);
  }
  const row = (label: string, samples: number[]): string[] => [label, `${samples.length}/${createdAtMs.size}`, fixed(percentile(samples, 0.5), 0), fixed(percentile(samples, 0.99), 0), fixed(samples.length === 0 ? Number.NaN : Math.max(...samples), 0)];
  print(formatTable(['create →', 'pods', 'p50 ms', 'p99 ms', 'max ms'], [row('bound to a node', scheduled), row('Running', running), row('Ready', ready)]));
}

function printRss(rss: AgentRss, print: (line: string) => void): void {
  const kinds = [...rss.loaded.keys()];
  const columns = ['agent', `RSS ${startedMs / 1000} s after Ready MiB`, `RSS idle (${idleMs / 1000} s) MiB`, ...kinds.map((kind) => `RSS with ${kind} pods MiB`)];
  print(formatTable(columns, rss.idle.map((value, index) => [
    `agent ${index + 1}`, fixed(rss.started[index] ?? Number.NaN, 1), fixed(value, 1), ...kinds.map((kind) => fixed(rss.loaded.get(kind)?.[index] ?? Number.NaN, 1)),
  ])));
  print('goals: create → Ready p99 <= 1 s; agent RSS <= 60 MB (57.2 MiB) idle. Kubernetes\' SLO for comparison: pod startup p99 <= 5 s without image pulls.');
}

function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}
