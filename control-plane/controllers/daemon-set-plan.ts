import { manageDaemonSet } from './daemon-set-manage.ts';
import { rollingUpdateDaemonSet } from './daemon-set-rolling-update.ts';
import type { DaemonNodeView, DaemonPodView, DaemonSetPlan, DaemonSetView } from './daemon-set-views.ts';

/**
 * The DaemonSet controller's decisions, pure: Kubernetes' manage (daemon-set-manage.ts) and
 * rollingUpdate (daemon-set-rolling-update.ts) combined, from the nodes and the set's pods to pod
 * creations (by node) and deletions (by name).
 */

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

