import { describe, expect, it } from 'vitest';
import {
  ApiClient, createInProcessContext, defaultControllerFactories, deploymentControllerFactory, replicaSetControllerFactory,
  type ControllerFactory, type DeletePreconditions, type JsonObject, type ObjectStore, type ResourceDefinition, type UpdateResult,
} from '../../control-plane/index.ts';
import { runControlPlaneSimCommand, runControlPlaneSimulation, type ControlPlaneSimResult, type TimedAction } from '../../chaos/control-plane-sim/index.ts';

/**
 * The simulator bites: with a rule broken on purpose (through a wrapper, production code
 * untouched) runs fail, and they fail with the property the broken rule is about.
 */

/** A client whose pod deletes silently do nothing (and answer "already gone"). */
class PodDeletesIgnored extends ApiClient {
  override delete(definition: ResourceDefinition, namespace: string | undefined, name: string, preconditions?: DeletePreconditions): Promise<JsonObject | null> {
    if (definition.kind === 'Pod') return Promise.resolve(null);
    return super.delete(definition, namespace, name, preconditions);
  }
}

/** The real ReplicaSet controller, except that its pod deletes never happen: it can scale up but not down. */
const replicaSetSkippingDeletes: ControllerFactory = (context) => replicaSetControllerFactory({ ...context, client: new PodDeletesIgnored(context.client.context) });

function withoutReplicaSetDeletes(): ControllerFactory[] {
  return defaultControllerFactories().map((factory) => (factory === replicaSetControllerFactory ? replicaSetSkippingDeletes : factory));
}

/** A store client that "resolves" a lost compare-and-swap by writing its stale value again over the newer one. */
function overwritingOnConflict(inner: ObjectStore): ObjectStore {
  return {
    currentRevision: () => inner.currentRevision(),
    get: (key, options) => inner.get(key, options),
    list: (prefix, options) => inner.list(prefix, options),
    watch: (prefix, options) => inner.watch(prefix, options),
    create: (key, value) => inner.create(key, value),
    delete: (key, expectedModRevision) => inner.delete(key, expectedModRevision),
    async update(key, value, expectedModRevision): Promise<UpdateResult> {
      let result = await inner.update(key, value, expectedModRevision);
      for (let attempt = 0; attempt < 3 && !result.ok && result.reason === 'conflict' && result.current !== null; attempt++) result = await inner.update(key, value, result.current.modRevision);
      return result;
    },
  };
}

/** The real Deployment controller writing through that client: its compare-and-swap no longer protects anything. */
const deploymentOverwritingOnConflict: ControllerFactory = (context) => {
  const api = context.client.context;
  const client = new ApiClient(createInProcessContext({ store: overwritingOnConflict(api.store), env: api.env, logger: api.logger, registry: api.registry }));
  return deploymentControllerFactory({ ...context, client });
};

function withOverwritingDeployments(): ControllerFactory[] {
  return defaultControllerFactories().map((factory) => (factory === deploymentControllerFactory ? deploymentOverwritingOnConflict : factory));
}

function propertiesOf(result: ControlPlaneSimResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.property))];
}

