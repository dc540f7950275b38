import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyToDeclared, emptyDeclaredState, isApplicable } from '../../chaos/e2e/declared-state.ts';
import { activeAtEnd, undoAfterStep, withOneServerFaultAtATime } from '../../chaos/e2e/fault-schedule.ts';
import { kubectlCommandFor } from '../../chaos/e2e/kubectl-commands.ts';
import { isRefusal } from '../../chaos/e2e/kubectl-retry.ts';
import { planArbitrary, planForSeed } from '../../chaos/e2e/plan-arbitrary.ts';
import { colors, defaultPlanLimits, describeStep, flavours, imageTags, isFault, isServerFault, workloadNames, type PlanLimits, type PlanStep } from '../../chaos/e2e/plan.ts';

const smallLimits: PlanLimits = { ...defaultPlanLimits, stepsMin: 1, stepsMax: 5, replicasMax: 2, holdStepsMax: 1, settleMsMax: 1_000 };

/** Every server fault's window [start, start + holdSteps]; no two may overlap. */
function serverFaultWindows(steps: readonly PlanStep[]): [number, number][] {
  return steps.flatMap((step, index) => (isServerFault(step.action) ? [[index, index + step.action.holdSteps] as [number, number]] : []));
}

describe('e2e chaos plans', () => {
  it('stay within their limits', () => {
    for (const limits of [defaultPlanLimits, smallLimits]) {
      fc.assert(fc.property(planArbitrary(limits), (steps) => {
        expect(steps.length).toBeLessThanOrEqual(limits.stepsMax);
        for (const { action, settleMs } of steps) {
          expect(settleMs).toBeGreaterThanOrEqual(0);
          expect(settleMs).toBeLessThanOrEqual(limits.settleMsMax);
          if ('slot' in action) expect(action.slot).toBeLessThan(workloadNames.length);
          if ('replicas' in action) expect(action.replicas).toBeLessThanOrEqual(limits.replicasMax);
          if ('holdSteps' in action) expect(action.holdSteps).toBeLessThanOrEqual(limits.holdStepsMax);
          if (action.kind === 'kill-agent') expect(action.agent).toBeLessThan(limits.agents);
          if (action.kind === 'isolate-server' && action.target !== 'leader') expect(action.target).toBeLessThan(limits.servers);
          if (action.kind === 'apply-deployment') {
            expect(action.template.image).toBeLessThan(imageTags.length);
            expect(action.template.color).toBeLessThan(colors.length);
            expect(action.template.flavour).toBeLessThan(flavours.length);
          }
          expect(describeStep({ action, settleMs })).not.toBe('');
        }
      }), { numRuns: 300 });
    }
  });

  it('start by applying a Deployment with pods, so the changes and faults after it act on something', () => {
    fc.assert(fc.property(planArbitrary(defaultPlanLimits), ([first]) => {
      expect(first?.action.kind).toBe('apply-deployment');
      if (first?.action.kind === 'apply-deployment') expect(first.action.replicas).toBeGreaterThanOrEqual(1);
    }), { numRuns: 100 });
  });

  it('never hold two server faults at once, so the Raft group keeps a quorum', () => {
    fc.assert(fc.property(planArbitrary(defaultPlanLimits), (steps) => {
      const windows = serverFaultWindows(steps);
      for (let index = 1; index < windows.length; index++) expect(windows[index]![0]).toBeGreaterThan(windows[index - 1]![1]);
    }), { numRuns: 300 });
    const kill = (holdSteps: number): PlanStep => ({ action: { kind: 'kill-leader-server', holdSteps }, settleMs: 0 });
    const isolate: PlanStep = { action: { kind: 'isolate-server', target: 1, holdSteps: 0 }, settleMs: 0 };
    const agent: PlanStep = { action: { kind: 'kill-agent', agent: 0, holdSteps: 0 }, settleMs: 0 };
    // Holds count steps of the final list: a dropped step does not use up the hold.
    expect(withOneServerFaultAtATime([kill(1), isolate, isolate])).toEqual([kill(1)]);
    expect(withOneServerFaultAtATime([kill(1), isolate, agent, isolate])).toEqual([kill(1), agent, isolate]);
    expect(withOneServerFaultAtATime([kill(2), agent, isolate, agent, isolate])).toEqual([kill(2), agent, agent, isolate]);
  });

  it('a seed stands for one plan, and it is fast-check\'s first example for that seed (what the shrink starts from)', async () => {
    for (const seed of [1, 2, 42, 9_999]) {
      const plan = planForSeed(seed, defaultPlanLimits);
      expect(planForSeed(seed, defaultPlanLimits)).toEqual(plan);
      let first: PlanStep[] | undefined;
      await fc.check(fc.asyncProperty(planArbitrary(defaultPlanLimits), async (steps) => {
        first ??= steps;
        return true;
      }), { seed, numRuns: 1 });
      expect(first).toEqual(plan);
    }
    expect(planForSeed(1, defaultPlanLimits)).not.toEqual(planForSeed(2, defaultPlanLimits));
  });

  it('undo each fault after its hold, and the rest at the heal', () => {
    const steps: PlanStep[] = [
      { action: { kind: 'kill-agent', agent: 1, holdSteps: 1 }, settleMs: 0 },
      { action: { kind: 'scale-deployment', slot: 0, replicas: 1 }, settleMs: 0 },
      { action: { kind: 'restart-nats', holdSteps: 0 }, settleMs: 0 },
      { action: { kind: 'kill-leader-server', holdSteps: 2 }, settleMs: 0 },
    ];
    expect(undoAfterStep(steps)).toEqual([[], [0], [2], []]);
    expect(activeAtEnd(steps)).toEqual([3]);
    fc.assert(fc.property(planArbitrary(defaultPlanLimits), (plan) => {
      // Every fault is undone exactly once.
      const undone = [...undoAfterStep(plan).flat(), ...activeAtEnd(plan)].sort((a, b) => a - b);
      expect(undone).toEqual(plan.flatMap((step, index) => (isFault(step.action) ? [index] : [])));
    }), { numRuns: 200 });
  });
});

