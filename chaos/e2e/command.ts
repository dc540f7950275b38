import { createLogger } from '../../common/index.ts';
import { startLocalE2eCluster } from './local-cluster-adapter.ts';
import { defaultPlanLimits } from './plan.ts';
import { runE2eSeeds } from './run-seeds.ts';

export interface E2eChaosCommandOptions {
  readonly runs: number;
  readonly seedStart: number;
  /** Longest action list. */
  readonly steps: number;
  readonly convergenceSeconds: number;
  readonly shrinkRuns: number;
}

/** How long a new cluster may take to become healthy. */
const clusterHealthyTimeoutMs = 120_000;

/**
 * `flotilla chaos e2e`: N seeded action lists with faults on a real local cluster (3 servers,
 * 2 agents, one nats-server); prints one line per passing seed, the story of a failing one, and
 * `N passed, M failed`. Exit code 1 when any failed.
 */
export async function runE2eChaosCommand(options: E2eChaosCommandOptions, print: (line: string) => void): Promise<number> {
  const logger = createLogger('chaos-e2e', { level: 'warn' });
  const limits = { ...defaultPlanLimits, stepsMin: Math.min(defaultPlanLimits.stepsMin, options.steps), stepsMax: options.steps };
  const summary = await runE2eSeeds({
    seeds: Array.from({ length: options.runs }, (_, index) => options.seedStart + index),
    limits,
    convergenceDeadlineMs: options.convergenceSeconds * 1_000,
    shrinkRunsMax: options.shrinkRuns,
    startCluster: () => startLocalE2eCluster({ servers: 3, agents: limits.agents, healthyTimeoutMs: clusterHealthyTimeoutMs, logger }),
    logger,
    print,
  });
  return summary.failed === 0 ? 0 : 1;
}