describe('the control-plane simulation bites', () => {
  it('a ReplicaSet controller that skips deletes leaves a scaled-down Deployment with too many pods', async () => {
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 3, image: 0 } },
      { afterMs: 8_000, action: { kind: 'scale-deployment', slot: 0, replicas: 1 } },
    ];
    const broken = await runControlPlaneSimulation({ seed: 1, actions, factories: withoutReplicaSetDeletes });
    expect(propertiesOf(broken)).toEqual(['deployment-converged']);
    expect(broken.violations[0]?.message).toContain('Deployment default/web: 3 active pods, 1 declared');
    const intact = await runControlPlaneSimulation({ seed: 1, actions });
    expect(intact.violations).toEqual([]);
  });

  it('random seeds find it too, and fast-check shrinks the failing action list', async () => {
    // Seeds 1..12 with the broken controller: some scale down or roll out, and fail.
    const failing: ControlPlaneSimResult[] = [];
    for (let seed = 1; seed <= 12 && failing.length === 0; seed++) {
      const result = await runControlPlaneSimulation({ seed, factories: withoutReplicaSetDeletes });
      if (!result.passed) failing.push(result);
    }
    const [first] = failing;
    expect(first).toBeDefined();
    if (first === undefined) return;
    expect(propertiesOf(first)).toContain('deployment-converged');
    const replay = await runControlPlaneSimulation({ seed: first.seed, factories: withoutReplicaSetDeletes });
    expect(replay.traceHash).toBe(first.traceHash);
    // The command reports it with its seed, the replay command and the action list shrunk by fast-check.
    const lines: string[] = [];
    const exitCode = await runControlPlaneSimCommand({ seeds: 1, seedStart: first.seed, verbose: false, variant: { factories: withoutReplicaSetDeletes } }, (line) => lines.push(line));
    expect(exitCode).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^FAILED seed ${first.seed}: deployment-converged: `));
    expect(lines[1]).toBe(`  replay: npx flotilla sim control-plane --seed ${first.seed}`);
    const shrunkHeader = /^ {2}actions shrunk by fast-check \((\d+) shrinks, (\d+) runs\) from (\d+) to (\d+), still failing (.*):$/.exec(lines[2] ?? '');
    expect(shrunkHeader).not.toBeNull();
    expect(Number(shrunkHeader?.[4])).toBeLessThanOrEqual(Number(shrunkHeader?.[3]));
    expect(shrunkHeader?.[5]).toContain('deployment-converged');
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
  }, 180_000);

  it('without the compare-and-swap, a deposed leader\'s late write reverts the operator\'s rollout', async () => {
    // The old leader writes the Deployment (revision annotation) after the first rollout; its write
    // is held back 1.5 s, and the operator's second rollout lands in between.
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 2, image: 0 } },
      { afterMs: 6_000, action: { kind: 'overlap-leaders', overlapMs: 5_000, lateWriteMs: 1_500 } },
      { afterMs: 0, action: { kind: 'roll-deployment', slot: 0, image: 1 } },
      { afterMs: 2_000, action: { kind: 'roll-deployment', slot: 0, image: 2 } },
      { afterMs: 6_000, action: { kind: 'apply-service', slot: 1, target: 0 } },
    ];
    const broken = await runControlPlaneSimulation({ seed: 4, actions, factories: withOverwritingDeployments });
    expect(propertiesOf(broken)).toEqual(['declared-state-kept']);
    expect(broken.violations[0]?.message).toBe('Deployment default/web runs template image registry.local/web:v2, the operator declared registry.local/web:v3');
    const intact = await runControlPlaneSimulation({ seed: 4, actions });
    expect(intact.violations).toEqual([]);
    expect(intact.counters.lateWrites.refused).toBeGreaterThan(0);
  });

  it('a kubelet that confirms deletions but keeps the containers running breaks at-most-one per StatefulSet ordinal', async () => {
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-stateful-set', slot: 0, replicas: 2, image: 0 } },
      { afterMs: 10_000, action: { kind: 'scale-stateful-set', slot: 0, replicas: 1 } },
      { afterMs: 6_000, action: { kind: 'scale-stateful-set', slot: 0, replicas: 2 } },
    ];
    const broken = await runControlPlaneSimulation({ seed: 3, actions, deletionHandling: 'confirms-but-keeps-running' });
    expect(propertiesOf(broken)).toEqual(['stateful-set-at-most-one', 'nodes-run-what-the-api-says']);
    expect(broken.violations[0]?.message).toMatch(/pod default\/db-1 \(uid [0-9a-f-]+\) started on node-\d while another incarnation \(uid [0-9a-f-]+\) still runs on node-\d/);
    const intact = await runControlPlaneSimulation({ seed: 3, actions });
    expect(intact.violations).toEqual([]);
  });

  it('a node that comes back after its pods were evicted must stop them: the broken kubelet does not', async () => {
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 4, image: 0 } },
      { afterMs: 6_000, action: { kind: 'kill-node', node: 0 } },
      { afterMs: 15_000, action: { kind: 'revive-node', node: 0 } },
    ];
    const broken = await runControlPlaneSimulation({ seed: 5, actions, deletionHandling: 'confirms-but-keeps-running' });
    expect(propertiesOf(broken)).toEqual(['nodes-run-what-the-api-says']);
    expect(broken.violations[0]?.message).toMatch(/^live node node-0 still runs default\/web-[a-z0-9-]+ \(uid [0-9a-f-]+\): its pod is gone from the API$/);
    const intact = await runControlPlaneSimulation({ seed: 5, actions });
    expect(intact.violations).toEqual([]);
    expect(intact.trace.some((line) => /node node-0: stops default\/web-.* \(it was marked for deletion\)/.test(line))).toBe(true);
  });
});
