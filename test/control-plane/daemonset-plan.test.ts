import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { daemonPodTolerations, nodeFit, pinnedToNode, targetNodeOf, withDaemonTolerations } from '../../control-plane/controllers/daemon-set-node-fit.ts';
import {
  manageDaemonSet, planDaemonSet, rollingBudget, rollingUpdateDaemonSet, type DaemonNodeView, type DaemonPodView, type DaemonSetView,
} from '../../control-plane/controllers/index.ts';
import { daemonSetPod } from '../../control-plane/controllers/daemon-set-pod.ts';
import { daemonSetCounts } from '../../control-plane/controllers/daemon-set-status.ts';
import { matchesRequiredNodeAffinity } from '../../control-plane/scheduler/index.ts';

const node = (name: string, extra: { labels?: Record<string, string>; taints?: JsonObject[] } = {}): JsonObject => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
  spec: extra.taints === undefined ? {} : { taints: extra.taints },
});

describe('which nodes a daemon belongs on', () => {
  const spec: JsonObject = { containers: [{ name: 'agent', image: 'x' }] };

  it('every node by default, also cordoned and not-ready-for-execution ones (the daemon tolerations)', () => {
    expect(nodeFit(spec, node('a'))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const cordoned = node('b', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
    expect(nodeFit(spec, cordoned)).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const unreachable = node('c', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    expect(nodeFit(spec, unreachable)).toEqual({ shouldRun: true, shouldContinueRunning: true });
  });

  it('an untolerated NoSchedule taint stops new pods but keeps a running one; NoExecute removes it', () => {
    expect(nodeFit(spec, node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: true });
    // The lifecycle controller's NoSchedule twin of unreachable is not among the daemon tolerations (as in Kubernetes).
    expect(nodeFit(spec, node('a', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(nodeFit(spec, node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const tolerant = { ...spec, tolerations: [{ key: 'dedicated', operator: 'Exists' }] };
    expect(nodeFit(tolerant, node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    expect(nodeFit(spec, node('a', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }))).toEqual({ shouldRun: true, shouldContinueRunning: true });
  });

  it('the node selector, required node affinity and spec.nodeName decide, and a mismatch removes running pods', () => {
    const selected = { ...spec, nodeSelector: { disk: 'ssd' } };
    expect(nodeFit(selected, node('a', { labels: { disk: 'ssd' } })).shouldRun).toBe(true);
    expect(nodeFit(selected, node('b'))).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const affine = { ...spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['attic'] }] }] } } } };
    expect(nodeFit(affine, node('a', { labels: { zone: 'attic' } })).shouldRun).toBe(true);
    expect(nodeFit(affine, node('a', { labels: { zone: 'cellar' } })).shouldRun).toBe(false);
    expect(nodeFit({ ...spec, nodeName: 'b' }, node('a'))).toEqual({ shouldRun: false, shouldContinueRunning: false });
    expect(nodeFit({ ...spec, nodeName: 'a' }, node('a')).shouldRun).toBe(true);
  });
});

describe('daemon pods', () => {
  it('get the daemon tolerations once, a toleration of the same identity replaced', () => {
    const tolerations = withDaemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'mine', operator: 'Exists' }] });
    expect(tolerations).toHaveLength(daemonPodTolerations.length + 1);
    expect(tolerations[0]).toEqual({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
    expect(withDaemonTolerations({ tolerations: withDaemonTolerations({}) })).toEqual(withDaemonTolerations({}));
    expect(withDaemonTolerations({ hostNetwork: true }).map((toleration) => toleration['key'])).toContain('node.kubernetes.io/network-unavailable');
  });

  it('are pinned to their node by a required matchFields affinity the scheduler honours; other affinity stays', () => {
    const affinity = pinnedToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] }, podAntiAffinity: {} }, 'n2');
    expect(affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] },
      podAntiAffinity: {},
    });
    const pod = { spec: { affinity } };
    expect(matchesRequiredNodeAffinity(pod, 'n2', {})).toBe(true);
    expect(matchesRequiredNodeAffinity(pod, 'n1', {})).toBe(false);
    expect(targetNodeOf(pod)).toBe('n2');
    expect(targetNodeOf({ spec: { nodeName: 'n3', affinity } })).toBe('n3');
    expect(targetNodeOf({ spec: {} })).toBe('');
  });

  it('are made from the template with the hash label, generateName and the set as controller', () => {
    const set: JsonObject = { metadata: { name: 'logs', namespace: 'kube-system', uid: 'u' } };
    const pod = daemonSetPod(set, { metadata: { labels: { app: 'logs' } }, spec: { containers: [] } }, 'n1', 'h4sh', { kind: 'DaemonSet', name: 'logs', uid: 'u', controller: true });
    expect(pod['metadata']).toEqual({ generateName: 'logs-', namespace: 'kube-system', labels: { app: 'logs', 'controller-revision-hash': 'h4sh' }, ownerReferences: [{ kind: 'DaemonSet', name: 'logs', uid: 'u', controller: true }] });
    expect(targetNodeOf(pod)).toBe('n1');
    expect((pod['spec'] as JsonObject)['nodeName']).toBeUndefined();
  });
});

