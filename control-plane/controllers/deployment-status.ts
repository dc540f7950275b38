import { asNumber, getPath, type JsonObject } from '../api/json.ts';
import { findCondition, parseTimeMs, withCondition } from '../controller-runtime/index.ts';
import { isComplete, type DeploymentView, type ReplicaSetView } from './deployment-plan.ts';

export interface DeploymentStatusInput {
  readonly deployment: JsonObject;
  readonly view: DeploymentView;
  readonly newSet: (ReplicaSetView & { readonly name: string }) | undefined;
  readonly old: readonly ReplicaSetView[];
  /** Whether this reconcile changed something (a step of the rollout counts as progress). */
  readonly acted: boolean;
  readonly nowMs: number;
  readonly nowIso: string;
}

/** The status to write, and when to look again for the progress deadline. Pure. */
export function deploymentStatus(input: DeploymentStatusInput): { status: JsonObject; recheckInMs: number | undefined } {
  const { deployment, view, newSet, old } = input;
  const all = newSet === undefined ? old : [...old, newSet];
  const previous = (deployment['status'] ?? {}) as JsonObject;
  const counts = {
    replicas: all.reduce((total, set) => total + set.currentReplicas, 0),
    updatedReplicas: newSet?.currentReplicas ?? 0,
    readyReplicas: all.reduce((total, set) => total + set.readyReplicas, 0),
    availableReplicas: all.reduce((total, set) => total + set.availableReplicas, 0),
  };
  const unavailableReplicas = Math.max(0, view.replicas - counts.availableReplicas);
  const moved = input.acted || (['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const).some((field) => previous[field] !== counts[field]);
  let conditions = withCondition(previous['conditions'], counts.availableReplicas >= view.replicas - view.maxUnavailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, input.nowIso, ['lastUpdateTime']);
  const progress = progressing(input, moved);
  if (progress !== null) conditions = withCondition(conditions, progress, input.nowIso, ['lastUpdateTime']);
  const status: JsonObject = {
    ...previous,
    observedGeneration: asNumber(getPath(deployment, ['metadata', 'generation'])) ?? 1,
    ...counts,
    unavailableReplicas,
    conditions: keepTimesWhenUnchanged(previous['conditions'], conditions),
  };
  return { status, recheckInMs: progress === null || progress.status !== 'True' || isComplete(view, newSet, old) ? undefined : progressDeadlineMs(deployment) + 100 };
}

function progressDeadlineMs(deployment: JsonObject): number {
  return (asNumber(getPath(deployment, ['spec', 'progressDeadlineSeconds'])) ?? 600) * 1000;
}

function progressing(input: DeploymentStatusInput, moved: boolean): { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string } | null {
  const { view, newSet, old, deployment } = input;
  if (view.paused) return { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' };
  const name = newSet?.name ?? '';
  if (isComplete(view, newSet, old)) return { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` };
  if (moved) return { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` };
  const current = findCondition(getPath(deployment, ['status', 'conditions']), 'Progressing');
  const since = parseTimeMs(current?.['lastUpdateTime']) ?? input.nowMs;
  if (current?.['status'] === 'True' && since + progressDeadlineMs(deployment) <= input.nowMs) {
    return { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` };
  }
  return null;
}

/** A condition whose status, reason and message did not change keeps its previous times (no write churn). */
function keepTimesWhenUnchanged(previous: unknown, next: JsonObject[]): JsonObject[] {
  return next.map((condition) => {
    const before = findCondition(previous, String(condition['type']));
    if (before === undefined) return condition;
    const same = before['status'] === condition['status'] && before['reason'] === condition['reason'] && before['message'] === condition['message'];
    return same ? before : condition;
  });
}
