import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareForDeletion, countReplicas, evictionTimeMs, lifecycleTaints, nodeHealth, planDeployment, planReplicaSet, resolveFenceposts, templateHash,
  type DeploymentView, type ReplicaSetView,
} from '../../control-plane/controllers/index.ts';
import { ObjectCache, WorkQueue, retryDelayMs } from '../../control-plane/controller-runtime/index.ts';
import { realTimers } from '../../common/index.ts';
import { taintsOf } from '../../control-plane/scheduler/index.ts';

const podView = (name: string, extra: Partial<{ nodeName: string; phase: string; ready: boolean; creationMs: number }> = {}) => ({ name, nodeName: 'n', phase: 'Running', ready: true, creationMs: 0, ...extra });

describe('ReplicaSet plan', () => {
  it('deletes the least valuable pods first', () => {
    const pods = [podView('ready-old'), podView('unscheduled', { nodeName: '' }), podView('pending', { phase: 'Pending', ready: false }), podView('ready-new', { creationMs: 5 })];
    expect(planReplicaSet(1, pods, 100).deleteNames).toEqual(['unscheduled', 'pending', 'ready-new']);
    expect([...pods].sort(compareForDeletion)[3]?.name).toBe('ready-old');
  });

  it('never plans more than replicas pods nor more than the burst (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 100 }), (replicas, existing, burst) => {
      const plan = planReplicaSet(replicas, Array.from({ length: existing }, (_, index) => podView(`p${index}`)), burst);
      const after = existing + plan.create - plan.deleteNames.length;
      expect(plan.create + plan.deleteNames.length).toBeLessThanOrEqual(burst);
      if (existing <= replicas) expect(after).toBeLessThanOrEqual(replicas);
      else expect(after).toBeGreaterThanOrEqual(replicas);
    }));
  });

  it('counts availability after minReadySeconds and says when to look again', () => {
    const counts = countReplicas([{ readySinceMs: 0 }, { readySinceMs: 9_000 }, { readySinceMs: undefined }], 5, 10_000);
    expect(counts).toEqual({ replicas: 3, readyReplicas: 2, availableReplicas: 1, nextAvailableInMs: 4_000 });
  });
});

function set(name: string, replicas: number, available: number, revision: number): ReplicaSetView & { name: string } {
  return { name, replicas, currentReplicas: replicas, readyReplicas: available, availableReplicas: available, podCount: replicas, revision, creationMs: revision };
}

describe('Deployment plan', () => {
  const view = (replicas: number, maxSurge: unknown, maxUnavailable: unknown): DeploymentView => ({ replicas, strategy: 'RollingUpdate', ...resolveFenceposts(maxSurge, maxUnavailable, replicas), paused: false, revisionHistoryLimit: 2 });

  it('resolves percentages as Kubernetes does', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveFenceposts(0, 0, 10)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('creates the new ReplicaSet up to the surge, then scales the old one down', () => {
    const old = set('old', 4, 4, 1);
    expect(planDeployment(view(4, 1, 1), undefined, [old])).toEqual([{ type: 'createReplicaSet', replicas: 1, revision: 2 }]);
    expect(planDeployment(view(4, 1, 1), set('new', 1, 0, 2), [old])).toEqual([{ type: 'scaleReplicaSet', name: 'old', from: 4, to: 3 }]);
    expect(planDeployment({ ...view(4, 1, 1), strategy: 'Recreate' }, undefined, [old])).toEqual([{ type: 'scaleReplicaSet', name: 'old', from: 4, to: 0 }]);
  });

  it('keeps history to the limit and renumbers a rolled-back set', () => {
    const complete = set('new', 2, 2, 5);
    const idle = [1, 2, 3, 4].map((revision) => ({ ...set(`r${revision}`, 0, 0, revision), podCount: 0 }));
    expect(planDeployment(view(2, 1, 0), complete, idle)).toEqual([{ type: 'deleteReplicaSet', name: 'r1' }, { type: 'deleteReplicaSet', name: 'r2' }]);
    expect(planDeployment(view(2, 1, 0), set('back', 0, 0, 1), [set('cur', 2, 2, 3)])).toEqual([{ type: 'setRevision', name: 'back', revision: 4 }]);
  });

  it('a rolling update never exceeds replicas + maxSurge nor drops below replicas - maxUnavailable (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (replicas, surge, unavailable) => {
      const deployment = view(replicas, surge, unavailable);
      let old = set('old', replicas, replicas, 1);
      let fresh: (ReplicaSetView & { name: string }) | undefined;
      for (let step = 0; step < 200; step++) {
        const actions = planDeployment(deployment, fresh, [old]);
        if (actions.length === 0) break;
        for (const action of actions) {
          if (action.type === 'createReplicaSet') fresh = set('new', action.replicas, 0, 2);
          else if (action.type === 'scaleReplicaSet' && action.name === 'old') old = set('old', action.to, Math.min(old.availableReplicas, action.to), 1);
          else if (action.type === 'scaleReplicaSet' && fresh !== undefined) fresh = set('new', action.to, fresh.availableReplicas, 2);
        }
        expect(old.replicas + (fresh?.replicas ?? 0)).toBeLessThanOrEqual(replicas + deployment.maxSurge);
        expect(old.availableReplicas + (fresh?.availableReplicas ?? 0)).toBeGreaterThanOrEqual(Math.min(replicas, replicas - deployment.maxUnavailable));
        // The new pods become available before the next step (the agents are fast).
        if (fresh !== undefined) fresh = set('new', fresh.replicas, fresh.replicas, 2);
      }
      expect(fresh?.replicas).toBe(replicas);
      expect(old.replicas).toBe(0);
    }));
  });

  it('hashes templates stably and as a valid label value', () => {
    expect(templateHash({ b: 1, a: [1, { c: 2 }] })).toBe(templateHash({ a: [1, { c: 2 }], b: 1 }));
    expect(templateHash({ a: 1 })).not.toBe(templateHash({ a: 2 }));
    expect(templateHash({ a: 1 })).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});

