import fc from 'fast-check';
import { runControlPlaneSimulation, type ControlPlaneSimOptions, type ControlPlaneSimResult } from './run.ts';
import { scenarioArbitrary, type TimedAction } from './scenario.ts';

/**
 * Simulations one shrink may run. Past it the property reports "passed" so fast-check stops where
 * it is: a budget by count, not by wall time, keeps the printed result the same on every replay.
 */
export const shrinkRunsMax = 40;

export interface ShrunkFailure {
  readonly actions: readonly TimedAction[];
  readonly result: ControlPlaneSimResult;
  readonly runs: number;
  readonly shrinks: number;
}

/**
 * Replays a failing seed as fast-check's first example (the action list the seed stands for:
 * `scenarioForSeed` samples the same arbitrary with the same seed) and lets fast-check shrink the
 * list while the run still fails. The environment's PRNG keeps the seed, so only the actions change.
 */
export async function shrinkFailingSeed(seed: number, options: Omit<ControlPlaneSimOptions, 'seed' | 'actions'> = {}): Promise<ShrunkFailure | null> {
  let runs = 0;
  const failures = new Map<readonly TimedAction[], ControlPlaneSimResult>();
  const property = fc.asyncProperty(scenarioArbitrary(), async (actions) => {
    runs++;
    if (runs > shrinkRunsMax) return true;
    const result = await runControlPlaneSimulation({ ...options, seed, actions });
    if (!result.passed) failures.set(actions, result);
    return result.passed;
  });
  const details = await fc.check(property, { seed, numRuns: 1 });
  if (!details.failed || details.counterexample === null) return null;
  const [actions] = details.counterexample;
  const result = failures.get(actions) ?? (await runControlPlaneSimulation({ ...options, seed, actions }));
  return { actions, result, runs: Math.min(runs, shrinkRunsMax), shrinks: details.numShrinks };
}
