import fc from 'fast-check';
import type { CoreFactory } from './core-port.ts';
import { runSimulation } from './run.ts';
import { scheduleArbitrary, type Schedule } from './schedule.ts';

/**
 * Simulations a shrink may run. Past it the property reports "passed" so fast-check stops where
 * it is: a budget by count, not by wall time, keeps the printed result the same on every replay.
 */
export const shrinkRunsMax = 250;

export interface ShrunkFailure {
  readonly schedule: Schedule;
  readonly failure: string;
  /** Virtual time of the failure: faults scheduled after it never ran. */
  readonly failureAtUs: number;
  readonly runs: number;
  readonly shrinks: number;
}

/**
 * Replays a failing seed as fast-check's first example (the schedule the seed stands for) and
 * lets fast-check shrink the schedule while the run still fails.
 */
export function shrinkFailingSeed(seed: number, nodes: 3 | 5, steps: number, createCore: CoreFactory): ShrunkFailure | null {
  let runs = 0;
  const failures = new Map<Schedule, { failure: string; atUs: number }>();
  const property = fc.property(scheduleArbitrary(nodes, steps), (schedule) => {
    runs++;
    if (runs > shrinkRunsMax) return true;
    const result = runSimulation({ seed, nodes, steps, schedule, createCore });
    if (!result.passed) failures.set(schedule, { failure: result.failure ?? '', atUs: result.failureAtUs ?? result.simulatedUs });
    return result.passed;
  });
  const details = fc.check(property, { seed, numRuns: 1 });
  if (!details.failed || details.counterexample === null) return null;
  const [schedule] = details.counterexample;
  const known = failures.get(schedule);
  const rerun = known === undefined ? runSimulation({ seed, nodes, steps, schedule, createCore }) : null;
  const failure = known?.failure ?? rerun?.failure ?? '';
  const failureAtUs = known?.atUs ?? rerun?.failureAtUs ?? 0;
  return { schedule, failure, failureAtUs, runs: Math.min(runs, shrinkRunsMax), shrinks: details.numShrinks };
}
