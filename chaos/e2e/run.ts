import { realClock, type Logger } from '../../common/index.ts';
import type { E2eViolation } from './checks/violation.ts';
import type { DeclaredState } from './declared-state.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { runKubectlWithRetries } from './kubectl-retry.ts';
import type { PlanStep } from './plan.ts';
import { runSteps } from './run-steps.ts';
import { waitForConvergence } from './wait-for-convergence.ts';

export interface E2eRunOptions {
  readonly cluster: E2eCluster;
  readonly steps: readonly PlanStep[];
  /** Each run works in its own namespace, so runs on one cluster do not see each other's objects. */
  readonly namespace: string;
  /** From the heal, how long the cluster has to converge. */
  readonly convergenceDeadlineMs: number;
  readonly logger: Logger;
}

export interface E2eRunResult {
  readonly passed: boolean;
  readonly violations: readonly E2eViolation[];
  readonly journal: readonly string[];
  readonly declared: DeclaredState | null;
  /** From the heal to convergence (or the deadline). */
  readonly convergenceMs: number;
  readonly durationMs: number;
  /** What the converged cluster held (empty when it did not converge). */
  readonly summary: string;
}

/** One run: the namespace, the plan's steps and faults, the heal, then the convergence checks. */
export async function runE2ePlan(options: E2eRunOptions): Promise<E2eRunResult> {
  const startedMs = realClock.nowMs();
  const { cluster, namespace, logger } = options;
  const created = await runKubectlWithRetries(cluster, { args: ['apply', '-f', '-'], input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }) }, logger);
  if (!created.ok) {
    const violation: E2eViolation = { property: 'run-error', message: `could not create namespace ${namespace}: ${created.error}` };
    return { passed: false, violations: [violation], journal: [], declared: null, convergenceMs: 0, durationMs: realClock.nowMs() - startedMs, summary: '' };
  }
  const steps = await runSteps(cluster, options.steps, namespace, logger);
  logger.info({ namespace }, 'healed; waiting for convergence');
  const convergence = await waitForConvergence(cluster, namespace, steps.declared, options.convergenceDeadlineMs, logger);
  const violations = [...steps.violations, ...convergence.violations];
  return {
    passed: violations.length === 0,
    violations,
    journal: steps.journal,
    declared: steps.declared,
    convergenceMs: convergence.elapsedMs,
    durationMs: realClock.nowMs() - startedMs,
    summary: convergence.summary,
  };
}
