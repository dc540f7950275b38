import { resolveIntOrPercent } from './deployment-plan.ts';

/**
 * The DaemonSet controller's decisions, pure: Kubernetes' manage (podsShouldBeOnNode) and
 * rollingUpdate (daemon_controller.go, update.go) from the nodes and the set's pods to pod
 * creations (by node) and deletions (by name).
 */

/** What the DaemonSet controller knows of one of its pods. */
export interface DaemonPodView {
  readonly name: string;
  /** The node it runs on or, while unscheduled, the node its affinity pins it to. */
  readonly node: string;
  /** Its controller-revision-hash label is the current template's hash. */
  readonly updated: boolean;
  readonly phase: string;
  /** spec.nodeName is set. */
  readonly scheduled: boolean;
  readonly ready: boolean;
  /** Ready for at least minReadySeconds. */
  readonly available: boolean;
  readonly terminating: boolean;
  readonly creationMs: number;
}

export interface DaemonNodeView {
  readonly name: string;
  readonly shouldRun: boolean;
  readonly shouldContinueRunning: boolean;
}

export interface DaemonSetView {
  readonly strategy: 'RollingUpdate' | 'OnDelete';
  /** spec.updateStrategy.rollingUpdate values (intOrString), resolved against the desired number of nodes. */
  readonly maxSurge: unknown;
  readonly maxUnavailable: unknown;
  /** Nodes whose failed daemon pod was deleted recently: the next one waits (Kubernetes' failedPodsBackoff). */
  readonly nodesInFailedBackoff: ReadonlySet<string>;
}

export type DaemonDeleteReason = 'failed' | 'succeeded' | 'excess' | 'misscheduled' | 'update' | 'orphaned';

export interface DaemonSetPlan {
  readonly createOnNodes: readonly string[];
  readonly deletes: readonly { readonly name: string; readonly node: string; readonly reason: DaemonDeleteReason }[];
  /** Nodes with a failed pod left alone because of the backoff: look again later. */
  readonly backedOffNodes: readonly string[];
}

const emptyPlan: DaemonSetPlan = { createOnNodes: [], deletes: [], backedOffNodes: [] };

