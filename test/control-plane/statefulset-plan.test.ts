import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planStatefulSet, revisionForOrdinal, type StatefulPodView, type StatefulSetAction, type StatefulSetView } from '../../control-plane/controllers/stateful-set-plan.ts';
import { statefulSetCounts } from '../../control-plane/controllers/stateful-set-status.ts';
import { ordinalOf, persistentVolumeClaimName, statefulSetPodName } from '../../control-plane/controllers/stateful-set-identity.ts';
import { claimsForOrdinal, statefulSetPod } from '../../control-plane/controllers/stateful-set-pod.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

const set = (extra: Partial<StatefulSetView> = {}): StatefulSetView => ({
  replicas: 3, startOrdinal: 0, podManagementPolicy: 'OrderedReady', updateStrategy: 'RollingUpdate', partition: 0, currentRevision: 'web-old', updateRevision: 'web-new', ...extra,
});

/** A pod of ordinal `ordinal`, running and ready at the update revision unless told otherwise. */
const pod = (ordinal: number, extra: Partial<StatefulPodView> = {}): StatefulPodView => ({
  name: `web-${ordinal}`, ordinal, revision: 'web-new', phase: 'Running', runningAndReady: true, available: true, terminating: false, ...extra,
});
const notReady = { phase: 'Pending', runningAndReady: false, available: false } as const;

const creates = (actions: readonly StatefulSetAction[]) => actions.flatMap((action) => (action.type === 'createPod' ? [action.ordinal] : []));
const deletes = (actions: readonly StatefulSetAction[]) => actions.flatMap((action) => (action.type === 'deletePod' ? [`${action.name}:${action.reason}`] : []));

describe('StatefulSet identity', () => {
  it('names pods and claims after the set and the ordinal, and parses only exact ordinals back', () => {
    expect(statefulSetPodName('web', 2)).toBe('web-2');
    expect(persistentVolumeClaimName('data', 'web', 2)).toBe('data-web-2');
    expect(ordinalOf('web', 'web-0')).toBe(0);
    expect(ordinalOf('web', 'web-12')).toBe(12);
    for (const name of ['web-01', 'web-', 'web-x', 'webapp-1', 'web-1-0', 'other-1', 'web-99999999999']) expect(ordinalOf('web', name)).toBe(-1);
    expect(ordinalOf('my-db', 'my-db-3')).toBe(3);
  });
});

describe('StatefulSet plan: OrderedReady', () => {
  it('creates ordinal 0 first, and the next one only when the previous is running, ready and available', () => {
    expect(planStatefulSet(set(), [], 10)).toEqual([{ type: 'createPod', ordinal: 0, revision: 'web-new' }]);
    expect(planStatefulSet(set(), [pod(0, notReady)], 10)).toEqual([]);
    expect(planStatefulSet(set(), [pod(0, { phase: 'Running', runningAndReady: true, available: false })], 10)).toEqual([]);
    expect(creates(planStatefulSet(set(), [pod(0)], 10))).toEqual([1]);
    expect(creates(planStatefulSet(set(), [pod(0), pod(1)], 10))).toEqual([2]);
    expect(planStatefulSet(set(), [pod(0), pod(1), pod(2)], 10)).toEqual([]);
  });

  it('fills a gap in the ordinals before anything else', () => {
    expect(creates(planStatefulSet(set(), [pod(0), pod(2)], 10))).toEqual([1]);
  });

  it('waits for a terminating pod to be gone instead of re-creating its ordinal', () => {
    expect(planStatefulSet(set(), [pod(0), pod(1, { terminating: true }), pod(2)], 10)).toEqual([]);
  });

  it('deletes a failed or succeeded pod, and re-creates it only in a later plan (once the object is gone)', () => {
    const failed = planStatefulSet(set(), [pod(0), pod(1, { phase: 'Failed', runningAndReady: false, available: false }), pod(2)], 10);
    expect(failed).toEqual([{ type: 'deletePod', name: 'web-1', ordinal: 1, reason: 'finished' }]);
    expect(deletes(planStatefulSet(set(), [pod(0, { phase: 'Succeeded', runningAndReady: false, available: false })], 10))).toEqual(['web-0:finished']);
    expect(creates(planStatefulSet(set(), [pod(0), pod(2)], 10))).toEqual([1]);
  });

  it('scales down from the highest ordinal, one at a time, each after the previous is gone', () => {
    const five = [0, 1, 2, 3, 4].map((ordinal) => pod(ordinal));
    expect(deletes(planStatefulSet(set(), five, 10))).toEqual(['web-4:scaleDown']);
    expect(planStatefulSet(set(), [...five.slice(0, 4), pod(4, { terminating: true })], 10)).toEqual([]);
    expect(deletes(planStatefulSet(set(), five.slice(0, 4), 10))).toEqual(['web-3:scaleDown']);
  });

  it('does not scale down while a predecessor is unhealthy, unless the target is the first unhealthy pod', () => {
    const withUnreadyReplica = [pod(0), pod(1, notReady), pod(2), pod(3), pod(4)];
    expect(planStatefulSet(set(), withUnreadyReplica, 10)).toEqual([]);
    expect(planStatefulSet(set(), [pod(0), pod(1), pod(2), pod(3, notReady), pod(4, notReady)], 10)).toEqual([]);
    expect(deletes(planStatefulSet(set(), [pod(0), pod(1), pod(2), pod(3, notReady), pod(4)], 10))).toEqual(['web-4:scaleDown']);
    expect(deletes(planStatefulSet(set(), [pod(0), pod(1), pod(2), pod(3, notReady)], 10))).toEqual(['web-3:scaleDown']);
  });

  it('scales to zero from the top', () => {
    expect(deletes(planStatefulSet(set({ replicas: 0 }), [pod(0), pod(1)], 10))).toEqual(['web-1:scaleDown']);
  });
});

