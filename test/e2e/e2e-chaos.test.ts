import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/index.ts';
import { defaultPlanLimits, planForSeed, runE2eSeeds, startLocalE2eCluster, type PlanLimits } from '../../chaos/e2e/index.ts';

/**
 * Property-based convergence on real processes (issue 8): the local cluster `flotilla up` starts
 * (3 servers behind fault relays, one nats-server, 2 agents with proxies, the stable API address),
 * seeded lists of kubectl changes (apply, scale, set image, set env, patch args, delete) with
 * kill -9 of the leader and of agents, a server cut off, and nats-server killed; after the heal,
 * within a deadline, every Deployment runs its replicas Ready from the latest template on live
 * nodes, Endpoints and EndpointSlices list exactly the ready pods, no node runs a process the API
 * does not assign it, and every replica's store hashes the same. One cluster serves the seeds (reset
 * by deleting each run's namespace). `npm run chaos -- e2e --runs N` runs more seeds, longer lists.
 */

/** Short lists, so three seeds take about a minute and a half on two cores. */
const limits: PlanLimits = { ...defaultPlanLimits, stepsMin: 3, stepsMax: 5, settleMsMax: 2_000 };

/** Chosen so that, together, they kill the leader and an agent, cut a server off, kill NATS, roll and delete. */
const seeds = [18, 34, 30];

const logger = createLogger('e2e-chaos-test', { level: 'warn' });

describe('property-based convergence on a real local cluster', () => {
  it('the chosen seeds cover every fault and the changes that matter', () => {
    const kinds = new Set(seeds.flatMap((seed) => planForSeed(seed, limits).map((step) => step.action.kind)));
    for (const kind of ['kill-leader-server', 'kill-agent', 'isolate-server', 'restart-nats', 'roll-deployment', 'scale-deployment', 'delete-deployment', 'apply-service'] as const) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it(`seeds ${seeds.join(', ')}: everything converges after the heal`, async () => {
    const lines: string[] = [];
    const summary = await runE2eSeeds({
      seeds,
      limits,
      convergenceDeadlineMs: 60_000,
      // A failure shrinks with two more real runs (each on a fresh cluster): enough to drop a step or two, bounded in time.
      shrinkRunsMax: 2,
      startCluster: () => startLocalE2eCluster({ servers: 3, agents: 2, healthyTimeoutMs: 120_000, logger }),
      logger,
      print: (text) => lines.push(text),
    });
    expect(summary.failed, lines.join('\n')).toBe(0);
    // One cluster served every seed: the namespace reset worked each time.
    expect(summary.clustersStarted).toBe(1);
  }, 420_000);
});
