/**
 * chaos/control-plane-sim: the deterministic simulation of the control plane (`flotilla sim
 * control-plane`): the real ControllerManager and controllers on the real MvccStore in memory,
 * virtual time, simulated nodes and faults. See README.md.
 */
export { runControlPlaneSimCommand, shrunkFailuresMax } from './command.ts';
export type { ControlPlaneSimCommandOptions } from './command.ts';
export { runControlPlaneSimulation, RunTimings } from './run.ts';
export type { ControlPlaneSimOptions, ControlPlaneSimResult, ControlPlaneSimCounters } from './run.ts';
export { shrinkFailingSeed, shrinkRunsMax } from './shrink.ts';
export type { ShrunkFailure } from './shrink.ts';
export { scenarioArbitrary, scenarioForSeed, timedActionArbitrary, describeAction, ScenarioLimits } from './scenario.ts';
export type { SimAction, SimActionKind, TimedAction } from './scenario.ts';
export { formatRunSummary, describeActions, describeCounters } from './summary.ts';
export { checkFinalState } from './checks/final-checks.ts';
export { checkDeployments, checkStatefulSets, checkDaemonSets } from './checks/workload-checks.ts';
export { checkEndpoints, checkEndpointSlices, expectedReadyAddresses } from './checks/service-checks.ts';
export { checkNoActivePodOnDeadNode, checkNodesRunWhatTheApiSays } from './checks/placement-checks.ts';
export { checkNoOrphans } from './checks/orphan-checks.ts';
export { checkJobs } from './checks/job-checks.ts';
export { checkDeclaredStateKept } from './checks/declared-checks.ts';
export { emptyObservedState } from './checks/observed-state.ts';
export type { ObservedState } from './checks/observed-state.ts';
export { PropertyNames } from './checks/violation.ts';
export type { PropertyName, Violation } from './checks/violation.ts';
export { ContainerLedger } from './container-ledger.ts';
export type { RunningContainer } from './container-ledger.ts';
export type { DeclaredObject } from './declared-state.ts';
export type { DeletionHandling } from './simulated-node.ts';
export { VirtualTime, virtualEnv, virtualEpochMs } from './virtual-time.ts';
export { settle } from './settle.ts';