describe('node lifecycle decisions', () => {
  const readyNode = { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };

  it('a silent node is unreachable and tainted NoSchedule + NoExecute; a healthy one loses the taints', () => {
    expect(nodeHealth(readyNode, 0, 5_000, 4_000)).toBe('unreachable');
    expect(nodeHealth(readyNode, 2_000, 5_000, 4_000)).toBe('ready');
    const tainted = lifecycleTaints(readyNode, 'unreachable', 't');
    expect(tainted.map((taint) => `${String(taint['key'])}:${String(taint['effect'])}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(lifecycleTaints({ spec: { taints: tainted } }, 'ready', 't')).toEqual([]);
  });

  it('evicts after the toleration: default seconds, explicit seconds, never, or at once', () => {
    const taints = taintsOf({ spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }] } });
    const added = Date.parse('2024-01-01T00:00:00Z');
    expect(evictionTimeMs({ spec: {} }, taints, 2)).toBe(added + 2_000);
    expect(evictionTimeMs({ spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] } }, taints, 2)).toBe(added + 30_000);
    expect(evictionTimeMs({ spec: { tolerations: [{ operator: 'Exists' }] } }, taints, 2)).toBeUndefined();
    const custom = taintsOf({ spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    expect(evictionTimeMs({ spec: {} }, custom, 2)).toBe(0);
  });
});

describe('controller runtime', () => {
  it('the cache ignores states older than what it holds and deleted keys', () => {
    const cache = new ObjectCache();
    const object = (version: number) => ({ metadata: { name: 'a', namespace: 'ns', resourceVersion: String(version) } });
    expect(cache.upsert(object(5))?.type).toBe('added');
    expect(cache.upsert(object(4))).toBeNull();
    expect(cache.remove(object(6), 6)?.type).toBe('deleted');
    expect(cache.upsert(object(5))).toBeNull();
    expect(cache.upsert(object(7))?.type).toBe('added');
  });

  it('the work queue merges duplicates and never hands one key to two workers', async () => {
    const queue = new WorkQueue(realTimers, () => Date.now(), { keysMax: 10, retriesMax: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 4 });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(2);
    expect(await queue.next()).toBe('a');
    queue.add('a');
    expect(await queue.next()).toBe('b');
    expect(queue.length).toBe(0);
    queue.done('a');
    expect(await queue.next()).toBe('a');
    expect(queue.retry('a')).toBe(true);
    expect(queue.retry('a')).toBe(true);
    expect(queue.retry('a')).toBe(false);
    expect(retryDelayMs(5, 10, 100)).toBe(100);
    queue.shutdown();
    expect(await queue.next()).toBeNull();
  });
});
