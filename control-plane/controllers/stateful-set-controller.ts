import type { Logger } from '../../common/index.ts';
import { asNumber, asObject, asString, getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { controllerRevisionResource } from '../api/registry/kinds/controller-revision.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { statefulSetResource } from '../api/registry/kinds/stateful-set.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isBeingDeleted, isPodReady, keyOf, labelsOfObject, nameOf,
  newWorkQueue, podPhase, podReadySinceMs, runReconcileLoop, stringMap, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { controllerRevisionHashLabel, revisionPatch, revisionsToPrune, templateOfRevision } from './controller-revision-history.ts';
import { ControllerRevisionWriter, revisionViewOf } from './controller-revision-writer.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';
import { ordinalOf, statefulSetRevisionHashLabel } from './stateful-set-identity.ts';
import { StatefulSetPodControl, type CreateOutcome } from './stateful-set-pod-control.ts';
import { planStatefulSet, type StatefulPodView, type StatefulSetAction, type StatefulSetView } from './stateful-set-plan.ts';
import { statefulSetCounts, statefulSetStatus } from './stateful-set-status.ts';

/** Pod (and claim) creations or deletions per reconcile; OrderedReady does one, Parallel up to this many. */
export const statefulSetActionsMax = 50;
/** Old ControllerRevisions deleted per reconcile (the rest go in the next ones). */
export const statefulSetRevisionPrunesMax = 10;
/**
 * How soon to look again while a pod cannot be created yet: a claim of its name is being deleted,
 * or the API still holds a pod of that name that the cache does not show (no watch event will
 * tell when that one goes, since the cache never had it).
 */
export const blockedCreateRecheckMs = 1_000;

export const statefulSetControllerFactory: ControllerFactory = (context) => new StatefulSetController(context);

interface Revisions {
  readonly current: JsonObject;
  readonly update: JsonObject;
  readonly collisionCount: number;
}

/**
 * Runs StatefulSets as Kubernetes does: pods `<set>-<ordinal>` with stable identity and claims,
 * OrderedReady or Parallel management, RollingUpdate (with partition) or OnDelete from
 * ControllerRevisions, and the status `kubectl rollout status` reads.
 */
export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private readonly queue: WorkQueue;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly history: ControllerRevisionWriter;
  private readonly podControl: StatefulSetPodControl;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.sets = context.informers.informerFor(statefulSetResource);
    this.pods = context.informers.informerFor(podResource);
    this.pods.addIndex(controllerIndex, controllerUids);
    const claims = context.informers.informerFor(persistentVolumeClaimResource);
    this.history = new ControllerRevisionWriter(context.client, context.informers.informerFor(controllerRevisionResource));
    this.podControl = new StatefulSetPodControl(context.client, this.pods, claims, context.events);
    this.sets.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.pods.addHandler(enqueueControllerOwner(this.queue, 'StatefulSet'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.sets.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  /** Every pod the set controls, terminating ones included: their names (ordinals) are still taken. */
  private ownedPods(set: JsonObject): JsonObject[] {
    return this.pods.cache.byIndex(controllerIndex, uidOf(set));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const set = this.sets.cache.get(key);
    if (set === undefined || isBeingDeleted(set)) return undefined;
    const revisions = await this.revisions(set);
    const view = viewOf(set, nameOf(revisions.current), nameOf(revisions.update));
    const minReadySeconds = asNumber(getPath(set, ['spec', 'minReadySeconds'])) ?? 0;
    const nowMs = this.context.env.clock.nowMs();
    const actions = planStatefulSet(view, this.ownedPods(set).map((pod) => podViewOf(set, pod, minReadySeconds, nowMs)), statefulSetActionsMax);
    const outcomes = await Promise.allSettled(actions.map((action) => this.apply(set, action, revisions)));
    const pods = this.ownedPods(set).map((pod) => podViewOf(set, pod, minReadySeconds, nowMs));
    await this.writeStatus(key, view, pods, revisions.collisionCount);
    await this.pruneHistory(set, revisions, pods);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const blocked = outcomes.some((outcome) => outcome.status === 'fulfilled' && (outcome.value === 'claimTerminating' || outcome.value === 'exists'));
    return blocked ? { requeueAfterMs: blockedCreateRecheckMs } : nextAvailableRecheck(set, this.ownedPods(set), minReadySeconds, nowMs);
  }

  /** The update revision (the current template's) and the current one (status.currentRevision, if it still exists). */
  private async revisions(set: JsonObject): Promise<Revisions> {
    const template = asObject(getPath(set, ['spec', 'template'])) ?? {};
    const data = revisionPatch(template);
    const ensured = await this.history.ensure({
      owner: set, ownerDefinition: statefulSetResource, data, hashInput: data, hashLabel: statefulSetRevisionHashLabel,
      labels: stringMap(getPath(template, ['metadata', 'labels'])), collisionCount: asNumber(getPath(set, ['status', 'collisionCount'])) ?? 0,
    });
    const currentName = asString(getPath(set, ['status', 'currentRevision'])) ?? '';
    const current = this.history.owned(set).find((revision) => nameOf(revision) === currentName) ?? ensured.revision;
    return { current, update: ensured.revision, collisionCount: ensured.collisionCount };
  }

  private async apply(set: JsonObject, action: StatefulSetAction, revisions: Revisions): Promise<CreateOutcome | 'deleted'> {
    if (action.type === 'deletePod') {
      if (action.reason === 'finished') this.podControl.record(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${keyOf(set)} is recreating failed Pod ${action.name}`);
      await this.podControl.deletePod(set, action.name);
      return 'deleted';
    }
    const revision = action.revision === nameOf(revisions.current) ? revisions.current : revisions.update;
    // The update revision's template is the set's own; an older one comes from its stored data.
    const template = revision === revisions.update ? asObject(getPath(set, ['spec', 'template'])) ?? {} : templateOfRevision(revision['data']) ?? {};
    return this.podControl.createPod(set, template, action.ordinal, nameOf(revision));
  }

  private async writeStatus(key: string, view: StatefulSetView, pods: readonly StatefulPodView[], collisionCount: number): Promise<void> {
    const set = this.sets.cache.get(key);
    if (set === undefined) return;
    const previous = asObject(set['status']) ?? {};
    const status = statefulSetStatus(previous, statefulSetCounts(view, pods), asNumber(getPath(set, ['metadata', 'generation'])) ?? 1, collisionCount);
    if (jsonEqual(status, previous)) return;
    try {
      this.sets.observe(await this.context.client.updateStatus(statefulSetResource, { ...set, status }));
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error;
    }
  }

  /** Keeps revisionHistoryLimit revisions besides the live ones (current, update, any a pod runs). */
  private async pruneHistory(set: JsonObject, revisions: Revisions, pods: readonly StatefulPodView[]): Promise<void> {
    const live = new Set([nameOf(revisions.current), nameOf(revisions.update), ...pods.map((pod) => pod.revision)]);
    const limit = asNumber(getPath(set, ['spec', 'revisionHistoryLimit'])) ?? 10;
    const names = revisionsToPrune(this.history.owned(set).map(revisionViewOf), live, limit).slice(0, statefulSetRevisionPrunesMax);
    await this.history.delete(set, names);
  }
}

export function viewOf(set: JsonObject, currentRevision: string, updateRevision: string): StatefulSetView {
  const spec = asObject(set['spec']) ?? {};
  const onDelete = getPath(spec, ['updateStrategy', 'type']) === 'OnDelete';
  return {
    replicas: Math.max(0, asNumber(spec['replicas']) ?? 1),
    startOrdinal: Math.max(0, asNumber(getPath(spec, ['ordinals', 'start'])) ?? 0),
    podManagementPolicy: spec['podManagementPolicy'] === 'Parallel' ? 'Parallel' : 'OrderedReady',
    updateStrategy: onDelete ? 'OnDelete' : 'RollingUpdate',
    partition: onDelete ? 0 : Math.max(0, asNumber(getPath(spec, ['updateStrategy', 'rollingUpdate', 'partition'])) ?? 0),
    currentRevision, updateRevision,
  };
}

export function podViewOf(set: JsonObject, pod: JsonObject, minReadySeconds: number, nowMs: number): StatefulPodView {
  const runningAndReady = podPhase(pod) === 'Running' && isPodReady(pod);
  const readySinceMs = podReadySinceMs(pod) ?? nowMs;
  return {
    name: nameOf(pod),
    ordinal: ordinalOf(nameOf(set), nameOf(pod)),
    revision: labelsOfObject(pod)[controllerRevisionHashLabel] ?? '',
    phase: podPhase(pod),
    runningAndReady,
    available: runningAndReady && (minReadySeconds <= 0 || readySinceMs + minReadySeconds * 1000 <= nowMs),
    terminating: isBeingDeleted(pod),
  };
}

/** When a ready pod becomes available (minReadySeconds), so that OrderedReady and the status move on then. */
function nextAvailableRecheck(set: JsonObject, pods: readonly JsonObject[], minReadySeconds: number, nowMs: number): ReconcileResult {
  if (minReadySeconds <= 0) return undefined;
  let soonestMs: number | undefined;
  for (const pod of pods) {
    const view = podViewOf(set, pod, minReadySeconds, nowMs);
    const since = podReadySinceMs(pod);
    if (!view.runningAndReady || view.available || since === undefined) continue;
    soonestMs = Math.min(soonestMs ?? Infinity, since + minReadySeconds * 1000 - nowMs);
  }
  return soonestMs === undefined ? undefined : { requeueAfterMs: Math.max(0, soonestMs) + 10 };
}
