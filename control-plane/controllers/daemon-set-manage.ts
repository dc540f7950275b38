import { allowsSurge, podsByNode, type DaemonDeleteReason, type DaemonNodeView, type DaemonPodView, type DaemonSetPlan, type DaemonSetView } from './daemon-set-views.ts';

/** The DaemonSet manage step, pure: Kubernetes' podsShouldBeOnNode for every node. */

/** A plan being filled in. */
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

