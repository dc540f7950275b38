/** The Deployment controller's decisions, pure: from the deployment and its ReplicaSets to actions. */

export interface ReplicaSetView {
  readonly name: string;
  /** spec.replicas */
  readonly replicas: number;
  /** status.replicas, readyReplicas, availableReplicas */
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  /** Pods that still exist (Recreate waits for them to be gone). */
  readonly podCount: number;
  readonly revision: number;
  readonly creationMs: number;
}

export interface DeploymentView {
  readonly replicas: number;
  readonly strategy: 'RollingUpdate' | 'Recreate';
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly paused: boolean;
  readonly revisionHistoryLimit: number;
}

export type DeploymentAction =
  | { readonly type: 'createReplicaSet'; readonly replicas: number; readonly revision: number }
  | { readonly type: 'scaleReplicaSet'; readonly name: string; readonly from: number; readonly to: number }
  | { readonly type: 'setRevision'; readonly name: string; readonly revision: number }
  | { readonly type: 'deleteReplicaSet'; readonly name: string };

/** An intOrString like "25%" or 2 against a total; percentages round up for surge, down for unavailable. */
export function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return Math.max(0, Math.floor(value));
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const exact = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}

/** Kubernetes' ResolveFenceposts: both zero would stall a rollout, so maxUnavailable becomes 1. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, true);
  const unavailable = resolveIntOrPercent(maxUnavailable, replicas, false);
  return surge === 0 && unavailable === 0 ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: surge, maxUnavailable: unavailable };
}

const sum = (sets: readonly ReplicaSetView[], field: 'replicas' | 'availableReplicas' | 'podCount'): number => sets.reduce((total, set) => total + set[field], 0);
const oldestFirst = (sets: readonly ReplicaSetView[]): ReplicaSetView[] => [...sets].sort((left, right) => left.creationMs - right.creationMs || left.revision - right.revision);

export function maxRevision(sets: readonly ReplicaSetView[]): number {
  return sets.reduce((highest, set) => Math.max(highest, set.revision), 0);
}

/** Kubernetes' NewRSNewReplicas for RollingUpdate: grow the new set up to replicas + maxSurge pods in total. */
export function newReplicaSetTarget(deployment: DeploymentView, newSet: ReplicaSetView | undefined, all: readonly ReplicaSetView[]): number {
  const current = newSet?.replicas ?? 0;
  const maxTotal = deployment.replicas + deployment.maxSurge;
  const total = sum(all, 'replicas');
  if (total >= maxTotal) return Math.min(current, deployment.replicas);
  return current + Math.min(maxTotal - total, deployment.replicas - current);
}

/** Kubernetes' reconcileOldReplicaSets: first the unhealthy old pods, then healthy ones down to minAvailable. */
export function scaleDownOld(deployment: DeploymentView, newSet: ReplicaSetView | undefined, old: readonly ReplicaSetView[]): DeploymentAction[] {
  if (sum(old, 'replicas') === 0) return [];
  const all = newSet === undefined ? old : [...old, newSet];
  const minAvailable = deployment.replicas - deployment.maxUnavailable;
  const newUnavailable = newSet === undefined ? 0 : Math.max(0, newSet.replicas - newSet.availableReplicas);
  const maxScaledDown = sum(all, 'replicas') - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const targets = new Map(old.map((set) => [set.name, set.replicas]));
  let cleaned = 0;
  for (const set of oldestFirst(old)) {
    const unhealthy = Math.max(0, set.replicas - set.availableReplicas);
    if (cleaned >= maxScaledDown || unhealthy === 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    targets.set(set.name, set.replicas - down);
    cleaned += down;
  }
  const totalScaleDown = sum(all, 'availableReplicas') - minAvailable;
  let scaled = 0;
  for (const set of oldestFirst(old)) {
    const target = targets.get(set.name) ?? 0;
    if (scaled >= totalScaleDown || target === 0) continue;
    const healthy = Math.min(target, set.availableReplicas);
    const down = Math.min(healthy, totalScaleDown - scaled);
    targets.set(set.name, target - down);
    scaled += down;
  }
  return old.flatMap((set) => {
    const to = targets.get(set.name) ?? set.replicas;
    return to === set.replicas ? [] : [{ type: 'scaleReplicaSet' as const, name: set.name, from: set.replicas, to }];
  });
}

function rolling(deployment: DeploymentView, newSet: ReplicaSetView | undefined, old: readonly ReplicaSetView[]): DeploymentAction[] {
  const all = newSet === undefined ? old : [...old, newSet];
  const target = newReplicaSetTarget(deployment, newSet, all);
  if (newSet === undefined) return [{ type: 'createReplicaSet', replicas: target, revision: maxRevision(old) + 1 }];
  if (target !== newSet.replicas) return [{ type: 'scaleReplicaSet', name: newSet.name, from: newSet.replicas, to: target }];
  return scaleDownOld(deployment, newSet, old);
}

function recreate(deployment: DeploymentView, newSet: ReplicaSetView | undefined, old: readonly ReplicaSetView[]): DeploymentAction[] {
  const active = old.filter((set) => set.replicas > 0);
  if (active.length > 0) return active.map((set) => ({ type: 'scaleReplicaSet' as const, name: set.name, from: set.replicas, to: 0 }));
  if (sum(old, 'podCount') > 0) return [];
  if (newSet === undefined) return [{ type: 'createReplicaSet', replicas: deployment.replicas, revision: maxRevision(old) + 1 }];
  return newSet.replicas === deployment.replicas ? [] : [{ type: 'scaleReplicaSet', name: newSet.name, from: newSet.replicas, to: deployment.replicas }];
}

/** Old ReplicaSets scaled to zero beyond revisionHistoryLimit, oldest revisions first. */
export function historyCleanup(deployment: DeploymentView, old: readonly ReplicaSetView[]): DeploymentAction[] {
  const idle = old.filter((set) => set.replicas === 0 && set.currentReplicas === 0 && set.podCount === 0).sort((left, right) => left.revision - right.revision);
  const excess = idle.length - Math.max(0, deployment.revisionHistoryLimit);
  return idle.slice(0, Math.max(0, excess)).map((set) => ({ type: 'deleteReplicaSet' as const, name: set.name }));
}

/**
 * The next step of the rollout (one step per reconcile; status changes bring the next). A new set
 * that is older than the newest revision (rollback) takes the next revision number first.
 */
export function planDeployment(deployment: DeploymentView, newSet: ReplicaSetView | undefined, old: readonly ReplicaSetView[]): DeploymentAction[] {
  if (newSet !== undefined && newSet.revision <= maxRevision(old)) return [{ type: 'setRevision', name: newSet.name, revision: maxRevision(old) + 1 }];
  if (deployment.paused) return [];
  const steps = deployment.strategy === 'Recreate' ? recreate(deployment, newSet, old) : rolling(deployment, newSet, old);
  if (steps.length > 0) return steps;
  return isComplete(deployment, newSet, old) ? historyCleanup(deployment, old) : [];
}

export function isComplete(deployment: DeploymentView, newSet: ReplicaSetView | undefined, old: readonly ReplicaSetView[]): boolean {
  if (newSet === undefined) return deployment.replicas === 0 && sum(old, 'podCount') === 0;
  return newSet.replicas === deployment.replicas && newSet.currentReplicas === deployment.replicas && newSet.availableReplicas === deployment.replicas && sum(old, 'podCount') === 0 && sum(old, 'replicas') === 0;
}