const rolling = (maxUnavailable: unknown = 1, maxSurge: unknown = 0): DaemonSetView => ({ strategy: 'RollingUpdate', maxSurge, maxUnavailable, nodesInFailedBackoff: new Set() });
const fits = (...names: string[]): DaemonNodeView[] => names.map((name) => ({ name, shouldRun: true, shouldContinueRunning: true }));
let created = 0;
const daemon = (node: string, extra: Partial<DaemonPodView> = {}): DaemonPodView => ({
  name: `ds-${node}-${created++}`, node, updated: true, phase: 'Running', scheduled: true, ready: true, available: true, terminating: false, creationMs: created, ...extra,
});

describe('DaemonSet manage step', () => {
  it('creates a pod on every fitting node without one', () => {
    expect(planDaemonSet(rolling(), fits('a', 'b', 'c'), [daemon('b')], 10).createOnNodes).toEqual(['a', 'c']);
    expect(planDaemonSet(rolling(), fits('a', 'b', 'c'), [], 2).createOnNodes).toEqual(['a', 'b']);
  });

  it('deletes pods on nodes they no longer fit, unscheduled pods of vanished nodes, and all but the oldest on a node', () => {
    const nodes: DaemonNodeView[] = [{ name: 'a', shouldRun: false, shouldContinueRunning: false }, { name: 'b', shouldRun: false, shouldContinueRunning: true }, ...fits('c')];
    const older = daemon('c', { creationMs: 1 });
    const newer = daemon('c', { creationMs: 50 });
    const pods = [daemon('a'), daemon('b'), older, newer, daemon('gone', { scheduled: false }), daemon('gone-bound')];
    const plan = manageDaemonSet(rolling(), nodes, pods);
    expect(plan.deletes.map((item) => `${item.node}:${item.reason}`)).toEqual(['a:misscheduled', 'c:excess', 'gone:orphaned']);
    expect(plan.deletes.find((item) => item.node === 'c')?.name).toBe(newer.name);
    expect(plan.createOnNodes).toEqual([]);
  });

  it('a failed pod is deleted unless its node is in back-off; a terminating pod blocks its replacement (no surge)', () => {
    const failed = daemon('a', { phase: 'Failed', ready: false, available: false });
    expect(manageDaemonSet(rolling(), fits('a'), [failed]).deletes).toEqual([{ name: failed.name, node: 'a', reason: 'failed' }]);
    const backedOff = manageDaemonSet({ ...rolling(), nodesInFailedBackoff: new Set(['a']) }, fits('a'), [failed]);
    expect(backedOff).toEqual({ createOnNodes: [], deletes: [], backedOffNodes: ['a'] });
    expect(manageDaemonSet(rolling(), fits('a'), [daemon('a', { terminating: true })]).createOnNodes).toEqual([]);
    expect(manageDaemonSet(rolling(1, 1), fits('a'), [daemon('a', { terminating: true })]).createOnNodes).toEqual(['a']);
  });

  it('with surge, a node keeps one old and one new pod until the new one is available', () => {
    const old = daemon('a', { updated: false, creationMs: 1 });
    expect(manageDaemonSet(rolling(0, 1), fits('a'), [old, daemon('a', { ready: false, available: false })]).deletes).toEqual([]);
    expect(manageDaemonSet(rolling(0, 1), fits('a'), [old, daemon('a')]).deletes).toEqual([{ name: old.name, node: 'a', reason: 'update' }]);
    const unreadyOld = daemon('a', { updated: false, ready: false, available: false, creationMs: 1 });
    expect(manageDaemonSet(rolling(0, 1), fits('a'), [unreadyOld, daemon('a', { ready: false, available: false })]).deletes.map((item) => item.name)).toEqual([unreadyOld.name]);
  });
});

