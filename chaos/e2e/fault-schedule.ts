import { isFault, isServerFault, type PlanStep } from './plan.ts';

/**
 * When each fault of a plan is undone, pure: a fault at step i is active through step
 * i + holdSteps and undone after that step's settle pause; one still active after the last step is
 * undone by the final heal.
 */
export function undoAfterStep(steps: readonly PlanStep[]): number[][] {
  const undo: number[][] = steps.map(() => []);
  steps.forEach((step, index) => {
    if (!isFault(step.action)) return;
    const last = index + step.action.holdSteps;
    if (last < steps.length) undo[last]?.push(index);
  });
  return undo;
}

/** The fault steps still active after the last step (undone by the heal), in order. */
export function activeAtEnd(steps: readonly PlanStep[]): number[] {
  return steps.flatMap((step, index) => (isFault(step.action) && index + step.action.holdSteps >= steps.length ? [index] : []));
}

/**
 * Drops a server fault that would start while another one is active: with at most one of three
 * servers down or cut off, the Raft group keeps its quorum and every operator action can complete.
 * (Without a quorum nothing is promised but recovery, which the final checks cover anyway.)
 */
export function withOneServerFaultAtATime(steps: readonly PlanStep[]): PlanStep[] {
  const kept: PlanStep[] = [];
  let serverFaultActiveThrough = -1;
  for (const step of steps) {
    const index = kept.length;
    if (isServerFault(step.action)) {
      if (index <= serverFaultActiveThrough) continue;
      serverFaultActiveThrough = index + step.action.holdSteps;
    }
    kept.push(step);
  }
  return kept;
}
