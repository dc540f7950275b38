import { checkDeletedDeployments, checkDeployments } from './deployment-checks.ts';
import { checkDeletedServices, checkServiceEndpoints } from './endpoint-checks.ts';
import { checkNodesReady, checkNoOrphanProcesses, checkPodsRunWhereBound } from './node-checks.ts';
import type { ObservedCluster } from './observed-cluster.ts';
import type { E2eViolation } from './violation.ts';

/** Every check of the cluster's objects and processes after the heal, in a fixed order (the store is checked apart). */
export function checkConvergedCluster(state: ObservedCluster): E2eViolation[] {
  return [
    ...checkNodesReady(state),
    ...checkDeployments(state),
    ...checkDeletedDeployments(state),
    ...checkServiceEndpoints(state),
    ...checkDeletedServices(state),
    ...checkNoOrphanProcesses(state),
    ...checkPodsRunWhereBound(state),
  ];
}