/** Kubernetes' podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function compareDaemonPods(left: DaemonPodView, right: DaemonPodView): number {
  if (left.scheduled !== right.scheduled) return left.scheduled ? -1 : 1;
  if (left.creationMs !== right.creationMs) return left.creationMs - right.creationMs;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

export function podsByNode(pods: readonly DaemonPodView[]): Map<string, DaemonPodView[]> {
  const byNode = new Map<string, DaemonPodView[]>();
  for (const pod of pods) {
    if (pod.node === '') continue;
    const list = byNode.get(pod.node) ?? [];
    list.push(pod);
    byNode.set(pod.node, list);
  }
  for (const list of byNode.values()) list.sort(compareDaemonPods);
  return byNode;
}

/** Kubernetes' updatedDesiredNodeCounts: both zero would stall a rollout, so unavailability becomes 1. */
export function rollingBudget(set: DaemonSetView, desired: number): { maxSurge: number; maxUnavailable: number } {
  if (set.strategy !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const maxSurge = resolveIntOrPercent(set.maxSurge ?? 0, desired, true);
  const maxUnavailable = resolveIntOrPercent(set.maxUnavailable ?? 1, desired, true);
  return desired > 0 && maxSurge === 0 && maxUnavailable === 0 ? { maxSurge, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
}

export function allowsSurge(set: DaemonSetView): boolean {
  return set.strategy === 'RollingUpdate' && resolveIntOrPercent(set.maxSurge ?? 0, 1, true) > 0;
}

interface PlanBuilder {
  readonly createOnNodes: string[];
  readonly deletes: { name: string; node: string; reason: DaemonDeleteReason }[];
  readonly backedOffNodes: string[];
}

/** One node's manage step (podsShouldBeOnNode). */
function manageNode(set: DaemonSetView, node: DaemonNodeView, pods: readonly DaemonPodView[], plan: PlanBuilder): void {
  if (node.shouldRun && pods.length === 0) {
    plan.createOnNodes.push(node.name);
    return;
  }
  if (!node.shouldContinueRunning) {
    for (const pod of pods) if (!pod.terminating) plan.deletes.push({ name: pod.name, node: node.name, reason: 'misscheduled' });
    return;
  }
  const running: DaemonPodView[] = [];
  for (const pod of pods) {
    if (pod.terminating) continue;
    if (pod.phase === 'Failed') {
      if (set.nodesInFailedBackoff.has(node.name)) plan.backedOffNodes.push(node.name);
      else plan.deletes.push({ name: pod.name, node: node.name, reason: 'failed' });
    } else if (pod.phase === 'Succeeded') plan.deletes.push({ name: pod.name, node: node.name, reason: 'succeeded' });
    else running.push(pod);
  }
  if (!allowsSurge(set)) {
    // One daemon per node: all but the oldest go. With none left (only terminating ones), wait for them to be gone.
    for (const pod of running.slice(1)) plan.deletes.push({ name: pod.name, node: node.name, reason: 'excess' });
    return;
  }
  if (running.length === 0) {
    if (node.shouldRun) plan.createOnNodes.push(node.name);
    return;
  }
  surgeExcess(node, running, plan);
}

/** With surge, a node may hold one old and one new pod while the new one is not yet available. */
function surgeExcess(node: DaemonNodeView, running: readonly DaemonPodView[], plan: PlanBuilder): void {
  let oldestNew: DaemonPodView | undefined;
  let oldestOld: DaemonPodView | undefined;
  for (const pod of running) {
    if (pod.updated && oldestNew === undefined) oldestNew = pod;
    else if (!pod.updated && oldestOld === undefined) oldestOld = pod;
    else plan.deletes.push({ name: pod.name, node: node.name, reason: 'excess' });
  }
  if (oldestNew !== undefined && oldestOld !== undefined && (!oldestOld.ready || oldestNew.available)) {
    plan.deletes.push({ name: oldestOld.name, node: node.name, reason: 'update' });
  }
}

/** Kubernetes' manage: every node gets its one pod, misplaced and finished pods go. */
export function manageDaemonSet(set: DaemonSetView, nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[]): DaemonSetPlan {
  const byNode = podsByNode(pods);
  const plan: PlanBuilder = { createOnNodes: [], deletes: [], backedOffNodes: [] };
  const known = new Set<string>();
  for (const node of [...nodes].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))) {
    known.add(node.name);
    manageNode(set, node, byNode.get(node.name) ?? [], plan);
  }
  // Unscheduled pods pinned to a node that no longer exists would never be placed nor cleaned up.
  for (const [nodeName, list] of byNode) {
    if (known.has(nodeName)) continue;
    for (const pod of list) if (!pod.scheduled && !pod.terminating) plan.deletes.push({ name: pod.name, node: nodeName, reason: 'orphaned' });
  }
  return plan;
}

/** Caps a plan at `actionsMax` actions, deletions first (they make room). */
export function limitPlan(plan: DaemonSetPlan, actionsMax: number): DaemonSetPlan {
  const deletes = plan.deletes.slice(0, Math.max(0, actionsMax));
  const createOnNodes = plan.createOnNodes.slice(0, Math.max(0, actionsMax - deletes.length));
  return { createOnNodes, deletes, backedOffNodes: plan.backedOffNodes };
}

/**
 * The next actions for one DaemonSet, at most `actionsMax`: the manage step first; only when it
 * has nothing to do, the rolling update (as Kubernetes runs it only once manage's writes are seen).
 */
export function planDaemonSet(set: DaemonSetView, nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[], actionsMax: number): DaemonSetPlan {
  const managed = manageDaemonSet(set, nodes, pods);
  if (managed.createOnNodes.length > 0 || managed.deletes.length > 0) return limitPlan(managed, actionsMax);
  if (set.strategy !== 'RollingUpdate') return managed;
  const rolled = rollingUpdateDaemonSet(set, nodes, pods);
  return limitPlan({ ...rolled, backedOffNodes: managed.backedOffNodes }, actionsMax);
}

