import fc from 'fast-check';
import { planArbitrary } from './plan-arbitrary.ts';
import type { PlanLimits, PlanStep } from './plan.ts';
import type { E2eRunResult } from './run.ts';

export interface ShrunkPlan {
  readonly steps: readonly PlanStep[];
  readonly result: E2eRunResult;
  /** Real runs made while shrinking. */
  readonly runs: number;
}

/**
 * Shrinks a failing seed's plan with fast-check: the seed's plan is fast-check's first example
 * (planForSeed samples the same arbitrary with the same seed), so the known failure is reused
 * rather than run again, and each smaller candidate is run for real on the cluster. Real
 * processes do not replay timing: a candidate may pass by luck, so the shrunk plan is one that
 * failed once, not one that always fails. `runPlan` answers null when it could not run the
 * candidate on a clean cluster.
 */
export async function shrinkFailingPlan(
  seed: number,
  limits: PlanLimits,
  failing: { readonly steps: readonly PlanStep[]; readonly result: E2eRunResult },
  runPlan: (steps: readonly PlanStep[], attempt: number) => Promise<E2eRunResult | null>,
  /** Real runs it may make (each takes tens of seconds); past it fast-check is told "passed" and stops. */
  runsMax: number,
): Promise<ShrunkPlan> {
  let runs = 0;
  let latestFailure: ShrunkPlan = { steps: failing.steps, result: failing.result, runs: 0 };
  const original = JSON.stringify(failing.steps);
  const property = fc.asyncProperty(planArbitrary(limits), async (steps) => {
    if (JSON.stringify(steps) === original) return false;
    if (runs >= runsMax) return true;
    runs++;
    const result = await runPlan(steps, runs);
    // No clean run was possible (the cluster could not be reset): no evidence either way.
    if (result === null) return true;
    // fast-check only shrinks further from a failure, so the latest failure is the smallest so far.
    if (!result.passed) latestFailure = { steps, result, runs };
    return result.passed;
  });
  await fc.check(property, { seed, numRuns: 1 });
  return { ...latestFailure, runs };
}
