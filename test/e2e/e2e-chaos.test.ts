import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/index.ts';
import { defaultPlanLimits, planForSeed, runE2ePlan, runE2eSeeds, startLocalE2eCluster, waitForConvergence, type E2eClusterHandle, type PlanLimits } from '../../chaos/e2e/index.ts';

/**
 * Property-based convergence on real processes (issue 8): the local cluster `flotilla up` starts
 * (3 servers behind fault relays, one nats-server, 2 agents with proxies, the stable API address),
 * seeded lists of kubectl changes (apply, scale, set image, set env, patch args, delete) with
 * kill -9 of the leader and of agents, a server cut off, and nats-server killed; after the heal,
 * within a deadline, every Deployment runs its replicas Ready from the latest template on live
 * nodes, Endpoints and EndpointSlices list exactly the ready pods, no node runs a process the API
 * does not assign it, and every replica's store hashes the same. One cluster serves the seeds
 * (reset by deleting each run's namespace) and then the bites: damage done behind the runner's
 * back on the real cluster must be seen. `npm run chaos -- e2e --runs N` runs more seeds.
 */

/** Short lists, so three seeds take about a minute on two cores. */
const limits: PlanLimits = { ...defaultPlanLimits, stepsMin: 3, stepsMax: 5, settleMsMax: 2_000 };

/** Chosen so that, together, they kill the leader and an agent, cut a server off, kill NATS, scale, roll and delete. */
const seeds = [18, 34, 30];

const logger = createLogger('e2e-chaos-test', { level: 'warn' });

describe('property-based convergence on a real local cluster', () => {
  let shared: E2eClusterHandle | null = null;

  /** The seeds' batch would stop its cluster at its end; this one stays up for the bites, unless a run failed (its files are kept). */
  async function sharedCluster(): Promise<E2eClusterHandle> {
    const handle = (shared ??= await startLocalE2eCluster({ servers: 3, agents: 2, healthyTimeoutMs: 120_000, logger }));
    return {
      ...handle,
      stop: async (options) => {
        if (!options.keepFiles) return;
        shared = null;
        await handle.stop(options);
      },
    };
  }

  afterAll(async () => {
    await shared?.stop({ keepFiles: false });
  }, 60_000);

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
      startCluster: sharedCluster,
      logger,
      print: (text) => lines.push(text),
    });
    expect(summary.failed, lines.join('\n')).toBe(0);
    // One cluster served every seed: the namespace reset worked each time.
    expect(summary.clustersStarted).toBe(1);
  }, 420_000);

  it('bites on the real cluster: a stray process in a node\'s pods directory, and a change made behind the operator\'s back', async () => {
    const { cluster } = await sharedCluster();
    const namespace = 'e2e-bites';
    const template = { image: 0, color: 0, flavour: 0 };
    const run = await runE2ePlan({ cluster, steps: [{ action: { kind: 'apply-deployment', slot: 0, replicas: 1, template }, settleMs: 0 }], namespace, convergenceDeadlineMs: 60_000, logger });
    expect(run.violations).toEqual([]);
    const declared = run.declared;
    if (declared === null) throw new Error('no declared state');

    const node = cluster.agents[0];
    if (node === undefined) throw new Error('no agent');
    const strayDirectory = join(node.dataDir, 'pods', 'stray-uid', 'containers', 'web', 'root');
    await mkdir(strayDirectory, { recursive: true });
    const stray = spawn('sleep', ['60'], { cwd: strayDirectory, stdio: 'ignore' });
    try {
      const seen = await waitForConvergence(cluster, namespace, declared, 3_000, logger);
      expect(seen.converged).toBe(false);
      expect(seen.violations).toContainEqual({ property: 'no-orphan-process', message: expect.stringContaining(`pid ${stray.pid} of pod uid stray-uid`) });
    } finally {
      stray.kill('SIGKILL');
    }

    const scaled = await cluster.kubectl({ args: ['scale', '-n', namespace, 'deployment/alpha', '--replicas=2'], timeoutMs: 20_000 });
    expect(scaled.code, scaled.stderr).toBe(0);
    const reverted = await waitForConvergence(cluster, namespace, declared, 3_000, logger);
    expect(reverted.violations).toContainEqual({ property: 'declared-state-kept', message: expect.stringContaining('spec.replicas 2 instead of 1') });
  }, 120_000);
});
