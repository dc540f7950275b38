import type { Logger } from '../../common/index.ts';
import type { JsonObject } from '../api/json.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  defaultResyncPeriodMs, keyOf, nameOf, namespaceOf, newWorkQueue, nodeNameOf, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';

/**
 * How long a pod must have named a missing node before it is removed. Kubernetes waits 40 s so
 * that a pod bound a moment before its node registered is not swept; our agents register before
 * they take pods, so a few seconds are enough (and a deleted node's pods are replaced sooner).
 */
export const orphanQuarantineMs = 5_000;
/** Orphans tracked at once (older entries go first; a forgotten one is found again on resync). */
export const orphanTrackedMax = 10_000;
const podGcWorkers = 2;

export const podGcControllerFactory: ControllerFactory = (context) => new PodGcController(context);

/**
 * Kubernetes' pod garbage collector, the part a homelab needs: a pod bound to a node that no
 * longer exists (`kubectl delete node`, a machine retired) has no agent left to stop it or to
 * confirm its deletion, so it is force-deleted (grace 0) after a short quarantine, and its
 * controller replaces it. Pods on a node that is merely unreachable are left alone: that node may
 * still run them, and removing them could start a second copy (StatefulSets rely on this).
 */
export class PodGcController implements Controller {
  readonly name = 'pod-gc';
  private readonly queue: WorkQueue;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly logger: Logger;
  /** Pod key → when its node was first seen missing. */
  private readonly orphanSinceMs = new Map<string, number>();

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.pods = context.informers.informerFor(podResource);
    this.nodes = context.informers.informerFor(nodeResource);
    this.pods.addHandler((change) => {
      if (change.type === 'deleted') this.orphanSinceMs.delete(keyOf(change.object));
      else if (this.isOrphan(change.object)) this.queue.add(keyOf(change.object));
    });
    this.nodes.addHandler((change) => {
      if (change.type !== 'deleted') return;
      for (const pod of this.pods.cache.list()) if (nodeNameOf(pod) === nameOf(change.object)) this.queue.add(keyOf(pod));
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: podGcWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.pods.cache.list().filter((pod) => this.isOrphan(pod)).map(keyOf),
      resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private isOrphan(pod: JsonObject): boolean {
    const node = nodeNameOf(pod);
    return node !== '' && this.nodes.cache.get(node) === undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.pods.cache.get(key);
    if (pod === undefined || !this.isOrphan(pod)) {
      this.orphanSinceMs.delete(key);
      return undefined;
    }
    // The cache may lag behind a node that just registered: ask the store.
    if ((await this.context.client.get(nodeResource, undefined, nodeNameOf(pod))) !== null) {
      this.orphanSinceMs.delete(key);
      return undefined;
    }
    const nowMs = this.context.env.clock.nowMs();
    const since = this.remember(key, nowMs);
    if (nowMs - since < orphanQuarantineMs) return { requeueAfterMs: orphanQuarantineMs - (nowMs - since) };
    this.logger.info({ pod: key, node: nodeNameOf(pod) }, 'deleting a pod bound to a node that no longer exists');
    await this.context.client.delete(podResource, namespaceOf(pod), nameOf(pod), { uid: uidOf(pod), gracePeriodSeconds: 0 });
    this.orphanSinceMs.delete(key);
    return undefined;
  }

  private remember(key: string, nowMs: number): number {
    const known = this.orphanSinceMs.get(key);
    if (known !== undefined) return known;
    if (this.orphanSinceMs.size >= orphanTrackedMax) {
      const oldest = this.orphanSinceMs.keys().next().value;
      if (oldest !== undefined) this.orphanSinceMs.delete(oldest);
    }
    this.orphanSinceMs.set(key, nowMs);
    return nowMs;
  }
}
