import { checkDeclaredStateKept } from './declared-checks.ts';
import { checkJobs } from './job-checks.ts';
import type { ObservedState } from './observed-state.ts';
import { checkNoOrphans } from './orphan-checks.ts';
import { checkNoActivePodOnDeadNode, checkNodesRunWhatTheApiSays } from './placement-checks.ts';
import { checkEndpoints, checkEndpointSlices } from './service-checks.ts';
import type { Violation } from './violation.ts';
import { checkDaemonSets, checkDeployments, checkStatefulSets } from './workload-checks.ts';

/** Every check of the state after the heal and the quiescence period, in a fixed order. */
export function checkFinalState(state: ObservedState): Violation[] {
  return [
    ...checkDeclaredStateKept(state, state.declared),
    ...checkDeployments(state),
    ...checkStatefulSets(state),
    ...checkDaemonSets(state),
    ...checkJobs(state),
    ...checkEndpoints(state),
    ...checkEndpointSlices(state),
    ...checkNoActivePodOnDeadNode(state),
    ...checkNodesRunWhatTheApiSays(state),
    ...checkNoOrphans(state),
  ];
}
