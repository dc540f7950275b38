/**
 * The StatefulSet controller's decisions, pure: Kubernetes' updateStatefulSet (stateful_set_control.go)
 * from the set and its pods to pod creations and deletions. A pod's ordinal is its name, so a
 * replacement is planned only when no pod object of that ordinal exists — not even a terminating one.
 */

/** What the StatefulSet controller knows of one of its pods. */
export interface StatefulPodView {
  readonly name: string;
  /** From the name `<set>-<ordinal>`; -1 when the name has another form (ignored, as in Kubernetes). */
  readonly ordinal: number;
  /** Its controller-revision-hash label: the name of the ControllerRevision it was made from. */
  readonly revision: string;
  readonly phase: string;
  /** Phase Running and condition Ready. */
  readonly runningAndReady: boolean;
  /** Running and ready for at least minReadySeconds. */
  readonly available: boolean;
  /** Has a deletionTimestamp: stopping, but the object (and so the ordinal) is still taken. */
  readonly terminating: boolean;
}

export interface StatefulSetView {
  readonly replicas: number;
  /** spec.ordinals.start: the first ordinal (0 by default). */
  readonly startOrdinal: number;
  readonly podManagementPolicy: 'OrderedReady' | 'Parallel';
  readonly updateStrategy: 'RollingUpdate' | 'OnDelete';
  /** RollingUpdate: pods whose index (ordinal - start) is below it keep the current revision. */
  readonly partition: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
}

export type StatefulSetDeleteReason = 'finished' | 'scaleDown' | 'update';

export type StatefulSetAction =
  | { readonly type: 'createPod'; readonly ordinal: number; readonly revision: string }
  | { readonly type: 'deletePod'; readonly name: string; readonly ordinal: number; readonly reason: StatefulSetDeleteReason };

function isFinished(pod: StatefulPodView): boolean {
  return pod.phase === 'Failed' || pod.phase === 'Succeeded';
}

function isHealthy(pod: StatefulPodView | undefined): boolean {
  return pod !== undefined && pod.runningAndReady && !pod.terminating;
}

/** Kubernetes' newVersionedStatefulSetPod: below the partition a new pod keeps the current revision. */
export function revisionForOrdinal(set: StatefulSetView, ordinal: number): string {
  return set.updateStrategy === 'RollingUpdate' && ordinal - set.startOrdinal < set.partition ? set.currentRevision : set.updateRevision;
}

interface Partitioned {
  /** Pods whose ordinal is in [start, start + replicas), by ordinal. */
  readonly replicas: ReadonlyMap<number, StatefulPodView>;
  /** Pods with a valid ordinal outside that range, highest ordinal first. */
  readonly condemned: readonly StatefulPodView[];
  /** The first unhealthy pod in ordinal order (a missing replica counts, as a not-yet-created pod). */
  readonly firstUnhealthyOrdinal: number | undefined;
}

