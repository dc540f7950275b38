import { findCondition, isBeingDeleted, nameOf, namespaceOf, uidOf } from '../../../control-plane/index.ts';
import { numberAt, valueAt } from '../object-fields.ts';
import type { ObservedState } from './observed-state.ts';
import { activePods, describePod, isStuckOnDeadNode, podsControlledBy } from './pod-facts.ts';
import type { Violation } from './violation.ts';

/**
 * Every Job has finished (its pods succeed or fail by the kubelets' seeded rule, and backoffLimit 1
 * bounds the retries): Complete with `completions` succeeded pods, or Failed; and a finished Job
 * has no active pods left. As in Kubernetes 1.31+, the terminal condition waits until no pod of
 * the Job is terminating: while one waits for a dead node, SuccessCriteriaMet or FailureTarget is the end.
 */
export function checkJobs(state: ObservedState): Violation[] {
  if (!state.controllers.has('job')) return [];
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (isBeingDeleted(job)) continue;
    const conditions = valueAt(job, ['status', 'conditions']);
    const complete = findCondition(conditions, 'Complete')?.['status'] === 'True';
    const failed = findCondition(conditions, 'Failed')?.['status'] === 'True';
    const pods = podsControlledBy(state.pods, new Set([uidOf(job)]));
    const criteriaMet = findCondition(conditions, 'SuccessCriteriaMet')?.['status'] === 'True' || findCondition(conditions, 'FailureTarget')?.['status'] === 'True';
    const waitsForDeadNode = criteriaMet && pods.some((pod) => isStuckOnDeadNode(pod, state.liveNodes));
    const label = `Job ${namespaceOf(job)}/${nameOf(job)}`;
    const problems: string[] = [];
    if (!complete && !failed && !waitsForDeadNode) problems.push('neither Complete nor Failed');
    const completions = numberAt(job, ['spec', 'completions']) ?? 1;
    const succeeded = numberAt(job, ['status', 'succeeded']) ?? 0;
    if (complete && succeeded < completions) problems.push(`Complete with ${succeeded} of ${completions} completions`);
    if (complete || failed || waitsForDeadNode) for (const pod of activePods(pods)) problems.push(`finished but ${describePod(pod)} is still active`);
    if (problems.length > 0) violations.push({ property: 'job-finished', message: `${label}: ${problems.join('; ')}` });
  }
  return violations;
}
