import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  NodeInfo, SchedulerCache, failureMessage, milliCpu, bytes, podInfoOf, schedule, type ScheduleConfig,
} from '../../control-plane/scheduler/index.ts';

const config: ScheduleConfig = { scoring: 'LeastAllocated' };
let counter = 0;

function node(name: string, options: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: JsonObject[]; unschedulable?: boolean } = {}): JsonObject {
  const allocatable = { cpu: options.cpu ?? '4', memory: options.memory ?? '8Gi', pods: options.pods ?? '110' };
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...options.labels } }, spec: { ...(options.taints === undefined ? {} : { taints: options.taints }), ...(options.unschedulable === true ? { unschedulable: true } : {}) }, status: { allocatable } };
}

function pod(options: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: JsonObject; owner?: string; hostPort?: number } = {}): JsonObject {
  counter++;
  const container: JsonObject = { name: 'main', image: 'x', resources: { requests: { ...(options.cpu === undefined ? {} : { cpu: options.cpu }), ...(options.memory === undefined ? {} : { memory: options.memory }) } } };
  if (options.hostPort !== undefined) container['ports'] = [{ containerPort: 80, hostPort: options.hostPort, protocol: 'TCP' }];
  return {
    metadata: { name: `pod-${counter}`, namespace: 'default', uid: `uid-${counter}`, labels: options.labels ?? {}, ...(options.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: options.owner, controller: true }] }) },
    spec: { containers: [container], ...options.spec },
  };
}

function cluster(nodes: JsonObject[], placed: Array<[JsonObject, string]> = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const item of nodes) cache.upsertNode(new NodeInfo(item));
  for (const [item, nodeName] of placed) cache.addPod(podInfoOf(item), nodeName);
  return cache;
}

const random = () => 0.5;

describe('quantities', () => {
  it('parses cpu and memory as Kubernetes does', () => {
    expect(milliCpu('500m')).toBe(500);
    expect(milliCpu('1.5')).toBe(1500);
    expect(milliCpu(2)).toBe(2000);
    expect(bytes('128Mi')).toBe(128 * 1024 * 1024);
    expect(bytes('1G')).toBe(1e9);
    expect(bytes('2e3')).toBe(2000);
  });
});

describe('scheduler filters', () => {
  it('explains a refusal with Kubernetes-style counts, sorted', () => {
    const cache = cluster([node('a', { cpu: '1' }), node('b', { cpu: '1' }), node('c', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })]);
    const result = schedule(podInfoOf(pod({ cpu: '2' })), cache, config, random);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.');
    expect(failureMessage(0, new Map())).toBe('0/0 nodes are available.');
  });

  it('honours tolerations, nodeSelector, required node affinity, cordons and pod counts', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const cache = cluster([node('gpu', { taints: [taint], labels: { accel: 'yes' } }), node('plain'), node('cordoned', { unschedulable: true }), node('full', { pods: '0' })]);
    const tolerating = pod({ spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], nodeSelector: { accel: 'yes' } } });
    expect(schedule(podInfoOf(tolerating), cache, config, random)).toMatchObject({ ok: true, node: 'gpu' });
    const affinity = pod({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['plain', 'cordoned', 'full'] }] }] } } } } });
    expect(schedule(podInfoOf(affinity), cache, config, random)).toMatchObject({ ok: true, node: 'plain' });
    expect(schedule(podInfoOf(pod({ spec: { nodeSelector: { 'kubernetes.io/hostname': 'full' } } })), cache, config, random)).toMatchObject({ ok: false, message: "0/4 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable." });
    const nowhere = pod({ spec: { nodeSelector: { missing: 'x' } } });
    const result = schedule(podInfoOf(nowhere), cache, config, random);
    expect(!result.ok && result.message).toBe("0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector.");
  });

  it('treats not-ready and unreachable taints as blocking, and host ports as exclusive', () => {
    const cache = cluster([node('down', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), node('up')], [[pod({ hostPort: 8080 }), 'up']]);
    const result = schedule(podInfoOf(pod({ hostPort: 8080 })), cache, config, random);
    expect(!result.ok && result.message).toBe("0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.");
  });

  it('applies required pod anti-affinity and affinity', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const cache = cluster([node('a'), node('b')], [[pod({ labels: { app: 'db' } }), 'a']]);
    expect(schedule(podInfoOf(pod({ labels: { app: 'db' }, spec: { affinity: anti } })), cache, config, random)).toMatchObject({ ok: true, node: 'b' });
    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    expect(schedule(podInfoOf(pod({ spec: { affinity: near } })), cache, config, random)).toMatchObject({ ok: true, node: 'a' });
    // An existing pod's anti-affinity keeps matching pods away from its node.
    const guarded = cluster([node('a'), node('b')], [[pod({ labels: { app: 'solo' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } } }), 'a']]);
    expect(schedule(podInfoOf(pod({ labels: { app: 'web' } })), guarded, config, random)).toMatchObject({ ok: true, node: 'b' });
  });

  it('enforces DoNotSchedule topology spread', () => {
    const zone = (name: string, value: string) => node(name, { labels: { zone: value } });
    const placed: Array<[JsonObject, string]> = [[pod({ labels: { app: 'w' } }), 'a1'], [pod({ labels: { app: 'w' } }), 'a2']];
    const cache = cluster([zone('a1', 'a'), zone('a2', 'a'), zone('b1', 'b')], placed);
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] };
    expect(schedule(podInfoOf(pod({ labels: { app: 'w' }, spec: spread })), cache, config, random)).toMatchObject({ ok: true, node: 'b1' });
  });
});

