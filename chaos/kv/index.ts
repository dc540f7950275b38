export { runKvChaos, scheduleForSeed } from './run.ts';
export type { KvChaosOptions, KvChaosResult } from './run.ts';
export { runKvChaosCommand, formatResult } from './command.ts';
export type { KvChaosCommandOptions } from './command.ts';
export { KvWorkload } from './workload.ts';
export { waitForConvergence } from './convergence.ts';
export { faultScheduleArbitrary, applyFault, describeFault } from './faults.ts';
export type { KvFault, TimedFault } from './faults.ts';
