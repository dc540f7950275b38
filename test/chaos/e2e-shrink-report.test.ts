import { describe, expect, it } from 'vitest';
import { planForSeed } from '../../chaos/e2e/plan-arbitrary.ts';
import { defaultPlanLimits, type PlanLimits, type PlanStep } from '../../chaos/e2e/plan.ts';
import { formatSeedOutcome } from '../../chaos/e2e/report.ts';
import type { E2eRunResult } from '../../chaos/e2e/run.ts';
import { shrinkFailingPlan } from '../../chaos/e2e/shrink.ts';

/**
 * Shrinking and the failure report without a cluster: the "run" is a function of the plan, as a
 * real run would be if timing did not matter. It fails when a plan kills an agent.
 */
const limits: PlanLimits = { ...defaultPlanLimits, stepsMin: 1, stepsMax: 10 };

function resultOf(steps: readonly PlanStep[]): E2eRunResult {
  const killsAgent = steps.some((step) => step.action.kind === 'kill-agent');
  return {
    passed: !killsAgent,
    violations: killsAgent ? [{ property: 'no-orphan-process', message: 'node node-2 runs pid 42 of pod uid u1 container web (found by process-table): its pod is gone from the API' }] : [],
    journal: steps.map((_, index) => `${index + 1}. done`),
    declared: null,
    convergenceMs: 1_000,
    durationMs: 2_000,
    summary: 'alpha 1/1 ready',
  };
}

/** A seed whose plan kills an agent among other steps. */
function failingSeed(): number {
  for (let seed = 1; seed < 500; seed++) {
    const plan = planForSeed(seed, limits);
    if (plan.length >= 5 && plan.some((step) => step.action.kind === 'kill-agent')) return seed;
  }
  throw new Error('no seed kills an agent');
}

describe('e2e chaos shrinking and reports', () => {
  it('shrinks a failing plan to the steps that matter, within its run budget, without re-running the known failure', async () => {
    const seed = failingSeed();
    const steps = planForSeed(seed, limits);
    const ran: PlanStep[][] = [];
    const shrunk = await shrinkFailingPlan(seed, limits, { steps, result: resultOf(steps) }, async (candidate) => {
      ran.push([...candidate]);
      return resultOf(candidate);
    }, 60);
    expect(ran.some((candidate) => JSON.stringify(candidate) === JSON.stringify(steps))).toBe(false);
    expect(shrunk.runs).toBeLessThanOrEqual(60);
    expect(shrunk.result.passed).toBe(false);
    expect(shrunk.steps.length).toBeLessThan(steps.length);
    expect(shrunk.steps.map((step) => step.action.kind)).toContain('kill-agent');
    // The first step (the Deployment to act on) stays; the rest shrinks away.
    expect(shrunk.steps.length).toBeLessThanOrEqual(2);

    const budgeted = await shrinkFailingPlan(seed, limits, { steps, result: resultOf(steps) }, async (candidate) => resultOf(candidate), 1);
    expect(budgeted.runs).toBe(1);
    const inconclusive = await shrinkFailingPlan(seed, limits, { steps, result: resultOf(steps) }, async () => null, 5);
    expect(inconclusive.steps).toEqual(steps);
  });

  it('prints a failing seed with its story, violations, shrunk list, logs and replay command; a passing one in two lines', () => {
    const seed = failingSeed();
    const steps = planForSeed(seed, limits);
    const failing = formatSeedOutcome({ seed, steps, result: resultOf(steps), shrunk: { steps: steps.slice(0, 2), result: resultOf(steps.slice(0, 2)), runs: 3 }, directory: '/tmp/flotilla-e2e-x' });
    expect(failing).toContain(`seed ${seed}: FAILED`);
    expect(failing).toContain('[no-orphan-process] node node-2 runs pid 42');
    expect(failing).toContain('shrunk action list (3 real runs; it failed once, timing is not replayed):');
    expect(failing).toContain('logs and data: /tmp/flotilla-e2e-x');
    expect(failing).toContain(`npm run chaos -- e2e --seed-start ${seed} --runs 1`);
    const passingSteps = steps.filter((step) => step.action.kind !== 'kill-agent');
    expect(formatSeedOutcome({ seed, steps: passingSteps, result: resultOf(passingSteps), shrunk: null, directory: '' }).split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^seed ${seed}: passed — ${passingSteps.length} steps`)),
      '  alpha 1/1 ready',
    ]);
  });
});
