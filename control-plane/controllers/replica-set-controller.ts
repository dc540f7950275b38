import type { Logger } from '../../common/index.ts';
import { asNumber, getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { replicaSetResource } from '../api/registry/kinds/replica-set.ts';
import {
  controllerReference, creationMs, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isBeingDeleted, isPodActive, isPodReady,
  keyOf, nameOf, namespaceOf, newWorkQueue, nodeNameOf, objectKeyFor, podPhase, podReadySinceMs, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';
import { countReplicas, planReplicaSet } from './replica-set-plan.ts';
import { observeDeletion } from './observe-deletion.ts';

/** Pod creations or deletions per reconcile (Kubernetes' burstReplicas is 500; a homelab needs less). */
export const replicaSetActionsMax = 100;
export const replicaSetComponent = 'replicaset-controller';

export const replicaSetControllerFactory: ControllerFactory = (context) => new ReplicaSetController(context);

/** Keeps `spec.replicas` pods of each ReplicaSet (creating from its template, deleting the least valuable) and reports their state. */
export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private readonly queue: WorkQueue;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.replicaSets = context.informers.informerFor(replicaSetResource);
    this.pods = context.informers.informerFor(podResource);
    this.pods.addIndex(controllerIndex, controllerUids);
    this.replicaSets.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.pods.addHandler(enqueueControllerOwner(this.queue, 'ReplicaSet'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.replicaSets.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private ownedPods(replicaSet: JsonObject): JsonObject[] {
    return this.pods.cache.byIndex(controllerIndex, uidOf(replicaSet)).filter(isPodActive);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const replicaSet = this.replicaSets.cache.get(key);
    if (replicaSet === undefined || isBeingDeleted(replicaSet)) return undefined;
    const pods = this.ownedPods(replicaSet);
    const replicas = asNumber(getPath(replicaSet, ['spec', 'replicas'])) ?? 1;
    const views = pods.map((pod) => ({ name: nameOf(pod), nodeName: nodeNameOf(pod), phase: podPhase(pod), ready: isPodReady(pod), creationMs: creationMs(pod) }));
    const plan = planReplicaSet(replicas, views, replicaSetActionsMax);
    const failures = await Promise.allSettled([
      ...Array.from({ length: plan.create }, () => this.createPod(replicaSet)),
      ...plan.deleteNames.map((name) => this.deletePod(replicaSet, name)),
    ]);
    const statusResult = await this.writeStatus(key);
    const failed = failures.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return statusResult;
  }

  private async createPod(replicaSet: JsonObject): Promise<void> {
    const template = (getPath(replicaSet, ['spec', 'template']) ?? {}) as JsonObject;
    const templateMetadata = (template['metadata'] ?? {}) as JsonObject;
    const pod: JsonObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${nameOf(replicaSet)}-`, namespace: namespaceOf(replicaSet),
        labels: templateMetadata['labels'] ?? {}, annotations: templateMetadata['annotations'] ?? {},
        ownerReferences: [controllerReference(replicaSet, replicaSetResource)],
      },
      spec: template['spec'] ?? {},
    };
    const created = await this.context.client.create(podResource, pod);
    this.pods.observe(created);
    this.context.events.record(replicaSetComponent, replicaSet, 'Normal', 'SuccessfulCreate', `Created pod: ${nameOf(created)}`);
  }

  private async deletePod(replicaSet: JsonObject, name: string): Promise<void> {
    const pod = this.pods.cache.get(objectKeyFor(namespaceOf(replicaSet), name));
    if (pod === undefined) return;
    const deleted = await this.context.client.delete(podResource, namespaceOf(pod), name, { uid: uidOf(pod) });
    observeDeletion(this.pods, deleted);
    this.context.events.record(replicaSetComponent, replicaSet, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  private async writeStatus(key: string): Promise<ReconcileResult> {
    const replicaSet = this.replicaSets.cache.get(key);
    if (replicaSet === undefined) return undefined;
    const minReadySeconds = asNumber(getPath(replicaSet, ['spec', 'minReadySeconds'])) ?? 0;
    const pods = this.ownedPods(replicaSet);
    const counts = countReplicas(pods.map((pod) => ({ readySinceMs: podReadySinceMs(pod) })), minReadySeconds, this.context.env.clock.nowMs());
    const previous = (replicaSet['status'] ?? {}) as JsonObject;
    const status: JsonObject = {
      ...previous,
      replicas: counts.replicas, fullyLabeledReplicas: counts.replicas, readyReplicas: counts.readyReplicas,
      availableReplicas: counts.availableReplicas, observedGeneration: asNumber(getPath(replicaSet, ['metadata', 'generation'])) ?? 1,
    };
    if (!jsonEqual(status, previous)) {
      try {
        this.replicaSets.observe(await this.context.client.updateStatus(replicaSetResource, { ...replicaSet, status }));
      } catch (error) {
        if (!isApiStatus(error, 404)) throw error;
      }
    }
    return counts.nextAvailableInMs === undefined ? undefined : { requeueAfterMs: counts.nextAvailableInMs + 10 };
  }
}
