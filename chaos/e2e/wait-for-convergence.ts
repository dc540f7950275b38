import { realClock, type Logger } from '../../common/index.ts';
import { checkConvergedCluster } from './checks/final-checks.ts';
import { checkReplicasIdentical } from './checks/store-checks.ts';
import { summarizeConverged } from './checks/summarize.ts';
import type { E2eViolation } from './checks/violation.ts';
import type { DeclaredState } from './declared-state.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { observeCluster } from './observe-cluster.ts';
import { sleep } from './sleep.ts';
import { readReplicaHashes } from './store-hashes.ts';

/** How often the state is read again while it has not converged. */
export const convergencePollMs = 1_000;

export interface Convergence {
  readonly converged: boolean;
  /** From the heal to the first reading that passed every check (or to the deadline). */
  readonly elapsedMs: number;
  /** The last reading's violations (empty when converged). */
  readonly violations: readonly E2eViolation[];
  readonly readings: number;
  /** What the passing reading held (empty when none passed). */
  readonly summary: string;
}

/**
 * After the heal, reads the cluster until one reading passes every check — objects, processes,
 * then the replicas' HashKV at one revision — or the deadline passes. Real processes keep moving
 * (leases renew, statuses arrive), so a reading is not a snapshot and only a reading that passes
 * counts; the violations of the last one are what a failure reports.
 */
export async function waitForConvergence(cluster: E2eCluster, namespace: string, declared: DeclaredState, deadlineMs: number, logger: Logger): Promise<Convergence> {
  const startedMs = realClock.nowMs();
  let violations: readonly E2eViolation[] = [];
  let readings = 0;
  while (readings === 0 || realClock.nowMs() - startedMs < deadlineMs) {
    readings++;
    const reading = await readAndCheck(cluster, namespace, declared);
    violations = reading.violations;
    if (violations.length === 0) return { converged: true, elapsedMs: realClock.nowMs() - startedMs, violations, readings, summary: reading.summary };
    logger.debug({ readings, first: violations[0]?.message, count: violations.length }, 'not converged yet');
    await sleep(convergencePollMs);
  }
  return { converged: false, elapsedMs: realClock.nowMs() - startedMs, violations, readings, summary: '' };
}

async function readAndCheck(cluster: E2eCluster, namespace: string, declared: DeclaredState): Promise<{ violations: readonly E2eViolation[]; summary: string }> {
  try {
    const state = await observeCluster(cluster, namespace, declared);
    const violations = checkConvergedCluster(state);
    if (violations.length > 0) return { violations, summary: '' };
    const hashes = await readReplicaHashes(cluster.storeReplicas);
    return { violations: checkReplicasIdentical(hashes, cluster.storeReplicas.map((replica) => replica.name)), summary: summarizeConverged(state, hashes) };
  } catch (error) {
    return { violations: [{ property: 'run-error', message: `could not read the cluster: ${error instanceof Error ? error.message : String(error)}` }], summary: '' };
  }
}
