import type { Logger } from '../../common/index.ts';
import type { E2eViolation } from './checks/violation.ts';
import { applyToDeclared, emptyDeclaredState, isApplicable, type DeclaredState } from './declared-state.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { activeAtEnd, undoAfterStep } from './fault-schedule.ts';
import { startFault, type ActiveFault } from './fault-injector.ts';
import { kubectlCommandFor } from './kubectl-commands.ts';
import { runKubectlWithRetries } from './kubectl-retry.ts';
import { describeStep, isFault, type PlanStep } from './plan.ts';
import { sleep } from './sleep.ts';

export interface StepsOutcome {
  readonly declared: DeclaredState;
  /** One line per step: what it did on this run (which server "the leader" was, attempts, skips). */
  readonly journal: readonly string[];
  readonly violations: readonly E2eViolation[];
}

/**
 * Plays the plan's steps in order on the real cluster, then undoes every fault still in force.
 * A change that kubectl cannot complete (refused, or out of attempts with one server at most
 * down) is a violation: with a quorum the API must take it. The declared state follows the changes
 * that succeeded.
 */
export async function runSteps(cluster: E2eCluster, steps: readonly PlanStep[], namespace: string, logger: Logger): Promise<StepsOutcome> {
  let declared = emptyDeclaredState();
  const journal: string[] = [];
  const violations: E2eViolation[] = [];
  const active = new Map<number, ActiveFault>();
  const undoAfter = undoAfterStep(steps);
  const undo = async (index: number): Promise<void> => {
    const fault = active.get(index);
    active.delete(index);
    if (fault === undefined) return;
    try {
      await fault.undo();
    } catch (error) {
      violations.push({ property: 'run-error', message: `undoing step ${index + 1} (${fault.description}) failed: ${messageOf(error)}` });
    }
  };
  for (const [index, step] of steps.entries()) {
    const { action } = step;
    const head = `${index + 1}. ${describeStep(step)}`;
    logger.info({ step: index + 1, action }, 'step');
    if (isFault(action)) {
      try {
        const fault = await startFault(cluster, action);
        active.set(index, fault);
        journal.push(`${head}: ${fault.description}`);
      } catch (error) {
        violations.push({ property: 'run-error', message: `step ${index + 1} (${describeStep(step)}) could not start: ${messageOf(error)}` });
        journal.push(`${head}: could not start`);
      }
    } else if (!isApplicable(declared, action)) {
      journal.push(`${head}: skipped (nothing to change)`);
    } else {
      const outcome = await runKubectlWithRetries(cluster, kubectlCommandFor(action, declared, namespace), logger);
      if (outcome.ok) {
        declared = applyToDeclared(declared, action);
        journal.push(`${head}: done${outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : ''}`);
      } else {
        violations.push({ property: 'action-failed', message: `step ${index + 1} (${describeStep(step)}) ${outcome.refused ? 'was refused' : `failed ${outcome.attempts} times`}: ${outcome.error}` });
        journal.push(`${head}: FAILED`);
      }
    }
    await sleep(step.settleMs);
    for (const faultIndex of undoAfter[index] ?? []) await undo(faultIndex);
  }
  for (const faultIndex of activeAtEnd(steps)) await undo(faultIndex);
  return { declared, journal, violations };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
