import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClassicLevel } from 'classic-level';
import { realEnv, silentLogger } from '../common/index.ts';
import {
  ApiClient, ControllerManager, MvccObjectStore, createInProcessContext, deploymentControllerFactory, nodeNameOf, replicaSetControllerFactory, schedulerFactory, keyOf,
  type JsonObject, type ResourceDefinition,
} from '../control-plane/index.ts';
import { MvccStore } from '../store/index.ts';
import { LatencyRecorder } from './latency.ts';
import { fixed, formatTable } from './table.ts';

export interface SchedulerBenchOptions {
  readonly nodes: number;
  readonly deployments: number;
  readonly replicas: number;
  readonly timeoutMs: number;
}

function kind(context: { readonly registry: ApiClient['registry'] }, apiVersion: string, name: string): ResourceDefinition {
  const definition = context.registry.findKind(apiVersion, name);
  if (definition === undefined) throw new Error(`kind ${apiVersion}/${name} is not served`);
  return definition;
}

/**
 * `npm run bench -- scheduler`: the scheduler, ReplicaSet and Deployment controllers in process on
 * a real MvccStore (LevelDB in a temp directory); simulated nodes (Node objects, no agents); many
 * pods created as Deployments. Prints pods bound per second and creation→bound latency, measured
 * from a watch on pods (creation = the pod's ADDED event, bound = the event that sets nodeName).
 */
export async function runSchedulerBench(options: SchedulerBenchOptions, print: (line: string) => void): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-scheduler-bench-'));
  const db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const store = await MvccStore.open({ db });
  const env = realEnv(7);
  const context = createInProcessContext({ store: new MvccObjectStore(store), env, logger: silentLogger });
  const client = new ApiClient(context);
  const manager = new ControllerManager({ context, env, logger: silentLogger, factories: [schedulerFactory(), replicaSetControllerFactory, deploymentControllerFactory] });
  const watchStop = new AbortController();
  try {
    await client.create(kind(context, 'v1', 'Namespace'), { metadata: { name: 'default' } });
    for (let index = 0; index < options.nodes; index++) await client.create(kind(context, 'v1', 'Node'), nodeBody(`node-${index}`));
    const total = options.deployments * options.replicas;
    const tracker = trackPods(client, kind(context, 'v1', 'Pod'), await context.store.currentRevision(), watchStop.signal, total);
    manager.start();
    print(`scheduler benchmark: ${options.nodes} nodes, ${total} pods as ${options.deployments} Deployments of ${options.replicas}`);
    const startedMs = performance.now();
    for (let index = 0; index < options.deployments; index++) await client.create(kind(context, 'apps/v1', 'Deployment'), deploymentBody(`app-${index}`, options.replicas));
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([tracker.done, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), options.timeoutMs)))]);
    clearTimeout(timer);
    const elapsedMs = performance.now() - startedMs;
    const { latency, bound, firstCreatedMs, lastBoundMs } = tracker;
    print(formatTable(['pods bound', 'wall s', 'bound/s (first create→last bind)', 'p50 create→bound ms', 'p99 create→bound ms', 'max ms'], [[
      `${bound.count}/${total}${result === null ? ' (timed out)' : ''}`,
      fixed(elapsedMs / 1000, 2),
      fixed((bound.count * 1000) / Math.max(1, lastBoundMs.value - firstCreatedMs.value), 0),
      fixed(latency.percentileMs(0.5), 1),
      fixed(latency.percentileMs(0.99), 1),
      fixed(latency.percentileMs(1), 1),
    ]]));
    print('goal: >= 1,000 pods bound per second (kube-scheduler: about 100-300)');
  } finally {
    watchStop.abort();
    await manager.stop();
    await manager.events?.flushed();
    await store.close();
    await db.close();
    await rm(directory, { recursive: true, force: true });
  }
}

function trackPods(client: ApiClient, pods: ResourceDefinition, fromRevision: number, signal: AbortSignal, total: number) {
  const latency = new LatencyRecorder();
  const created = new Map<string, number>();
  const bound = { count: 0 };
  const firstCreatedMs = { value: 0 };
  const lastBoundMs = { value: 0 };
  const done = (async () => {
    for await (const change of client.watch(pods, fromRevision, signal)) {
      if (change.type === 'progress' || change.type === 'deleted') continue;
      const key = keyOf(change.object);
      const nowMs = performance.now();
      if (change.type === 'added') {
        if (created.size === 0) firstCreatedMs.value = nowMs;
        created.set(key, nowMs);
      }
      const createdMs = created.get(key);
      if (nodeNameOf(change.object) !== '' && createdMs !== undefined) {
        latency.record(nowMs - createdMs);
        created.delete(key);
        bound.count++;
        lastBoundMs.value = nowMs;
        if (bound.count >= total) return true;
      }
    }
    return false;
  })().catch(() => false);
  return { latency, bound, firstCreatedMs, lastBoundMs, done };
}

function nodeBody(name: string): JsonObject {
  const allocatable = { cpu: '64', memory: '256Gi', pods: '250' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated' }] },
  };
}

function deploymentBody(name: string, replicas: number): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      // One step creates every replica: the benchmark measures placement, not rollout pacing.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } },
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
    },
  };
}