describe('StatefulSet plan: Parallel', () => {
  it('creates every missing ordinal at once, within the action bound', () => {
    expect(creates(planStatefulSet(set({ podManagementPolicy: 'Parallel' }), [], 10))).toEqual([0, 1, 2]);
    expect(creates(planStatefulSet(set({ podManagementPolicy: 'Parallel', replicas: 5 }), [], 2))).toEqual([0, 1]);
  });

  it('creates around a terminating pod but never its ordinal', () => {
    const actions = planStatefulSet(set({ podManagementPolicy: 'Parallel' }), [pod(1, { terminating: true })], 10);
    expect(creates(actions)).toEqual([0, 2]);
  });

  it('deletes every condemned pod at once, skipping terminating ones', () => {
    const pods = [0, 1, 2, 3, 4, 5].map((ordinal) => pod(ordinal, ordinal === 4 ? { terminating: true } : notReady));
    expect(deletes(planStatefulSet(set({ podManagementPolicy: 'Parallel' }), pods, 10))).toEqual(['web-5:scaleDown', 'web-3:scaleDown']);
  });
});

describe('StatefulSet plan: updates', () => {
  const old = { revision: 'web-old' } as const;

  it('RollingUpdate replaces the highest ordinal first and waits for each replacement to be healthy', () => {
    expect(deletes(planStatefulSet(set(), [pod(0, old), pod(1, old), pod(2, old)], 10))).toEqual(['web-2:update']);
    expect(planStatefulSet(set(), [pod(0, old), pod(1, old), pod(2, { ...old, terminating: true })], 10)).toEqual([]);
    expect(creates(planStatefulSet(set(), [pod(0, old), pod(1, old)], 10))).toEqual([2]);
    expect(planStatefulSet(set(), [pod(0, old), pod(1, old), pod(2, notReady)], 10)).toEqual([]);
    expect(deletes(planStatefulSet(set(), [pod(0, old), pod(1, old), pod(2)], 10))).toEqual(['web-1:update']);
  });

  it('a Parallel set also updates one pod at a time', () => {
    expect(deletes(planStatefulSet(set({ podManagementPolicy: 'Parallel' }), [pod(0, old), pod(1, old), pod(2, old)], 10))).toEqual(['web-2:update']);
  });

  it('partition keeps the pods below it at the current revision, also when they are re-created', () => {
    const partitioned = set({ partition: 2 });
    expect(deletes(planStatefulSet(partitioned, [pod(0, old), pod(1, old), pod(2, old)], 10))).toEqual(['web-2:update']);
    expect(planStatefulSet(partitioned, [pod(0, old), pod(1, old), pod(2)], 10)).toEqual([]);
    expect(planStatefulSet(partitioned, [pod(1, old), pod(2)], 10)).toEqual([{ type: 'createPod', ordinal: 0, revision: 'web-old' }]);
    expect(revisionForOrdinal(partitioned, 1)).toBe('web-old');
    expect(revisionForOrdinal(partitioned, 2)).toBe('web-new');
    expect(revisionForOrdinal(set({ partition: 2, updateStrategy: 'OnDelete' }), 0)).toBe('web-new');
  });

  it('OnDelete never deletes for an update; a deleted pod comes back at the update revision', () => {
    const onDelete = set({ updateStrategy: 'OnDelete' });
    expect(planStatefulSet(onDelete, [pod(0, old), pod(1, old), pod(2, old)], 10)).toEqual([]);
    expect(planStatefulSet(onDelete, [pod(0, old), pod(2, old)], 10)).toEqual([{ type: 'createPod', ordinal: 1, revision: 'web-new' }]);
  });
});

