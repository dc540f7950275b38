import type { Logger } from '../../common/index.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { planForSeed } from './plan-arbitrary.ts';
import type { PlanLimits, PlanStep } from './plan.ts';
import { formatSeedOutcome, type SeedOutcome } from './report.ts';
import { resetBetweenRuns } from './reset-between-runs.ts';
import { runE2ePlan, type E2eRunResult } from './run.ts';
import { shrinkFailingPlan, type ShrunkPlan } from './shrink.ts';

/** A started cluster the runs may use, and how to stop it. */
export interface E2eClusterHandle {
  readonly cluster: E2eCluster;
  readonly directory: string;
  /** Stops every process; the files stay with `keepFiles` (a failure's logs). */
  stop(options: { readonly keepFiles: boolean }): Promise<void>;
}

export interface E2eSeedsOptions {
  /** Run in this order; the command passes seed-start … seed-start + runs - 1. */
  readonly seeds: readonly number[];
  readonly limits: PlanLimits;
  readonly convergenceDeadlineMs: number;
  /** Real runs a failing seed's shrink may make (0: print the unshrunk list). */
  readonly shrinkRunsMax: number;
  readonly startCluster: () => Promise<E2eClusterHandle>;
  readonly logger: Logger;
  readonly print: (text: string) => void;
}

export interface E2eSeedsSummary {
  readonly passed: number;
  readonly failed: number;
  readonly outcomes: readonly SeedOutcome[];
  /** Clusters started, shrink runs included: 1 when every seed passed and every reset finished. */
  readonly clustersStarted: number;
}

/**
 * Runs seeds one after the other on one cluster, reset between runs by deleting the run's
 * namespace (reset-between-runs.ts). A failed run ends its cluster (kept on disk for its logs,
 * and a cluster that went wrong may stay wrong), and so does a reset that does not finish: the
 * next seed gets a fresh cluster. Each shrink candidate runs on a fresh cluster of its own, so a
 * damaged cluster cannot make every candidate fail.
 */
export async function runE2eSeeds(options: E2eSeedsOptions): Promise<E2eSeedsSummary> {
  const outcomes: SeedOutcome[] = [];
  let clustersStarted = 0;
  let handle: E2eClusterHandle | null = null;
  const startCluster = async (): Promise<E2eClusterHandle> => {
    clustersStarted++;
    return options.startCluster();
  };
  try {
    for (const seed of options.seeds) {
      const steps = planForSeed(seed, options.limits);
      try {
        handle ??= await startCluster();
      } catch (error) {
        // A cluster that cannot start fails this seed (its logs stay on disk) and the next seed tries a fresh one.
        const outcome: SeedOutcome = { seed, steps, result: failedBeforeRunning(`could not start the cluster: ${error instanceof Error ? error.message : String(error)}`), shrunk: null, directory: '(see the error)' };
        outcomes.push(outcome);
        options.print(formatSeedOutcome(outcome));
        continue;
      }
      const result = await runPlan(handle, steps, namespaceFor(seed, 0), options, options.logger.child({ seed }));
      const directory = handle.directory;
      const clean = result.passed && (await resetBetweenRuns(handle.cluster, namespaceFor(seed, 0), options.logger));
      if (!clean) {
        await handle.stop({ keepFiles: !result.passed });
        handle = null;
      }
      const shrunk = result.passed || options.shrinkRunsMax === 0 ? null : await shrinkOnFreshClusters(seed, steps, result, startCluster, options);
      const outcome: SeedOutcome = { seed, steps, result, shrunk, directory };
      outcomes.push(outcome);
      options.print(formatSeedOutcome(outcome));
    }
  } finally {
    await handle?.stop({ keepFiles: false });
  }
  const passed = outcomes.filter((outcome) => outcome.result.passed).length;
  options.print(`${passed} passed, ${outcomes.length - passed} failed`);
  return { passed, failed: outcomes.length - passed, outcomes, clustersStarted };
}

function failedBeforeRunning(message: string): E2eRunResult {
  return { passed: false, violations: [{ property: 'run-error', message }], journal: [], declared: null, convergenceMs: 0, durationMs: 0, summary: '' };
}

/** The run's namespace: `attempt` 0 is the seed's own run, the others its shrink candidates. */
export function namespaceFor(seed: number, attempt: number): string {
  return attempt === 0 ? `e2e-seed-${seed}` : `e2e-seed-${seed}-shrink-${attempt}`;
}

function runPlan(handle: E2eClusterHandle, steps: readonly PlanStep[], namespace: string, options: E2eSeedsOptions, logger: Logger): Promise<E2eRunResult> {
  return runE2ePlan({ cluster: handle.cluster, steps, namespace, convergenceDeadlineMs: options.convergenceDeadlineMs, logger });
}

async function shrinkOnFreshClusters(seed: number, steps: readonly PlanStep[], result: E2eRunResult, startCluster: () => Promise<E2eClusterHandle>, options: E2eSeedsOptions): Promise<ShrunkPlan> {
  const logger = options.logger.child({ seed, shrinking: true });
  logger.warn({ violations: result.violations.length }, 'seed failed; shrinking its action list');
  return shrinkFailingPlan(seed, options.limits, { steps, result }, async (candidate, attempt) => {
    let handle: E2eClusterHandle;
    try {
      handle = await startCluster();
    } catch (error) {
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'no cluster for a shrink candidate');
      return null;
    }
    let candidateResult: E2eRunResult | null = null;
    try {
      candidateResult = await runPlan(handle, candidate, namespaceFor(seed, attempt), options, logger);
      return candidateResult;
    } finally {
      await handle.stop({ keepFiles: candidateResult?.passed === false });
    }
  }, options.shrinkRunsMax);
}