function partition(set: StatefulSetView, pods: readonly StatefulPodView[]): Partitioned {
  const end = set.startOrdinal + set.replicas;
  const replicas = new Map<number, StatefulPodView>();
  const condemned: StatefulPodView[] = [];
  for (const pod of pods) {
    if (pod.ordinal < 0) continue;
    if (pod.ordinal >= set.startOrdinal && pod.ordinal < end) replicas.set(pod.ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((left, right) => right.ordinal - left.ordinal);
  let firstUnhealthyOrdinal: number | undefined;
  for (let ordinal = set.startOrdinal; ordinal < end && firstUnhealthyOrdinal === undefined; ordinal++) {
    if (!isHealthy(replicas.get(ordinal))) firstUnhealthyOrdinal = ordinal;
  }
  for (let index = condemned.length - 1; index >= 0 && firstUnhealthyOrdinal === undefined; index--) {
    const pod = condemned[index];
    if (pod !== undefined && !isHealthy(pod)) firstUnhealthyOrdinal = pod.ordinal;
  }
  return { replicas, condemned, firstUnhealthyOrdinal };
}

/** Accumulates actions, at most `actionsMax`, at most one per ordinal. */
class ActionList {
  readonly actions: StatefulSetAction[] = [];
  readonly touched = new Set<number>();
  constructor(private readonly actionsMax: number) {}
  get full(): boolean {
    return this.actions.length >= this.actionsMax;
  }
  add(action: StatefulSetAction): void {
    this.actions.push(action);
    this.touched.add(action.ordinal);
  }
}

/**
 * The next actions for one StatefulSet, at most `actionsMax`. OrderedReady ("monotonic") does at
 * most one thing and only when every lower ordinal is running, ready and available; Parallel does
 * every creation and scale-down deletion at once. A rolling update replaces one pod at a time,
 * from the highest ordinal down to the partition, each after the previous one is healthy. Pure.
 */
export function planStatefulSet(set: StatefulSetView, pods: readonly StatefulPodView[], actionsMax: number): StatefulSetAction[] {
  const monotonic = set.podManagementPolicy !== 'Parallel';
  const state = partition(set, pods);
  const list = new ActionList(Math.max(0, actionsMax));
  if (!establishReplicas(set, state, list, monotonic)) return list.actions;
  if (!scaleDown(state, list, monotonic)) return list.actions;
  if (set.updateStrategy === 'OnDelete') return list.actions;
  rollingUpdate(set, state, list);
  return list.actions;
}

/** Creates missing ordinals and clears finished pods; false when the plan must stop here. */
function establishReplicas(set: StatefulSetView, state: Partitioned, list: ActionList, monotonic: boolean): boolean {
  for (let ordinal = set.startOrdinal; ordinal < set.startOrdinal + set.replicas; ordinal++) {
    if (list.full) return false;
    const pod = state.replicas.get(ordinal);
    if (pod === undefined) {
      list.add({ type: 'createPod', ordinal, revision: revisionForOrdinal(set, ordinal) });
      if (monotonic) return false;
      continue;
    }
    // Wait for a terminating pod to be gone: only then may its ordinal be created again.
    if (pod.terminating) {
      if (monotonic) return false;
      continue;
    }
    // A failed (or succeeded) pod is deleted; it is re-created once its object is gone.
    if (isFinished(pod)) {
      list.add({ type: 'deletePod', name: pod.name, ordinal, reason: 'finished' });
      if (monotonic) return false;
      continue;
    }
    if (monotonic && !pod.available) return false;
  }
  return true;
}

/** Deletes condemned pods, highest ordinal first; false when the plan must stop here. */
function scaleDown(state: Partitioned, list: ActionList, monotonic: boolean): boolean {
  for (const pod of state.condemned) {
    if (list.full) return false;
    if (pod.terminating) {
      if (monotonic) return false;
      continue;
    }
    // OrderedReady: every predecessor must be healthy (or this pod is the first unhealthy one).
    if (monotonic && !pod.runningAndReady && pod.ordinal !== state.firstUnhealthyOrdinal) return false;
    list.add({ type: 'deletePod', name: pod.name, ordinal: pod.ordinal, reason: 'scaleDown' });
    if (monotonic) return false;
  }
  return true;
}

/** Deletes the highest-ordinal pod not at the update revision, waiting for each replacement to be healthy. */
function rollingUpdate(set: StatefulSetView, state: Partitioned, list: ActionList): void {
  for (let index = set.replicas - 1; index >= Math.max(0, set.partition); index--) {
    const ordinal = set.startOrdinal + index;
    const pod = state.replicas.get(ordinal);
    // Created, re-created or deleted by this plan: not healthy yet, so the update waits.
    if (pod === undefined || list.touched.has(ordinal)) return;
    if (pod.revision !== set.updateRevision && !pod.terminating) {
      if (!list.full) list.add({ type: 'deletePod', name: pod.name, ordinal, reason: 'update' });
      return;
    }
    if (!isHealthy(pod)) return;
  }
}
