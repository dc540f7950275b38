import type { JsonObject } from '../api/json.ts';
import type { StatefulPodView, StatefulSetView } from './stateful-set-plan.ts';

export interface StatefulSetCounts {
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly currentReplicas: number;
  readonly updatedReplicas: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
}

/**
 * Kubernetes' StatefulSet status counts over every pod the set owns (terminating ones count as
 * replicas but not as current or updated), then completeRollingUpdate: once a RollingUpdate has
 * every pod updated and ready, the update revision becomes the current one. Pure.
 */
export function statefulSetCounts(set: StatefulSetView, pods: readonly StatefulPodView[]): StatefulSetCounts {
  let readyReplicas = 0;
  let availableReplicas = 0;
  let currentReplicas = 0;
  let updatedReplicas = 0;
  for (const pod of pods) {
    if (pod.runningAndReady) readyReplicas++;
    if (pod.runningAndReady && pod.available) availableReplicas++;
    if (pod.terminating) continue;
    if (pod.revision === set.currentRevision) currentReplicas++;
    if (pod.revision === set.updateRevision) updatedReplicas++;
  }
  const counts = { replicas: pods.length, readyReplicas, availableReplicas, currentReplicas, updatedReplicas, currentRevision: set.currentRevision, updateRevision: set.updateRevision };
  const complete = set.updateStrategy === 'RollingUpdate' && updatedReplicas === counts.replicas && readyReplicas === counts.replicas;
  return complete ? { ...counts, currentReplicas: updatedReplicas, currentRevision: set.updateRevision } : counts;
}

/** The status object to write: the previous one with the counts, observedGeneration and collisionCount. */
export function statefulSetStatus(previous: JsonObject, counts: StatefulSetCounts, observedGeneration: number, collisionCount: number): JsonObject {
  return { ...previous, observedGeneration, ...counts, collisionCount };
}