describe('DaemonSet rolling update', () => {
  it('resolves the budget against the desired nodes, percentages rounded up, never both zero', () => {
    expect(rollingBudget(rolling('50%'), 3)).toEqual({ maxSurge: 0, maxUnavailable: 2 });
    expect(rollingBudget(rolling(0, '10%'), 3)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(rollingBudget(rolling(0, 0), 3)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('maxUnavailable: old pods are deleted in place, at most maxUnavailable nodes without an available pod', () => {
    const old = { updated: false } as const;
    expect(rollingUpdateDaemonSet(rolling(1), fits('a', 'b', 'c'), [daemon('a', old), daemon('b', old), daemon('c', old)]).deletes.map((item) => item.node)).toEqual(['a']);
    expect(rollingUpdateDaemonSet(rolling(2), fits('a', 'b', 'c'), [daemon('a', old), daemon('b', old), daemon('c', old)]).deletes.map((item) => item.node)).toEqual(['a', 'b']);
    // A node whose new pod is not available yet uses up the budget; so does one with only a terminating pod.
    expect(rollingUpdateDaemonSet(rolling(1), fits('a', 'b', 'c'), [daemon('a', { available: false }), daemon('b', old), daemon('c', old)]).deletes).toEqual([]);
    expect(rollingUpdateDaemonSet(rolling(1), fits('a', 'b'), [daemon('a', { ...old, terminating: true }), daemon('b', old)]).deletes).toEqual([]);
    // An old pod that is not available anyway is replaced at once.
    const broken = daemon('b', { ...old, ready: false, available: false });
    expect(rollingUpdateDaemonSet(rolling(1), fits('a', 'b', 'c'), [daemon('a', { available: false }), broken, daemon('c', old)]).deletes.map((item) => item.name)).toEqual([broken.name]);
  });

  it('maxSurge: a new pod starts beside an old one, and the old one goes once the new one is available', () => {
    const old = { updated: false } as const;
    const start = rollingUpdateDaemonSet(rolling(0, 1), fits('a', 'b'), [daemon('a', old), daemon('b', old)]);
    expect(start).toEqual({ createOnNodes: ['a'], deletes: [], backedOffNodes: [] });
    const surging = rollingUpdateDaemonSet(rolling(0, 1), fits('a', 'b'), [daemon('a', old), daemon('a', { available: false }), daemon('b', old)]);
    expect(surging).toEqual({ createOnNodes: [], deletes: [], backedOffNodes: [] });
    const oldA = daemon('a', old);
    expect(rollingUpdateDaemonSet(rolling(0, 1), fits('a', 'b'), [oldA, daemon('a'), daemon('b', old)]).deletes.map((item) => item.name)).toEqual([oldA.name]);
  });

  it('OnDelete never replaces pods for an update', () => {
    const onDelete: DaemonSetView = { ...rolling(), strategy: 'OnDelete' };
    expect(planDaemonSet(onDelete, fits('a', 'b'), [daemon('a', { updated: false }), daemon('b', { updated: false })], 10)).toEqual({ createOnNodes: [], deletes: [], backedOffNodes: [] });
  });

  it('a simulated rollout converges and respects its budget at every step (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (nodeCount, unavailableSetting, surgeSetting, coins) => {
      const view = rolling(unavailableSetting, surgeSetting);
      const nodes = fits(...Array.from({ length: nodeCount }, (_, index) => `n${index}`));
      const budget = rollingBudget(view, nodeCount);
      let pods: DaemonPodView[] = nodes.map((item) => daemon(item.name, { updated: false }));
      let coin = 0;
      const flip = () => coins[coin++ % coins.length] === true;
      for (let step = 0; step < 300; step++) {
        const plan = planDaemonSet(view, nodes, pods, 100);
        for (const victim of plan.deletes) pods = pods.map((item) => (item.name === victim.name ? { ...item, terminating: true } : item));
        for (const target of plan.createOnNodes) pods.push(daemon(target, { ready: false, available: false }));
        const live = pods.filter((item) => !item.terminating);
        // Never more than one live pod per node beyond the surge, and without surge never below the availability floor.
        expect(live.length).toBeLessThanOrEqual(nodeCount + budget.maxSurge);
        const availableNodes = new Set(live.filter((item) => item.available).map((item) => item.node)).size;
        if (budget.maxSurge === 0) expect(availableNodes).toBeGreaterThanOrEqual(nodeCount - budget.maxUnavailable);
        else expect(availableNodes).toBe(nodeCount);
        pods = pods.filter((item) => !(item.terminating && flip())).map((item) => (!item.available && !item.terminating && flip() ? { ...item, ready: true, available: true } : item));
      }
      for (let step = 0; step < 50; step++) {
        pods = pods.filter((item) => !item.terminating).map((item) => ({ ...item, ready: true, available: true }));
        const plan = planDaemonSet(view, nodes, pods, 100);
        for (const victim of plan.deletes) pods = pods.filter((item) => item.name !== victim.name);
        for (const target of plan.createOnNodes) pods.push(daemon(target));
      }
      expect(pods.map((item) => `${item.node}:${item.updated}`).sort()).toEqual(nodes.map((item) => `${item.name}:true`).sort());
    }), { numRuns: 300 });
  });
});

describe('DaemonSet status', () => {
  it('counts per node, from its oldest pod; pods on nodes the set does not fit are misscheduled', () => {
    const nodes: DaemonNodeView[] = [...fits('a', 'b', 'c', 'd'), { name: 'e', shouldRun: false, shouldContinueRunning: true }];
    const pods = [
      daemon('a', { creationMs: 1 }), daemon('a', { creationMs: 2, updated: false }),
      daemon('b', { updated: false, available: false }),
      daemon('c', { ready: false, available: false, terminating: true }),
      daemon('e'),
    ];
    expect(daemonSetCounts(nodes, pods)).toEqual({
      desiredNumberScheduled: 4, currentNumberScheduled: 3, numberMisscheduled: 1, numberReady: 2, numberAvailable: 1, updatedNumberScheduled: 2, numberUnavailable: 3,
    });
  });
});
