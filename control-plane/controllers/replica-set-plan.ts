/** What the ReplicaSet controller knows of one of its pods. */
export interface PodView {
  readonly name: string;
  readonly nodeName: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly creationMs: number;
}

export interface ReplicaSetPlan {
  readonly create: number;
  /** Pods to delete, the least valuable first. */
  readonly deleteNames: readonly string[];
}

const phaseRank: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Kubernetes' ActivePods order, least valuable first: unscheduled before scheduled, Pending before
 * Unknown before Running, not ready before ready, newer before older.
 */
export function compareForDeletion(left: PodView, right: PodView): number {
  if ((left.nodeName === '') !== (right.nodeName === '')) return left.nodeName === '' ? -1 : 1;
  const phase = (phaseRank[left.phase] ?? 1) - (phaseRank[right.phase] ?? 1);
  if (phase !== 0) return phase;
  if (left.ready !== right.ready) return left.ready ? 1 : -1;
  if (left.creationMs !== right.creationMs) return right.creationMs - left.creationMs;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/** How to move from the active pods to `replicas`, at most `actionsMax` changes per reconcile. Pure. */
export function planReplicaSet(replicas: number, pods: readonly PodView[], actionsMax: number): ReplicaSetPlan {
  const difference = replicas - pods.length;
  if (difference > 0) return { create: Math.min(difference, actionsMax), deleteNames: [] };
  if (difference === 0) return { create: 0, deleteNames: [] };
  const victims = [...pods].sort(compareForDeletion).slice(0, Math.min(-difference, actionsMax));
  return { create: 0, deleteNames: victims.map((pod) => pod.name) };
}

export interface ReplicaSetCounts {
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  /** When a ready pod becomes available (minReadySeconds), so the controller looks again then. */
  readonly nextAvailableInMs: number | undefined;
}

export function countReplicas(pods: readonly { readonly readySinceMs: number | undefined }[], minReadySeconds: number, nowMs: number): ReplicaSetCounts {
  let ready = 0;
  let available = 0;
  let nextAvailableInMs: number | undefined;
  for (const pod of pods) {
    if (pod.readySinceMs === undefined) continue;
    ready++;
    const remaining = pod.readySinceMs + minReadySeconds * 1000 - nowMs;
    if (minReadySeconds <= 0 || remaining <= 0) available++;
    else nextAvailableInMs = Math.min(nextAvailableInMs ?? Infinity, remaining);
  }
  return { replicas: pods.length, readyReplicas: ready, availableReplicas: available, nextAvailableInMs };
}