describe('scheduler scores', () => {
  it('spreads with LeastAllocated and packs with MostAllocated', () => {
    const placed: Array<[JsonObject, string]> = [[pod({ cpu: '2', memory: '4Gi' }), 'busy']];
    const cache = cluster([node('busy'), node('idle')], placed);
    expect(schedule(podInfoOf(pod({ cpu: '500m', memory: '1Gi' })), cache, config, random)).toMatchObject({ node: 'idle' });
    expect(schedule(podInfoOf(pod({ cpu: '500m', memory: '1Gi' })), cache, { scoring: 'MostAllocated' }, random)).toMatchObject({ node: 'busy' });
  });

  it('prefers nodes matching preferred node affinity', () => {
    const cache = cluster([node('a'), node('b', { labels: { disk: 'ssd' } })]);
    const preferred = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } };
    expect(schedule(podInfoOf(pod({ spec: { affinity: preferred } })), cache, config, random)).toMatchObject({ node: 'b' });
  });

  it('spreads the pods of one controller over the nodes', () => {
    const cache = cluster([node('a'), node('b'), node('c')]);
    for (let index = 0; index < 9; index++) {
      const info = podInfoOf(pod({ owner: 'rs-1' }));
      const result = schedule(info, cache, config, Math.random);
      if (!result.ok) throw new Error(result.message);
      cache.assume(info, result.node);
    }
    expect(cache.nodes.map((item) => item.pods.size)).toEqual([3, 3, 3]);
  });

  it('never places a pod on a node lacking capacity (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 4000 }), memoryMi: fc.integer({ min: 0, max: 4096 }), pods: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 2000 }), memoryMi: fc.integer({ min: 0, max: 2048 }) }), { minLength: 1, maxLength: 30 }),
      (nodes, pods) => {
        const cache = cluster(nodes.map((spec, index) => node(`n${index}`, { cpu: `${spec.cpu}m`, memory: `${spec.memoryMi}Mi`, pods: String(spec.pods) })));
        for (const spec of pods) {
          const info = podInfoOf(pod({ cpu: `${spec.cpu}m`, memory: `${spec.memoryMi}Mi` }));
          const result = schedule(info, cache, config, Math.random);
          if (!result.ok) continue;
          cache.assume(info, result.node);
        }
        for (const info of cache.nodes) {
          expect(info.requested.milliCpu).toBeLessThanOrEqual(info.allocatable.milliCpu);
          expect(info.requested.memoryBytes).toBeLessThanOrEqual(info.allocatable.memoryBytes);
          expect(info.requested.pods).toBeLessThanOrEqual(info.allocatable.pods);
        }
      },
    ), { numRuns: 200 });
  });
});
