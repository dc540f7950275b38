/**
 * chaos/: the deterministic simulator (`flotilla sim`), fault injection on real processes, and
 * the linearizability checker. See chaos/README.md.
 */
export { runSimCommand, defaultSimSteps } from './sim/command.ts';
export type { SimCommandOptions } from './sim/command.ts';
export { summarizeSimulation, formatRunSummary } from './sim/summary.ts';
export { runSimulation } from './sim/run.ts';
export type { SimRunOptions, SimRunResult } from './sim/run.ts';
export { createRaftCore } from './sim/core-factory.ts';
export { SafetyChecker, SimViolation } from './sim/checkers.ts';
export { scheduleArbitrary, scheduleForSeed } from './sim/schedule.ts';
export type { Schedule, ScheduledFault, FaultAction } from './sim/schedule.ts';
export { shrinkFailingSeed } from './sim/shrink.ts';
export type { SimStats } from './sim/stats.ts';
export { ProcessCluster, ServerProcess, currentLeader, waitForLeader, singleEndpointClient } from './cluster/index.ts';
export type { ClusterMember, ProcessClusterOptions } from './cluster/index.ts';
export { FaultRelay } from './relay/fault-relay.ts';
export type { RelayFault } from './relay/fault-relay.ts';
export { runKvChaos, runKvChaosCommand } from './kv/index.ts';
export type { KvChaosOptions, KvChaosResult } from './kv/index.ts';
export { runControlPlaneSimCommand, runControlPlaneSimulation, shrinkFailingSeed as shrinkFailingControlPlaneSeed, scenarioForSeed as controlPlaneScenarioForSeed } from './control-plane-sim/index.ts';
export type { ControlPlaneSimCommandOptions, ControlPlaneSimOptions, ControlPlaneSimResult } from './control-plane-sim/index.ts';
export { runE2eChaosCommand } from './e2e/index.ts';
export type { E2eChaosCommandOptions } from './e2e/index.ts';
