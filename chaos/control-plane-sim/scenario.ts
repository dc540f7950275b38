import fc from 'fast-check';
import type { StoreFaultMode } from './store-faults.ts';
import { deploymentNames, imageTags, jobNames, serviceNames, serviceTargets, statefulSetNames } from './workloads.ts';

/**
 * One step of a run: an operator's change (what `kubectl apply/scale/set image/delete` would do)
 * or a fault. Objects are named by slot (see workloads.ts) and nodes by index, so a shrunk list
 * still means something.
 */
export type SimAction =
  | { readonly kind: 'apply-deployment'; readonly slot: number; readonly replicas: number; readonly image: number }
  | { readonly kind: 'scale-deployment'; readonly slot: number; readonly replicas: number }
  | { readonly kind: 'roll-deployment'; readonly slot: number; readonly image: number }
  | { readonly kind: 'delete-deployment'; readonly slot: number; readonly propagation: 'Background' | 'Foreground' }
  | { readonly kind: 'apply-stateful-set'; readonly slot: number; readonly replicas: number; readonly image: number }
  | { readonly kind: 'scale-stateful-set'; readonly slot: number; readonly replicas: number }
  | { readonly kind: 'delete-stateful-set'; readonly slot: number }
  | { readonly kind: 'apply-daemon-set'; readonly image: number }
  | { readonly kind: 'delete-daemon-set' }
  | { readonly kind: 'apply-service'; readonly slot: number; readonly target: number }
  | { readonly kind: 'delete-service'; readonly slot: number }
  | { readonly kind: 'run-job'; readonly slot: number; readonly completions: number; readonly parallelism: number }
  | { readonly kind: 'delete-job'; readonly slot: number }
  | { readonly kind: 'kill-node'; readonly node: number }
  | { readonly kind: 'revive-node'; readonly node: number }
  | { readonly kind: 'change-leader'; readonly gapMs: number }
  | { readonly kind: 'overlap-leaders'; readonly overlapMs: number; readonly lateWriteMs: number }
  | { readonly kind: 'store-fault'; readonly mode: StoreFaultMode; readonly percent: number; readonly latencyMs: number; readonly durationMs: number }
  | { readonly kind: 'cut-watches' }
  | { readonly kind: 'compact-store' };

export type SimActionKind = SimAction['kind'];

export interface TimedAction {
  /** Virtual milliseconds after the previous action. */
  readonly afterMs: number;
  readonly action: SimAction;
}

/** Bounds of a generated scenario. */
export const ScenarioLimits = {
  actionsMin: 3,
  actionsMax: 14,
  gapBetweenActionsMaxMs: 8_000,
  replicasMax: 4,
  nodes: 4,
} as const;

function slotOf(names: readonly string[]): fc.Arbitrary<number> {
  return fc.nat(names.length - 1);
}

const image = fc.nat(imageTags.length - 1);
const replicas = fc.integer({ min: 0, max: ScenarioLimits.replicasMax });

/** Operator changes: the declared state the control plane must reach. */
function workloadActionArbitrary(): fc.Arbitrary<SimAction> {
  const deployment = slotOf(deploymentNames);
  const statefulSet = slotOf(statefulSetNames);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('apply-deployment' as const), slot: deployment, replicas, image }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('scale-deployment' as const), slot: deployment, replicas }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('roll-deployment' as const), slot: deployment, image }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-deployment' as const), slot: deployment, propagation: fc.constantFrom('Background' as const, 'Foreground' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('apply-stateful-set' as const), slot: statefulSet, replicas, image }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('scale-stateful-set' as const), slot: statefulSet, replicas }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-stateful-set' as const), slot: statefulSet }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('apply-daemon-set' as const), image }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-daemon-set' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('apply-service' as const), slot: slotOf(serviceNames), target: slotOf(serviceTargets) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-service' as const), slot: slotOf(serviceNames) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('run-job' as const), slot: slotOf(jobNames), completions: fc.integer({ min: 1, max: 2 }), parallelism: fc.integer({ min: 1, max: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-job' as const), slot: slotOf(jobNames) }) },
  );
}

/** Faults: nodes, leadership, the store and its watch streams. */
function faultActionArbitrary(): fc.Arbitrary<SimAction> {
  const node = fc.nat(ScenarioLimits.nodes - 1);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('kill-node' as const), node }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('revive-node' as const), node }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('change-leader' as const), gapMs: fc.integer({ min: 0, max: 4_000 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('overlap-leaders' as const), overlapMs: fc.integer({ min: 100, max: 5_000 }), lateWriteMs: fc.integer({ min: 50, max: 2_000 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('store-fault' as const),
        mode: fc.constantFrom<StoreFaultMode>('write-errors', 'lost-write-answers', 'read-errors', 'latency'),
        percent: fc.integer({ min: 10, max: 100 }),
        latencyMs: fc.integer({ min: 5, max: 500 }),
        durationMs: fc.integer({ min: 500, max: 10_000 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut-watches' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact-store' as const) }) },
  );
}

export function timedActionArbitrary(): fc.Arbitrary<TimedAction> {
  return fc.record({
    afterMs: fc.integer({ min: 0, max: ScenarioLimits.gapBetweenActionsMaxMs }),
    action: fc.oneof({ weight: 3, arbitrary: workloadActionArbitrary() }, { weight: 2, arbitrary: faultActionArbitrary() }),
  });
}

/** A run's action list; fast-check shrinks it (fewer actions, smaller numbers) when a run fails. */
export function scenarioArbitrary(): fc.Arbitrary<readonly TimedAction[]> {
  return fc.array(timedActionArbitrary(), { minLength: ScenarioLimits.actionsMin, maxLength: ScenarioLimits.actionsMax });
}

/** The action list a seed stands for (the same on every replay). */
export function scenarioForSeed(seed: number): readonly TimedAction[] {
  const [actions] = fc.sample(scenarioArbitrary(), { seed, numRuns: 1 });
  return actions ?? [];
}

/** One line per action, for summaries and shrunk failures. */
export function describeAction(action: SimAction): string {
  const { kind, ...fields } = action;
  const details = Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`).join(' ');
  return details === '' ? kind : `${kind} ${details}`;
}
