/**
 * chaos/e2e/: property-based convergence on real processes. Seeded lists of kubectl changes and
 * process faults on a local cluster, then checks that everything converged. See chaos/README.md.
 */
export { runE2eChaosCommand } from './command.ts';
export type { E2eChaosCommandOptions } from './command.ts';
export { runE2eSeeds, namespaceFor } from './run-seeds.ts';
export type { E2eClusterHandle, E2eSeedsOptions, E2eSeedsSummary } from './run-seeds.ts';
export { runE2ePlan } from './run.ts';
export { waitForConvergence } from './wait-for-convergence.ts';
export type { Convergence } from './wait-for-convergence.ts';
export type { E2eRunOptions, E2eRunResult } from './run.ts';
export { startLocalE2eCluster } from './local-cluster-adapter.ts';
export type { E2eCluster, AgentNode, KubectlInvocation, KubectlResult } from './e2e-cluster.ts';
export { planArbitrary, planForSeed } from './plan-arbitrary.ts';
export { defaultPlanLimits, describeStep, workloadNames } from './plan.ts';
export type { PlanStep, PlanLimits, E2eAction, WorkloadAction, FaultAction } from './plan.ts';
export { checkConvergedCluster } from './checks/final-checks.ts';
export { checkReplicasIdentical } from './checks/store-checks.ts';
export type { ObservedCluster, ContainerProcess } from './checks/observed-cluster.ts';
export type { E2eViolation, E2ePropertyName } from './checks/violation.ts';