describe('StatefulSet plan: ordinals', () => {
  it('starts at spec.ordinals.start; pods outside the range are condemned; foreign names are ignored', () => {
    const shifted = set({ startOrdinal: 5, replicas: 2 });
    expect(creates(planStatefulSet(shifted, [], 10))).toEqual([5]);
    expect(deletes(planStatefulSet(shifted, [pod(5), pod(6), pod(0)], 10))).toEqual(['web-0:scaleDown']);
    expect(planStatefulSet(set({ replicas: 1 }), [pod(0), { ...pod(0), name: 'web-extra', ordinal: -1 }], 10)).toEqual([]);
  });
});

/** Random pods with distinct ordinals (a pod's name is its ordinal, so the store holds at most one each). */
const podsArbitrary = fc.uniqueArray(fc.record({
  ordinal: fc.integer({ min: 0, max: 8 }),
  revision: fc.constantFrom('web-old', 'web-new'),
  phase: fc.constantFrom('Pending', 'Running', 'Failed', 'Succeeded'),
  ready: fc.boolean(),
  availableToo: fc.boolean(),
  terminating: fc.boolean(),
}), { selector: (item) => item.ordinal, maxLength: 9 }).map((items) => items.map((item): StatefulPodView => {
  const runningAndReady = item.phase === 'Running' && item.ready;
  return { name: `web-${item.ordinal}`, ordinal: item.ordinal, revision: item.revision, phase: item.phase, runningAndReady, available: runningAndReady && item.availableToo, terminating: item.terminating };
}));

const setArbitrary = fc.record({
  replicas: fc.integer({ min: 0, max: 8 }),
  startOrdinal: fc.integer({ min: 0, max: 2 }),
  podManagementPolicy: fc.constantFrom('OrderedReady' as const, 'Parallel' as const),
  updateStrategy: fc.constantFrom('RollingUpdate' as const, 'OnDelete' as const),
  partition: fc.integer({ min: 0, max: 9 }),
}).map((fields): StatefulSetView => ({ ...fields, currentRevision: 'web-old', updateRevision: 'web-new' }));

describe('StatefulSet plan properties', () => {
  it('no plan ever yields two pods with one ordinal, touches an ordinal twice, or deletes a terminating pod', () => {
    fc.assert(fc.property(setArbitrary, podsArbitrary, fc.integer({ min: 1, max: 10 }), (view, pods, actionsMax) => {
      const actions = planStatefulSet(view, pods, actionsMax);
      const taken = new Set(pods.filter((item) => item.ordinal >= 0).map((item) => item.ordinal));
      expect(actions.length).toBeLessThanOrEqual(actionsMax);
      if (view.podManagementPolicy === 'OrderedReady') expect(actions.length).toBeLessThanOrEqual(1);
      const touched = actions.map((action) => action.ordinal);
      expect(new Set(touched).size).toBe(touched.length);
      for (const action of actions) {
        if (action.type === 'createPod') {
          expect(taken.has(action.ordinal)).toBe(false);
          expect(action.ordinal).toBeGreaterThanOrEqual(view.startOrdinal);
          expect(action.ordinal).toBeLessThan(view.startOrdinal + view.replicas);
        } else {
          expect(pods.find((item) => item.name === action.name)?.terminating).toBe(false);
        }
      }
    }), { numRuns: 2000 });
  });

  it('a simulated cluster converges, never holds two pods of one ordinal, and OrderedReady creates only after every predecessor is ready', () => {
    fc.assert(fc.property(setArbitrary, fc.integer({ min: 0, max: 6 }), fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }), (view, initial, coins) => {
      const target = { ...view, partition: Math.min(view.partition, view.replicas) };
      // The world as a list (not a map): a double creation would show up as two entries.
      let world: StatefulPodView[] = Array.from({ length: initial }, (_, ordinal) => pod(ordinal, { revision: 'web-old' }));
      let coin = 0;
      const flip = () => coins[coin++ % coins.length] === true;
      for (let step = 0; step < 150; step++) {
        const actions = planStatefulSet(target, world, 5);
        for (const action of actions) {
          if (action.type === 'createPod') {
            if (target.podManagementPolicy === 'OrderedReady') {
              for (let ordinal = target.startOrdinal; ordinal < action.ordinal; ordinal++) expect(world.find((item) => item.ordinal === ordinal)?.runningAndReady).toBe(true);
            }
            world.push({ ...pod(action.ordinal, notReady), revision: action.revision });
          } else {
            world = world.map((item) => (item.name === action.name ? { ...item, terminating: true } : item));
          }
        }
        // The agents: terminating pods go away and pending pods become ready, each on some steps only.
        world = world.filter((item) => !(item.terminating && flip())).map((item) => (!item.runningAndReady && !item.terminating && flip() ? { ...item, phase: 'Running', runningAndReady: true, available: true } : item));
        const ordinals = world.map((item) => item.ordinal);
        expect(new Set(ordinals).size).toBe(ordinals.length);
      }
      // Settle: every pod ready, nothing terminating, then the plan must have nothing left to do.
      for (let step = 0; step < 100 && planStatefulSet(target, world, 5).length > 0; step++) {
        for (const action of planStatefulSet(target, world, 5)) {
          if (action.type === 'createPod') world.push({ ...pod(action.ordinal), revision: action.revision });
          else world = world.filter((item) => item.name !== action.name);
        }
      }
      expect(planStatefulSet(target, world, 5)).toEqual([]);
      expect(world.map((item) => item.ordinal).sort((left, right) => left - right)).toEqual(Array.from({ length: target.replicas }, (_, index) => target.startOrdinal + index));
      if (target.updateStrategy === 'RollingUpdate') {
        for (const item of world) expect(item.revision).toBe(item.ordinal - target.startOrdinal >= target.partition ? 'web-new' : 'web-old');
      }
    }), { numRuns: 300 });
  });
});

