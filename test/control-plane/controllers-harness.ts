import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { realEnv, silentLogger, type Env } from '../../common/index.ts';
import { MvccStore } from '../../store/index.ts';
import { MvccObjectStore } from '../../control-plane/api/mvcc-object-store.ts';
import { bootstrapNamespaces } from '../../control-plane/api/bootstrap.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { leaseResource } from '../../control-plane/api/registry/kinds/lease.ts';
import { nodeResource } from '../../control-plane/api/registry/kinds/node.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { ApiClient, createInProcessContext, isApiStatus, isBeingDeleted, isoSeconds, isPodReady, nameOf, namespaceOf, nodeNameOf, podPhase, uidOf, withCondition } from '../../control-plane/controller-runtime/index.ts';
import { ControllerManager, defaultControllerFactories, type NodeLifecycleTimings } from '../../control-plane/controllers/index.ts';
import type { SchedulerOptions } from '../../control-plane/scheduler/index.ts';

/** Fast node timings for tests: a silent node is unreachable after 1 s and its pods evicted 1 s later. */
export const testNodeTimings: NodeLifecycleTimings = { nodeMonitorPeriodMs: 200, nodeMonitorGracePeriodMs: 1_000, defaultTolerationSeconds: 1 };

export interface FakeNodeSpec {
  readonly name: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: JsonObject[];
}

/**
 * The real API object layer on a real MvccStore (temp LevelDB), the controller manager with every
 * controller and the scheduler, and in-process fake agents: each registers its Node, renews its
 * Lease, and marks the pods bound to it Running and Ready (until it is stopped).
 */
export class ControlPlaneHarness {
  readonly alive = new Set<string>();
  private readonly stopAgents = new AbortController();
  private agentLoop: Promise<void> = Promise.resolve();

  private constructor(
    readonly directory: string,
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    readonly store: MvccStore,
    /** The object store the controllers use: an API server started on it (kubectl tests) sees the same cluster. */
    readonly objectStore: MvccObjectStore,
    readonly client: ApiClient,
    readonly manager: ControllerManager,
    readonly env: Env,
  ) {}

  /** `env`: a controlled clock for time-driven controllers (CronJob); real time and timers by default. */
  static async start(options: { scheduler?: Partial<SchedulerOptions>; nodeTimings?: NodeLifecycleTimings; startControllers?: boolean; env?: Env } = {}): Promise<ControlPlaneHarness> {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-controllers-'));
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const store = await MvccStore.open({ db });
    const env = options.env ?? realEnv(42);
    const objectStore = new MvccObjectStore(store);
    const context = createInProcessContext({ store: objectStore, env, logger: silentLogger });
    await bootstrapNamespaces(context);
    const manager = new ControllerManager({
      context, env, logger: silentLogger,
      factories: defaultControllerFactories({ ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }), nodeTimings: options.nodeTimings ?? testNodeTimings }),
    });
    const harness = new ControlPlaneHarness(directory, db, store, objectStore, new ApiClient(context), manager, env);
    if (options.startControllers !== false) manager.start();
    harness.agentLoop = harness.runAgents();
    return harness;
  }

  async addNode(spec: FakeNodeSpec): Promise<void> {
    const allocatable = { cpu: spec.cpu ?? '4', memory: spec.memory ?? '8Gi', pods: spec.pods ?? '110' };
    const now = isoSeconds(Date.now());
    await this.client.create(nodeResource, {
      metadata: { name: spec.name, labels: { 'kubernetes.io/hostname': spec.name, ...spec.labels } },
      spec: spec.taints === undefined ? {} : { taints: spec.taints },
      status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }], addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] },
    });
    this.alive.add(spec.name);
  }

  /** The node's agent stops: no more lease renewals or pod status updates. */
  killNode(name: string): void {
    this.alive.delete(name);
  }

  private async runAgents(): Promise<void> {
    const signal = this.stopAgents.signal;
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        await this.agentPass();
      } catch {
        // A lost race with the controllers: the next pass retries.
      }
    }
  }

  private async agentPass(): Promise<void> {
    for (const name of this.alive) await this.renewLease(name);
    const { items } = await this.client.list(podResource);
    for (const pod of items) {
      const node = nodeNameOf(pod);
      if (!this.alive.has(node)) continue;
      // As a kubelet: a pod marked for deletion is stopped, then its deletion confirmed.
      if (isBeingDeleted(pod)) {
        await this.client.delete(podResource, namespaceOf(pod), nameOf(pod), { uid: uidOf(pod), gracePeriodSeconds: 0 });
        continue;
      }
      // A finished pod stays finished (tests finish pods with finishPod).
      if (isPodReady(pod) || podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed') continue;
      const now = isoSeconds(Date.now());
      let conditions = withCondition((pod['status'] as JsonObject | undefined)?.['conditions'], { type: 'Ready', status: 'True', reason: '', message: '' }, now);
      conditions = withCondition(conditions, { type: 'ContainersReady', status: 'True', reason: '', message: '' }, now);
      const status = { ...((pod['status'] ?? {}) as JsonObject), phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions };
      await this.client.updateStatus(podResource, { ...pod, status }).catch((error: unknown) => {
        if (!isApiStatus(error, 409) && !isApiStatus(error, 404)) throw error;
      });
    }
  }

  /** What a kubelet reports when a pod's containers exit: phase Succeeded (exit 0) or Failed, Ready=False, terminated states. */
  async finishPod(namespace: string, name: string, exitCode: number): Promise<void> {
    const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    for (let attempt = 0; ; attempt++) {
      const pod = await this.client.get(podResource, namespace, name);
      if (pod === null) return;
      const now = isoSeconds(this.env.clock.nowMs());
      const previous = (pod['status'] ?? {}) as JsonObject;
      let conditions = withCondition(previous['conditions'], { type: 'Ready', status: 'False', reason: 'PodCompleted', message: '' }, now);
      conditions = withCondition(conditions, { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', message: '' }, now);
      const containers = ((pod['spec'] as JsonObject | undefined)?.['containers'] ?? []) as JsonObject[];
      const containerStatuses = containers.map((container) => ({
        name: container['name'] ?? 'main', ready: false, restartCount: 0, image: container['image'] ?? '', imageID: '', started: false,
        state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
      }));
      try {
        await this.client.updateStatus(podResource, { ...pod, status: { ...previous, phase, conditions, containerStatuses } });
        return;
      } catch (error) {
        if (attempt > 20 || !isApiStatus(error, 409)) throw error;
      }
    }
  }

  private async renewLease(node: string): Promise<void> {
    const now = new Date().toISOString().replace('Z', '000Z');
    const lease = await this.client.get(leaseResource, 'kube-node-lease', node);
    if (lease === null) {
      await this.client.create(leaseResource, { metadata: { name: node, namespace: 'kube-node-lease' }, spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: now } });
      return;
    }
    await this.client.update(leaseResource, { ...lease, spec: { ...((lease['spec'] ?? {}) as JsonObject), renewTime: now } });
  }

  async stop(): Promise<void> {
    this.stopAgents.abort();
    await this.agentLoop;
    await this.manager.stop();
    await this.manager.events?.flushed();
    await this.store.close();
    await this.db.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value (not undefined/false), or throws after the timeout with the last state. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, describe?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${describe === undefined ? '' : `: ${await describe()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
