import type { Logger } from '../../common/index.ts';
import { asNumber, asObject, getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { controllerRevisionResource } from '../api/registry/kinds/controller-revision.ts';
import { daemonSetResource } from '../api/registry/kinds/daemon-set.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  controllerReference, creationMs, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isBeingDeleted, isPodAvailable, isPodReady,
  keyOf, labelsOfObject, nameOf, namespaceOf, newWorkQueue, nodeNameOf, objectKeyFor, podPhase, podReadySinceMs, runReconcileLoop, stringMap, uidOf,
  type CacheChange, type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { controllerRevisionHashLabel, revisionPatch, revisionsToPrune } from './controller-revision-history.ts';
import { ControllerRevisionWriter, revisionViewOf } from './controller-revision-writer.ts';
import { FailedPodBackoff } from './daemon-set-failed-pod-backoff.ts';
import { nodeFit, targetNodeOf } from './daemon-set-node-fit.ts';
import { planDaemonSet } from './daemon-set-plan.ts';
import type { DaemonDeleteReason, DaemonNodeView, DaemonPodView, DaemonSetView } from './daemon-set-views.ts';
import { daemonSetPod } from './daemon-set-pod.ts';
import { daemonSetCounts, daemonSetStatus } from './daemon-set-status.ts';
import { observeDeletion } from './observe-deletion.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';

/** Pod creations and deletions per reconcile (Kubernetes' burstReplicas is 250; a homelab has few nodes). */
export const daemonSetActionsMax = 50;
/** Old ControllerRevisions deleted per reconcile. */
export const daemonSetRevisionPrunesMax = 10;
export const daemonSetComponent = 'daemonset-controller';

export const daemonSetControllerFactory: ControllerFactory = (context) => new DaemonSetController(context);

/** A node change that can change where daemons belong (not the status heartbeats). */
function nodePlacementChanged(change: CacheChange): boolean {
  if (change.type !== 'updated' || change.previous === undefined) return true;
  return !jsonEqual(labelsOfObject(change.previous), labelsOfObject(change.object)) || !jsonEqual(change.previous['spec'], change.object['spec']);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one pod of each DaemonSet on every node it fits (node selector, required node affinity,
 * tolerated taints, with Kubernetes' automatic daemon tolerations), placed by the default
 * scheduler through a `metadata.name` node affinity; RollingUpdate (maxUnavailable / maxSurge) or
 * OnDelete from ControllerRevisions; status as `kubectl get ds` and `rollout status` read it.
 */
export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  private readonly queue: WorkQueue;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly history: ControllerRevisionWriter;
  private readonly failedPods: FailedPodBackoff;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.failedPods = new FailedPodBackoff(() => context.env.clock.nowMs());
    this.sets = context.informers.informerFor(daemonSetResource);
    this.pods = context.informers.informerFor(podResource);
    this.nodes = context.informers.informerFor(nodeResource);
    this.pods.addIndex(controllerIndex, controllerUids);
    this.history = new ControllerRevisionWriter(context.client, context.informers.informerFor(controllerRevisionResource));
    this.sets.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.pods.addHandler(enqueueControllerOwner(this.queue, 'DaemonSet'));
    this.nodes.addHandler((change) => {
      if (nodePlacementChanged(change)) for (const key of this.sets.cache.keys()) this.queue.add(key);
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.sets.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const set = this.sets.cache.get(key);
    if (set === undefined || isBeingDeleted(set)) return undefined;
    const template = asObject(getPath(set, ['spec', 'template'])) ?? {};
    const ensured = await this.history.ensure({
      owner: set, ownerDefinition: daemonSetResource, data: revisionPatch(template), hashInput: template, hashLabel: controllerRevisionHashLabel,
      labels: stringMap(getPath(template, ['metadata', 'labels'])), collisionCount: asNumber(getPath(set, ['status', 'collisionCount'])) ?? 0,
    });
    const nowMs = this.context.env.clock.nowMs();
    const nodes = this.nodeViews(template);
    const plan = planDaemonSet(this.viewOf(set), nodes, this.podViews(set, ensured.hash, nowMs), daemonSetActionsMax);
    const outcomes = await Promise.allSettled([
      ...plan.deletes.map((victim) => this.deletePod(set, victim.name, victim.node, victim.reason)),
      ...plan.createOnNodes.map((node) => this.createPod(set, template, node, ensured.hash)),
    ]);
    const pods = this.podViews(set, ensured.hash, nowMs);
    await this.writeStatus(key, nodes, pods, ensured.collisionCount);
    await this.pruneHistory(set, nameOf(ensured.revision));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return this.recheck(set, plan.backedOffNodes, nowMs);
  }

  private viewOf(set: JsonObject): DaemonSetView {
    const strategy = getPath(set, ['spec', 'updateStrategy', 'type']) === 'OnDelete' ? 'OnDelete' : 'RollingUpdate';
    const nodesInFailedBackoff = new Set(this.nodes.cache.keys().filter((node) => this.failedPods.remainingMs(`${keyOf(set)}/${node}`) > 0));
    return {
      strategy,
      maxSurge: getPath(set, ['spec', 'updateStrategy', 'rollingUpdate', 'maxSurge']) ?? 0,
      maxUnavailable: getPath(set, ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable']) ?? 1,
      nodesInFailedBackoff,
    };
  }

  private nodeViews(template: JsonObject): DaemonNodeView[] {
    const spec = asObject(template['spec']) ?? {};
    return this.nodes.cache.list().map((node) => ({ name: nameOf(node), ...nodeFit(spec, node) }));
  }

  private podViews(set: JsonObject, hash: string, nowMs: number): DaemonPodView[] {
    const minReadySeconds = asNumber(getPath(set, ['spec', 'minReadySeconds'])) ?? 0;
    return this.pods.cache.byIndex(controllerIndex, uidOf(set)).map((pod) => ({
      name: nameOf(pod),
      node: targetNodeOf(pod),
      updated: labelsOfObject(pod)[controllerRevisionHashLabel] === hash,
      phase: podPhase(pod),
      scheduled: nodeNameOf(pod) !== '',
      ready: isPodReady(pod),
      available: isPodAvailable(pod, minReadySeconds, nowMs),
      terminating: isBeingDeleted(pod),
      creationMs: creationMs(pod),
    }));
  }

  private async createPod(set: JsonObject, template: JsonObject, node: string, hash: string): Promise<void> {
    try {
      const created = await this.context.client.create(podResource, daemonSetPod(set, template, node, hash, controllerReference(set, daemonSetResource)));
      this.pods.observe(created);
      this.record(set, 'Normal', 'SuccessfulCreate', `Created pod: ${nameOf(created)}`);
    } catch (error) {
      this.record(set, 'Warning', 'FailedCreate', `Error creating: ${errorText(error)}`);
      throw error;
    }
  }

  private async deletePod(set: JsonObject, name: string, node: string, reason: DaemonDeleteReason): Promise<void> {
    const pod = this.pods.cache.get(objectKeyFor(namespaceOf(set), name));
    if (pod === undefined || isBeingDeleted(pod)) return;
    if (reason === 'failed') {
      this.failedPods.next(`${keyOf(set)}/${node}`);
      this.record(set, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${keyOf(pod)} on node ${node}, will try to kill it`);
    } else if (reason === 'succeeded') {
      this.record(set, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${keyOf(pod)} on node ${node}, will try to delete it`);
    }
    try {
      observeDeletion(this.pods, await this.context.client.delete(podResource, namespaceOf(pod), name, { uid: uidOf(pod) }));
      this.record(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (error) {
      this.record(set, 'Warning', 'FailedDelete', `Error deleting: ${errorText(error)}`);
      throw error;
    }
  }

  private async writeStatus(key: string, nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[], collisionCount: number): Promise<void> {
    const set = this.sets.cache.get(key);
    if (set === undefined) return;
    const previous = asObject(set['status']) ?? {};
    const status = daemonSetStatus(previous, daemonSetCounts(nodes, pods), asNumber(getPath(set, ['metadata', 'generation'])) ?? 1, collisionCount);
    if (jsonEqual(status, previous)) return;
    try {
      this.sets.observe(await this.context.client.updateStatus(daemonSetResource, { ...set, status }));
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error;
    }
  }

  /** Keeps revisionHistoryLimit revisions besides the live ones (the current one, any a pod runs). */
  private async pruneHistory(set: JsonObject, currentName: string): Promise<void> {
    const owned = this.history.owned(set);
    const podHashes = new Set(this.pods.cache.byIndex(controllerIndex, uidOf(set)).map((pod) => labelsOfObject(pod)[controllerRevisionHashLabel] ?? ''));
    const live = new Set([currentName, ...owned.filter((revision) => podHashes.has(labelsOfObject(revision)[controllerRevisionHashLabel] ?? '-')).map(nameOf)]);
    const limit = asNumber(getPath(set, ['spec', 'revisionHistoryLimit'])) ?? 10;
    await this.history.delete(set, revisionsToPrune(owned.map(revisionViewOf), live, limit).slice(0, daemonSetRevisionPrunesMax));
  }

  /** When to look again: a failed pod's back-off ends, or a ready pod becomes available (minReadySeconds). */
  private recheck(set: JsonObject, backedOffNodes: readonly string[], nowMs: number): ReconcileResult {
    const waits = backedOffNodes.map((node) => this.failedPods.remainingMs(`${keyOf(set)}/${node}`));
    const minReadySeconds = asNumber(getPath(set, ['spec', 'minReadySeconds'])) ?? 0;
    if (minReadySeconds > 0) {
      for (const pod of this.pods.cache.byIndex(controllerIndex, uidOf(set))) {
        const since = podReadySinceMs(pod);
        if (since !== undefined && since + minReadySeconds * 1000 > nowMs) waits.push(since + minReadySeconds * 1000 - nowMs);
      }
    }
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) + 10 };
  }

  private record(set: JsonObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.events.record(daemonSetComponent, set, type, reason, message);
  }
}
