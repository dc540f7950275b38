import { sleep, type Logger } from '../../common/index.ts';
import { cloneJson, ensureObject, getPath, jsonEqual, objectsIn, type JsonObject } from '../api/json.ts';
import { leaseResource } from '../api/registry/kinds/lease.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  conditionStatus, defaultControllerWorkers, isBeingDeleted, isoSeconds, keyOf, nameOf, namespaceOf, newWorkQueue, nodeNameOf, runReconcileLoop, uidOf, withCondition,
  type CacheChange, type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { taintsOf } from '../scheduler/index.ts';
import { evictionTimeMs, homelabNodeTimings, leaseRenewTime, lifecycleTaints, nodeHealth, type NodeLifecycleTimings } from './node-health.ts';
import { observeDeletion } from './observe-deletion.ts';

export const nodeLeaseNamespace = 'kube-node-lease';
export const nodeControllerComponent = 'node-controller';
/** Pod evictions per node per reconcile (the rest follow on the next pass). */
export const evictionsPerPassMax = 100;
const nodeNameIndex = 'node-name';

export function nodeLifecycleControllerFactory(timings: NodeLifecycleTimings = homelabNodeTimings): ControllerFactory {
  return (context) => new NodeLifecycleController(context, timings);
}

/**
 * Watches node heartbeats (Lease renewals in kube-node-lease, Ready heartbeats in node status) as
 * this replica observes them — its own clock, so agents' clock skew does not matter. A silent node
 * becomes Ready=Unknown and tainted unreachable; a node reporting NotReady is tainted not-ready;
 * pods on NoExecute-tainted nodes are evicted (deleted) when their toleration runs out.
 */
export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  private readonly queue: WorkQueue;
  private readonly nodes: Informer;
  private readonly pods: Informer;
  /** Per node, the last heartbeat marker seen from each source (lease, node status) and when one last changed. */
  private readonly heartbeats = new Map<string, { markers: Map<string, string>; observedMs: number }>();
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext, private readonly timings: NodeLifecycleTimings) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.nodes = context.informers.informerFor(nodeResource);
    this.pods = context.informers.informerFor(podResource);
    this.pods.addIndex(nodeNameIndex, (pod) => (nodeNameOf(pod) === '' ? [] : [nodeNameOf(pod)]));
    this.nodes.addHandler((change) => this.onNode(change));
    context.informers.informerFor(leaseResource).addHandler((change) => {
      if (change.type !== 'deleted' && namespaceOf(change.object) === nodeLeaseNamespace) this.heartbeat(nameOf(change.object), 'lease', leaseRenewTime(change.object));
    });
  }

  private onNode(change: CacheChange): void {
    const name = nameOf(change.object);
    if (change.type === 'deleted') {
      this.heartbeats.delete(name);
      return;
    }
    const ready = objectsIn(getPath(change.object, ['status', 'conditions'])).find((condition) => condition['type'] === 'Ready');
    // Only the agent's heartbeat time counts: our own Ready=Unknown write must not look like a sign of life.
    const heartbeat = ready?.['lastHeartbeatTime'];
    if (typeof heartbeat === 'string' && heartbeat !== '') this.heartbeat(name, 'node', heartbeat);
    this.queue.add(name);
  }

  private heartbeat(node: string, source: 'lease' | 'node', marker: string): void {
    const entry = this.heartbeats.get(node) ?? { markers: new Map<string, string>(), observedMs: 0 };
    this.heartbeats.set(node, entry);
    if (entry.markers.get(source) === marker) return;
    entry.markers.set(source, marker);
    entry.observedMs = this.context.env.clock.nowMs();
  }

  async run(signal: AbortSignal): Promise<void> {
    const monitor = (async () => {
      while (await sleep(this.context.env.timers, this.timings.nodeMonitorPeriodMs, signal)) for (const key of this.nodes.cache.keys()) this.queue.add(key);
    })();
    await runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.nodes.cache.keys(), resyncPeriodMs: this.timings.nodeMonitorPeriodMs * 10, env: this.context.env, logger: this.logger,
    }, signal);
    await monitor;
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const node = this.nodes.cache.get(name);
    if (node === undefined) return undefined;
    const nowMs = this.context.env.clock.nowMs();
    const lastMs = this.heartbeats.get(name)?.observedMs ?? nowMs;
    if (!this.heartbeats.has(name)) this.heartbeats.set(name, { markers: new Map(), observedMs: nowMs });
    const health = nodeHealth(node, lastMs, nowMs, this.timings.nodeMonitorGracePeriodMs);
    const updated = await this.updateTaints(node, health, nowMs);
    if (health === 'unreachable') await this.markUnknown(updated);
    return this.evict(updated, nowMs);
  }

  private async updateTaints(node: JsonObject, health: ReturnType<typeof nodeHealth>, nowMs: number): Promise<JsonObject> {
    const taints = lifecycleTaints(node, health, isoSeconds(nowMs));
    if (jsonEqual(taints, objectsIn(getPath(node, ['spec', 'taints'])))) return node;
    const next = cloneJson(node);
    ensureObject(next, 'spec')['taints'] = taints;
    const written = await this.context.client.update(nodeResource, next);
    this.nodes.observe(written);
    if (health !== 'ready') this.context.events.record(nodeControllerComponent, node, 'Normal', 'NodeNotReady', `Node ${nameOf(node)} status is now: NodeNotReady`);
    return written;
  }

  private async markUnknown(node: JsonObject): Promise<void> {
    const conditions = getPath(node, ['status', 'conditions']);
    if (conditionStatus(conditions, 'Ready') === 'Unknown') return;
    const status = { ...((node['status'] ?? {}) as JsonObject) };
    const previousHeartbeat = objectsIn(conditions).find((condition) => condition['type'] === 'Ready')?.['lastHeartbeatTime'];
    status['conditions'] = withCondition(conditions, { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }, isoSeconds(this.context.env.clock.nowMs()))
      .map((condition) => (condition['type'] === 'Ready' && previousHeartbeat !== undefined ? { ...condition, lastHeartbeatTime: previousHeartbeat } : condition));
    this.nodes.observe(await this.context.client.updateStatus(nodeResource, { ...node, status }));
  }

  private async evict(node: JsonObject, nowMs: number): Promise<ReconcileResult> {
    const taints = taintsOf(node).filter((taint) => taint.effect === 'NoExecute');
    if (taints.length === 0) return undefined;
    let soonest: number | undefined;
    let evicted = 0;
    for (const pod of this.pods.cache.byIndex(nodeNameIndex, nameOf(node))) {
      if (isBeingDeleted(pod)) continue;
      const when = evictionTimeMs(pod, taints, this.timings.defaultTolerationSeconds);
      if (when === undefined) continue;
      if (when > nowMs || evicted >= evictionsPerPassMax) {
        soonest = Math.min(soonest ?? Infinity, Math.max(when - nowMs, 10));
        continue;
      }
      evicted++;
      const deleted = await this.context.client.delete(podResource, namespaceOf(pod), nameOf(pod), { uid: uidOf(pod) });
      observeDeletion(this.pods, deleted);
      this.context.events.record(nodeControllerComponent, pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${keyOf(pod)}`);
    }
    return soonest === undefined ? undefined : { requeueAfterMs: soonest };
  }
}
