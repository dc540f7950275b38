import { realClock, type Logger } from '../../common/index.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { runKubectlWithRetries } from './kubectl-retry.ts';
import { sleep } from './sleep.ts';

/** How long a run's namespace may take to go (its pods stop with a 1 s grace, then the namespace is finalized). */
export const namespaceGoneDeadlineMs = 90_000;
const pollMs = 1_000;

/**
 * Makes one cluster reusable for the next run: deletes the run's namespace and waits until the API
 * no longer has it (the namespace controller deletes its objects, and a pod is gone only once its
 * agent confirmed it stopped). False if it is still there at the deadline: the caller starts a
 * fresh cluster rather than run on a dirty one. Leftover processes of a reset that "succeeded" are
 * still caught: the next run's orphan check looks at every namespace.
 */
export async function resetBetweenRuns(cluster: E2eCluster, namespace: string, logger: Logger): Promise<boolean> {
  const deleted = await runKubectlWithRetries(cluster, { args: ['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false'] }, logger);
  if (!deleted.ok) return false;
  const deadline = realClock.nowMs() + namespaceGoneDeadlineMs;
  while (realClock.nowMs() < deadline) {
    const found = await cluster.kubectl({ args: ['--request-timeout=5s', 'get', 'namespace', namespace, '--ignore-not-found', '-o', 'name'], timeoutMs: 15_000 });
    if (found.code === 0 && found.stdout.trim() === '') return true;
    await sleep(pollMs);
  }
  logger.warn({ namespace }, 'the run namespace did not go');
  return false;
}
