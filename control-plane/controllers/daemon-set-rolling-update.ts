import { resolveIntOrPercent } from './deployment-plan.ts';
import { podsByNode, type DaemonDeleteReason, type DaemonNodeView, type DaemonPodView, type DaemonSetPlan, type DaemonSetView } from './daemon-set-views.ts';

/** The DaemonSet rolling update, pure: Kubernetes' rollingUpdate (update.go). */

const emptyPlan: DaemonSetPlan = { createOnNodes: [], deletes: [], backedOffNodes: [] };

/** Kubernetes' updatedDesiredNodeCounts: both zero would stall a rollout, so unavailability becomes 1. */
export function rollingBudget(set: DaemonSetView, desired: number): { maxSurge: number; maxUnavailable: number } {
  if (set.strategy !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const maxSurge = resolveIntOrPercent(set.maxSurge ?? 0, desired, true);
  const maxUnavailable = resolveIntOrPercent(set.maxUnavailable ?? 1, desired, true);
  return desired > 0 && maxSurge === 0 && maxUnavailable === 0 ? { maxSurge, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
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
