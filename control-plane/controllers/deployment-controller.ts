import type { Logger } from '../../common/index.ts';
import { asNumber, asObject, cloneJson, ensureObject, getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { deploymentResource } from '../api/registry/kinds/deployment.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { replicaSetResource } from '../api/registry/kinds/replica-set.ts';
import {
  annotationsOf, controllerReference, creationMs, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isBeingDeleted, isoSeconds,
  keyOf, labelsOfObject, nameOf, namespaceOf, newWorkQueue, objectKeyFor, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { planDeployment, resolveFenceposts, type DeploymentAction, type DeploymentView, type ReplicaSetView } from './deployment-plan.ts';
import { deploymentStatus } from './deployment-status.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';
import { podTemplateHashLabel, templateHash } from './template-hash.ts';
import { observeDeletion } from './observe-deletion.ts';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const deploymentComponent = 'deployment-controller';
/** Actions applied per reconcile (a step of a rollout is usually one or two). */
export const deploymentActionsMax = 10;

export const deploymentControllerFactory: ControllerFactory = (context) => new DeploymentController(context);

interface NamedSet extends ReplicaSetView {
  readonly object: JsonObject;
}

/** Rolls Deployments out through ReplicaSets (RollingUpdate or Recreate), keeps revision history, reports progress. */
export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly queue: WorkQueue;
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.deployments = context.informers.informerFor(deploymentResource);
    this.replicaSets = context.informers.informerFor(replicaSetResource);
    this.pods = context.informers.informerFor(podResource);
    this.replicaSets.addIndex(controllerIndex, controllerUids);
    this.pods.addIndex(controllerIndex, controllerUids);
    this.deployments.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.replicaSets.addHandler(enqueueControllerOwner(this.queue, 'Deployment'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.deployments.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private view(deployment: JsonObject): DeploymentView {
    const spec = asObject(deployment['spec']) ?? {};
    const replicas = asNumber(spec['replicas']) ?? 1;
    const recreate = getPath(spec, ['strategy', 'type']) === 'Recreate';
    const fenceposts = recreate ? { maxSurge: 0, maxUnavailable: replicas } : resolveFenceposts(getPath(spec, ['strategy', 'rollingUpdate', 'maxSurge']) ?? '25%', getPath(spec, ['strategy', 'rollingUpdate', 'maxUnavailable']) ?? '25%', replicas);
    return { replicas, strategy: recreate ? 'Recreate' : 'RollingUpdate', ...fenceposts, paused: spec['paused'] === true, revisionHistoryLimit: asNumber(spec['revisionHistoryLimit']) ?? 10 };
  }

  private sets(deployment: JsonObject): NamedSet[] {
    return this.replicaSets.cache.byIndex(controllerIndex, uidOf(deployment)).filter((set) => !isBeingDeleted(set)).map((set) => ({
      object: set,
      name: nameOf(set),
      replicas: asNumber(getPath(set, ['spec', 'replicas'])) ?? 0,
      currentReplicas: asNumber(getPath(set, ['status', 'replicas'])) ?? 0,
      readyReplicas: asNumber(getPath(set, ['status', 'readyReplicas'])) ?? 0,
      availableReplicas: asNumber(getPath(set, ['status', 'availableReplicas'])) ?? 0,
      podCount: this.pods.cache.byIndex(controllerIndex, uidOf(set)).length,
      revision: Number(annotationsOf(set)[revisionAnnotation] ?? '0') || 0,
      creationMs: creationMs(set),
    }));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const deployment = this.deployments.cache.get(key);
    if (deployment === undefined || isBeingDeleted(deployment)) return undefined;
    const hash = templateHash(getPath(deployment, ['spec', 'template']) ?? {}, asNumber(getPath(deployment, ['status', 'collisionCount'])) ?? 0);
    const view = this.view(deployment);
    const split = (sets: NamedSet[]) => ({ newSet: sets.find((set) => labelsOfObject(set.object)[podTemplateHashLabel] === hash), old: sets.filter((set) => labelsOfObject(set.object)[podTemplateHashLabel] !== hash) });
    const before = split(this.sets(deployment));
    const actions = planDeployment(view, before.newSet, before.old).slice(0, deploymentActionsMax);
    for (const action of actions) await this.apply(deployment, hash, action);
    const after = split(this.sets(deployment));
    await this.writeRevision(key, after.newSet);
    const nowMs = this.context.env.clock.nowMs();
    const { status, recheckInMs } = deploymentStatus({ deployment, view, newSet: after.newSet, old: after.old, acted: actions.length > 0, nowMs, nowIso: isoSeconds(nowMs) });
    const current = this.deployments.cache.get(key);
    if (current !== undefined && !jsonEqual(status, (current['status'] ?? {}) as JsonObject)) {
      this.deployments.observe(await this.context.client.updateStatus(deploymentResource, { ...current, status }));
    }
    return recheckInMs === undefined ? undefined : { requeueAfterMs: recheckInMs };
  }

  private async apply(deployment: JsonObject, hash: string, action: DeploymentAction): Promise<void> {
    switch (action.type) {
      case 'createReplicaSet':
        return this.createReplicaSet(deployment, hash, action.replicas, action.revision);
      case 'scaleReplicaSet':
        return this.updateSet(deployment, action.name, (set) => {
          ensureObject(set, 'spec')['replicas'] = action.to;
        }, `Scaled ${action.to > action.from ? 'up' : 'down'} replica set ${action.name} from ${action.from} to ${action.to}`);
      case 'setRevision':
        return this.updateSet(deployment, action.name, (set) => {
          ensureObject(ensureObject(set, 'metadata'), 'annotations')[revisionAnnotation] = String(action.revision);
        }, undefined);
      case 'deleteReplicaSet': {
        const set = this.replicaSets.cache.get(objectKeyFor(namespaceOf(deployment), action.name));
        if (set === undefined) return;
        const deleted = await this.context.client.delete(replicaSetResource, namespaceOf(set), action.name, { uid: uidOf(set) });
        observeDeletion(this.replicaSets, deleted);
      }
    }
  }

  private async updateSet(deployment: JsonObject, name: string, mutate: (set: JsonObject) => void, message: string | undefined): Promise<void> {
    const current = this.replicaSets.cache.get(objectKeyFor(namespaceOf(deployment), name));
    if (current === undefined) return;
    const next = cloneJson(current);
    mutate(next);
    this.replicaSets.observe(await this.context.client.update(replicaSetResource, next));
    if (message !== undefined) this.context.events.record(deploymentComponent, deployment, 'Normal', 'ScalingReplicaSet', message);
  }

  private async createReplicaSet(deployment: JsonObject, hash: string, replicas: number, revision: number): Promise<void> {
    const template = cloneJson((getPath(deployment, ['spec', 'template']) ?? {}) as JsonObject);
    const templateLabels = ensureObject(ensureObject(template, 'metadata'), 'labels');
    templateLabels[podTemplateHashLabel] = hash;
    const selector = cloneJson((getPath(deployment, ['spec', 'selector']) ?? {}) as JsonObject);
    ensureObject(selector, 'matchLabels')[podTemplateHashLabel] = hash;
    const annotations: JsonObject = { [revisionAnnotation]: String(revision) };
    const changeCause = annotationsOf(deployment)['kubernetes.io/change-cause'];
    if (changeCause !== undefined) annotations['kubernetes.io/change-cause'] = changeCause;
    const name = `${nameOf(deployment)}-${hash}`;
    const body: JsonObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name, namespace: namespaceOf(deployment), labels: { ...templateLabels }, annotations, ownerReferences: [controllerReference(deployment, deploymentResource)] },
      spec: { replicas, minReadySeconds: asNumber(getPath(deployment, ['spec', 'minReadySeconds'])) ?? 0, selector, template },
    };
    try {
      this.replicaSets.observe(await this.context.client.create(replicaSetResource, body));
    } catch (error) {
      if (!isApiStatus(error, 409)) throw error;
      // Our earlier create whose event has not arrived yet, or a name collision (then the next resync sees it).
      const existing = await this.context.client.get(replicaSetResource, namespaceOf(deployment), name);
      if (existing !== null) this.replicaSets.observe(existing);
      return;
    }
    this.context.events.record(deploymentComponent, deployment, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
  }

  /** The deployment carries its current revision (kubectl rollout history/undo read it). */
  private async writeRevision(key: string, newSet: NamedSet | undefined): Promise<void> {
    const current = this.deployments.cache.get(key);
    if (current === undefined || newSet === undefined) return;
    const revision = String(newSet.revision);
    if (annotationsOf(current)[revisionAnnotation] === revision) return;
    const next = cloneJson(current);
    ensureObject(ensureObject(next, 'metadata'), 'annotations')[revisionAnnotation] = revision;
    this.deployments.observe(await this.context.client.update(deploymentResource, next));
  }
}