describe('e2e chaos declared state and kubectl commands', () => {
  it('follows the changes that succeeded and skips those with nothing to change', () => {
    let state = emptyDeclaredState();
    expect(isApplicable(state, { kind: 'scale-deployment', slot: 0, replicas: 2 })).toBe(false);
    expect(isApplicable(state, { kind: 'delete-service', slot: 1 })).toBe(false);
    state = applyToDeclared(state, { kind: 'apply-deployment', slot: 0, replicas: 1, template: { image: 0, color: 1, flavour: 2 } });
    state = applyToDeclared(state, { kind: 'scale-deployment', slot: 0, replicas: 3 });
    state = applyToDeclared(state, { kind: 'roll-deployment', slot: 0, field: 'image', value: 2 });
    state = applyToDeclared(state, { kind: 'apply-service', slot: 1 });
    expect(state.deployments[0]).toEqual({ replicas: 3, template: { image: 2, color: 1, flavour: 2 } });
    expect(state.services).toEqual([false, true]);
    state = applyToDeclared(state, { kind: 'delete-deployment', slot: 0 });
    expect(state.deployments[0]).toBeUndefined();
    expect(applyToDeclared(state, { kind: 'roll-deployment', slot: 0, field: 'color', value: 0 })).toBe(state);
  });

  it('turns every change into an idempotent kubectl command in the run namespace', () => {
    const state = applyToDeclared(emptyDeclaredState(), { kind: 'apply-deployment', slot: 1, replicas: 2, template: { image: 0, color: 0, flavour: 0 } });
    const apply = kubectlCommandFor({ kind: 'apply-deployment', slot: 1, replicas: 2, template: { image: 1, color: 2, flavour: 1 } }, state, 'e2e-seed-3');
    expect(apply.args).toEqual(['apply', '-n', 'e2e-seed-3', '-f', '-']);
    const manifest = JSON.parse(apply.input ?? '{}') as { metadata: { name: string; namespace: string }; spec: { replicas: number; template: { spec: { containers: { image: string; args: string[]; env: { value: string }[] }[] } } } };
    expect(manifest.metadata).toMatchObject({ name: 'beta', namespace: 'e2e-seed-3' });
    expect(manifest.spec.replicas).toBe(2);
    expect(manifest.spec.template.spec.containers[0]).toMatchObject({ image: 'fixture:2', args: ['--flavour=spicy'], env: [{ value: 'blue' }] });
    expect(kubectlCommandFor({ kind: 'scale-deployment', slot: 1, replicas: 0 }, state, 'ns').args).toEqual(['scale', '-n', 'ns', 'deployment/beta', '--replicas=0']);
    expect(kubectlCommandFor({ kind: 'roll-deployment', slot: 1, field: 'image', value: 2 }, state, 'ns').args).toEqual(['set', 'image', '-n', 'ns', 'deployment/beta', 'web=fixture:3']);
    expect(kubectlCommandFor({ kind: 'roll-deployment', slot: 1, field: 'color', value: 1 }, state, 'ns').args).toEqual(['set', 'env', '-n', 'ns', 'deployment/beta', 'COLOR=green']);
    const patch = kubectlCommandFor({ kind: 'roll-deployment', slot: 1, field: 'flavour', value: 2 }, state, 'ns').args;
    expect(patch.slice(0, 5)).toEqual(['patch', '-n', 'ns', 'deployment/beta', '--type=json']);
    expect(JSON.parse(patch[6] ?? '[]')).toEqual([{ op: 'replace', path: '/spec/template/spec/containers/0/args', value: ['--flavour=sour'] }]);
    expect(kubectlCommandFor({ kind: 'delete-deployment', slot: 1 }, state, 'ns').args).toContain('--ignore-not-found');
    expect(kubectlCommandFor({ kind: 'delete-service', slot: 0 }, state, 'ns').args).toEqual(['delete', '-n', 'ns', 'service', 'alpha', '--ignore-not-found', '--wait=false']);
  });

  it('retries what a fault explains and stops at a refusal', () => {
    const result = (stderr: string) => ({ code: 1, stdout: '', stderr });
    expect(isRefusal(result('Error from server (NotFound): deployments.apps "alpha" not found'))).toBe(true);
    expect(isRefusal(result('The Deployment "alpha" is invalid: Error from server (Invalid): spec.replicas'))).toBe(true);
    expect(isRefusal(result('Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused'))).toBe(false);
    expect(isRefusal(result('Error from server (ServiceUnavailable): no leader'))).toBe(false);
    expect(isRefusal(result('Error from server (Conflict): the object has been modified'))).toBe(false);
    expect(isRefusal(result('error: context deadline exceeded'))).toBe(false);
  });
});