describe('StatefulSet status', () => {
  it('counts replicas, ready, available, current and updated pods; terminating pods are neither current nor updated', () => {
    const counts = statefulSetCounts(set(), [pod(0, { revision: 'web-old' }), pod(1, { available: false }), pod(2, { ...notReady, terminating: true })]);
    expect(counts).toEqual({ replicas: 3, readyReplicas: 2, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1, currentRevision: 'web-old', updateRevision: 'web-new' });
  });

  it('a finished RollingUpdate makes the update revision current; OnDelete never does', () => {
    const done = [pod(0), pod(1), pod(2)];
    expect(statefulSetCounts(set(), done)).toMatchObject({ currentReplicas: 3, updatedReplicas: 3, currentRevision: 'web-new' });
    expect(statefulSetCounts(set({ updateStrategy: 'OnDelete' }), done)).toMatchObject({ currentReplicas: 0, currentRevision: 'web-old' });
    expect(statefulSetCounts(set(), [pod(0), pod(1), pod(2, notReady)])).toMatchObject({ currentRevision: 'web-old' });
  });
});

describe('StatefulSet pods and claims', () => {
  const statefulSet: JsonObject = {
    metadata: { name: 'db', namespace: 'prod', uid: 'u1' },
    spec: {
      serviceName: 'db-headless',
      selector: { matchLabels: { app: 'db' } },
      volumeClaimTemplates: [
        { metadata: { name: 'data', labels: { tier: 'storage' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
        { metadata: {}, spec: {} },
      ],
    },
  };
  const template: JsonObject = {
    metadata: { labels: { app: 'db' }, annotations: { note: 'x' } },
    spec: { containers: [{ name: 'main', image: 'postgres:16' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'config', configMap: { name: 'db' } }] },
  };

  it('a pod has its stable name, hostname, subdomain, identity labels, revision and claim volumes', () => {
    const made = statefulSetPod(statefulSet, template, 2, 'db-abc', { kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true });
    expect(made['metadata']).toEqual({
      name: 'db-2', namespace: 'prod',
      labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'db-abc' },
      annotations: { note: 'x' },
      ownerReferences: [{ kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true }],
    });
    const spec = made['spec'] as JsonObject;
    expect(spec['hostname']).toBe('db-2');
    expect(spec['subdomain']).toBe('db-headless');
    expect(spec['volumes']).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } }, { name: 'config', configMap: { name: 'db' } }]);
    // The template is not changed.
    expect((template['spec'] as JsonObject)['hostname']).toBeUndefined();
  });

  it('claims are named <template>-<set>-<ordinal> and carry the selector labels; nameless templates are skipped', () => {
    const claims = claimsForOrdinal(statefulSet, 1);
    expect(claims).toHaveLength(1);
    expect(claims[0]?.['metadata']).toEqual({ name: 'data-db-1', namespace: 'prod', labels: { tier: 'storage', app: 'db' } });
    expect(claims[0]?.['spec']).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  });
});