interface NodeState {
  readonly name: string;
  readonly fit: DaemonNodeView | undefined;
  /** Non-terminating pods: undefined when there are more than one old or one new (manage cleans that up). */
  readonly newPod: DaemonPodView | undefined;
  readonly oldPod: DaemonPodView | undefined;
  readonly settled: boolean;
}

/** Kubernetes' findUpdatedPodsOnNode for every node with pods, plus every eligible node without any. */
function nodeStates(nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[]): NodeState[] {
  const byNode = podsByNode(pods);
  const fits = new Map(nodes.map((node) => [node.name, node]));
  for (const node of nodes) if (node.shouldRun && !byNode.has(node.name)) byNode.set(node.name, []);
  return [...byNode.keys()].sort().map((name) => {
    const live = (byNode.get(name) ?? []).filter((pod) => !pod.terminating);
    const fresh = live.filter((pod) => pod.updated);
    const old = live.filter((pod) => !pod.updated);
    return { name, fit: fits.get(name), newPod: fresh[0], oldPod: old[0], settled: fresh.length <= 1 && old.length <= 1 };
  });
}

/** Kubernetes' rollingUpdate: maxUnavailable replaces old pods in place; maxSurge starts new ones beside them. */
export function rollingUpdateDaemonSet(set: DaemonSetView, nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[]): DaemonSetPlan {
  const desired = nodes.filter((node) => node.shouldRun).length;
  const budget = rollingBudget(set, desired);
  const states = nodeStates(nodes, pods);
  return budget.maxSurge === 0 ? replaceInPlace(states, budget.maxUnavailable) : surge(states, budget.maxSurge, desired);
}

function replaceInPlace(states: readonly NodeState[], maxUnavailable: number): DaemonSetPlan {
  let unavailable = 0;
  const replaceNow: NodeState[] = [];
  const candidates: NodeState[] = [];
  for (const state of states) {
    if (!state.settled || (state.oldPod === undefined) === (state.newPod === undefined)) unavailable++;
    else if (state.newPod !== undefined) {
      if (!state.newPod.available) unavailable++;
    } else if (state.oldPod !== undefined && !state.oldPod.available) replaceNow.push(state);
    else candidates.push(state);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  const deletes = [...replaceNow, ...candidates.slice(0, room)].flatMap((state) => (state.oldPod === undefined ? [] : [{ name: state.oldPod.name, node: state.name, reason: 'update' as const }]));
  return { ...emptyPlan, deletes };
}

function surge(states: readonly NodeState[], maxSurge: number, desired: number): DaemonSetPlan {
  const deletes: { name: string; node: string; reason: DaemonDeleteReason }[] = [];
  const shouldNotRun: { name: string; node: string; reason: DaemonDeleteReason }[] = [];
  const allowed: string[] = [];
  const candidates: string[] = [];
  let surging = 0;
  let available = 0;
  for (const state of states) {
    if (!state.settled) {
      surging++;
      continue;
    }
    const counted = state.oldPod ?? state.newPod;
    if (counted?.available === true) available++;
    const { oldPod, newPod } = state;
    if (oldPod === undefined) continue;
    const shouldRun = state.fit?.shouldRun === true;
    if (newPod === undefined) {
      if (!shouldRun) (oldPod.available ? shouldNotRun : deletes).push({ name: oldPod.name, node: state.name, reason: 'update' });
      else if (!oldPod.available) allowed.push(state.name);
      else candidates.push(state.name);
    } else if (!newPod.available) surging++;
    else deletes.push({ name: oldPod.name, node: state.name, reason: 'update' });
  }
  // With surge the owner expects full availability: a pod on a node it no longer fits goes only once another is available.
  const deletable = Math.min(Math.max(0, available - desired), shouldNotRun.length);
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  return { createOnNodes: [...allowed, ...candidates.slice(0, room)], deletes: [...deletes, ...shouldNotRun.slice(0, deletable)], backedOffNodes: [] };
}
