import fc from 'fast-check';
import { withOneServerFaultAtATime } from './fault-schedule.ts';
import { colors, flavours, imageTags, workloadNames, type E2eAction, type PlanLimits, type PlanStep, type ServerTarget, type TemplateChoice } from './plan.ts';

/** Settle pauses come in these steps, so shrunk plans print round numbers. */
const settleStepMs = 500;

function indexInto(pool: readonly unknown[]): fc.Arbitrary<number> {
  return fc.nat(pool.length - 1);
}

function templateArbitrary(): fc.Arbitrary<TemplateChoice> {
  return fc.record({ image: indexInto(imageTags), color: indexInto(colors), flavour: indexInto(flavours) });
}

/** Operator changes: the declared state the cluster must reach. Applies weigh most, so workloads exist. */
function workloadActionArbitrary(limits: PlanLimits): fc.Arbitrary<E2eAction> {
  const slot = indexInto(workloadNames);
  const replicas = fc.integer({ min: 0, max: limits.replicasMax });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('apply-deployment' as const), slot, replicas, template: templateArbitrary() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('scale-deployment' as const), slot, replicas }) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant('roll-deployment' as const), slot, field: fc.constant('image' as const), value: indexInto(imageTags) }),
        fc.record({ kind: fc.constant('roll-deployment' as const), slot, field: fc.constant('color' as const), value: indexInto(colors) }),
        fc.record({ kind: fc.constant('roll-deployment' as const), slot, field: fc.constant('flavour' as const), value: indexInto(flavours) }),
      ),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-deployment' as const), slot }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('apply-service' as const), slot }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-service' as const), slot }) },
  );
}

function faultActionArbitrary(limits: PlanLimits): fc.Arbitrary<E2eAction> {
  const holdSteps = fc.integer({ min: 0, max: limits.holdStepsMax });
  const target: fc.Arbitrary<ServerTarget> = fc.oneof(fc.constant<ServerTarget>('leader'), fc.nat(limits.servers - 1));
  return fc.oneof(
    fc.record({ kind: fc.constant('kill-leader-server' as const), holdSteps }),
    fc.record({ kind: fc.constant('isolate-server' as const), target, holdSteps }),
    fc.record({ kind: fc.constant('kill-agent' as const), agent: fc.nat(limits.agents - 1), holdSteps }),
    fc.record({ kind: fc.constant('restart-nats' as const), holdSteps }),
  );
}

function stepArbitrary(limits: PlanLimits): fc.Arbitrary<PlanStep> {
  return fc.record({
    // About one step in three is a fault: enough to hit most runs, few enough that changes land.
    action: fc.oneof({ weight: 2, arbitrary: workloadActionArbitrary(limits) }, { weight: 1, arbitrary: faultActionArbitrary(limits) }),
    settleMs: fc.nat(Math.floor(limits.settleMsMax / settleStepMs)).map((units) => units * settleStepMs),
  });
}

/**
 * The first step applies a Deployment with at least one replica, so the changes and faults after
 * it have pods to act on (scaling or rolling what does not exist is skipped); shrinking may make
 * it smaller but not remove it.
 */
function firstStepArbitrary(limits: PlanLimits): fc.Arbitrary<PlanStep> {
  return fc.record({
    action: fc.record({ kind: fc.constant('apply-deployment' as const), slot: indexInto(workloadNames), replicas: fc.integer({ min: 1, max: limits.replicasMax }), template: templateArbitrary() }),
    settleMs: fc.constant(0),
  });
}

/** A plan within `limits`; server faults never overlap (fault-schedule.ts says why). */
export function planArbitrary(limits: PlanLimits): fc.Arbitrary<PlanStep[]> {
  // size 'max': lengths spread over the whole range (fast-check's default keeps arrays near 10 items).
  const rest = fc.array(stepArbitrary(limits), { minLength: Math.max(0, limits.stepsMin - 1), maxLength: Math.max(0, limits.stepsMax - 1), size: 'max' });
  return fc.tuple(firstStepArbitrary(limits), rest).map(([first, others]) => withOneServerFaultAtATime([first, ...others]));
}

/** The plan a seed stands for: fast-check's first sample of the arbitrary with that seed, so it replays. */
export function planForSeed(seed: number, limits: PlanLimits): PlanStep[] {
  return fc.sample(planArbitrary(limits), { seed, numRuns: 1 })[0] ?? [];
}
