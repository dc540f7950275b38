import type { Resources } from './resources.ts';
import { preferredNodeAffinityWeight } from './node-affinity.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import { countUntolerated } from './taints.ts';
import type { FilterState } from './filters.ts';
import { softSpreadCount } from './topology-spread.ts';
import { localVolumeCount } from './volume-filter.ts';

/** Scores are 0..100 per plugin, then weighted (Kubernetes' default weights). Pure. */
export const maxNodeScore = 100;

export type ResourceScoring = 'LeastAllocated' | 'MostAllocated';

export const ScoreWeights = {
  resources: 1,
  balancedAllocation: 1,
  nodeAffinity: 2,
  taintToleration: 3,
  topologySpread: 2,
  volumeLocality: 1,
} as const;

function fraction(requested: number, allocatable: number): number {
  return allocatable <= 0 ? 1 : Math.min(1, requested / allocatable);
}

function after(node: NodeInfo, pod: PodInfo): Resources {
  return {
    milliCpu: node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu,
    memoryBytes: node.nonZeroRequested.memoryBytes + pod.nonZeroRequests.memoryBytes,
    pods: node.requested.pods + 1,
  };
}

/** LeastAllocated favours emptier nodes (spreading); MostAllocated fuller ones (bin packing). */
export function resourceScore(pod: PodInfo, node: NodeInfo, scoring: ResourceScoring): number {
  const requested = after(node, pod);
  const cpu = fraction(requested.milliCpu, node.allocatable.milliCpu);
  const memory = fraction(requested.memoryBytes, node.allocatable.memoryBytes);
  const used = (cpu + memory) / 2;
  return Math.round(maxNodeScore * (scoring === 'LeastAllocated' ? 1 - used : used));
}

/** Favours nodes whose cpu and memory would be used in equal proportion. */
export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  const requested = after(node, pod);
  const cpu = fraction(requested.milliCpu, node.allocatable.milliCpu);
  const memory = fraction(requested.memoryBytes, node.allocatable.memoryBytes);
  const deviation = Math.abs(cpu - memory) / 2;
  return Math.round(maxNodeScore * (1 - deviation));
}

/** Raw values where higher is better, scaled so the best node gets 100 (Kubernetes' DefaultNormalizeScore). */
export function normalizeHigherBetter(raw: readonly number[]): number[] {
  const highest = Math.max(0, ...raw);
  return raw.map((value) => (highest === 0 ? 0 : Math.round((maxNodeScore * value) / highest)));
}

/** Raw values where lower is better (counts), scaled to 0..100 with the lowest at 100. */
export function normalizeLowerBetter(raw: readonly number[]): number[] {
  const highest = Math.max(0, ...raw);
  const lowest = Math.min(...raw);
  return raw.map((value) => (highest === lowest ? maxNodeScore : Math.round((maxNodeScore * (highest - value)) / (highest - lowest))));
}

/** Total weighted scores of the feasible nodes, in their order. */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[], state: FilterState, scoring: ResourceScoring): number[] {
  const affinity = normalizeHigherBetter(nodes.map((node) => preferredNodeAffinityWeight(pod.pod, node.name, node.labels)));
  const taints = normalizeLowerBetter(nodes.map((node) => countUntolerated(node.taints, state.tolerations, 'PreferNoSchedule')));
  // Without constraints of its own, a controlled pod spreads away from its siblings (Kubernetes' default constraints).
  const spreadRaw = state.spread !== null
    ? nodes.map((node) => softSpreadCount(node, state.spread))
    : nodes.map((node) => (pod.ownerUid === '' ? 0 : (node.ownerCounts.get(pod.ownerUid) ?? 0)));
  const spread = normalizeLowerBetter(spreadRaw);
  const volumes = normalizeHigherBetter(nodes.map((node) => localVolumeCount(node, state.volumes)));
  return nodes.map((node, index) =>
    ScoreWeights.resources * resourceScore(pod, node, scoring) +
    ScoreWeights.balancedAllocation * balancedAllocationScore(pod, node) +
    ScoreWeights.nodeAffinity * (affinity[index] ?? 0) +
    ScoreWeights.taintToleration * (taints[index] ?? 0) +
    ScoreWeights.topologySpread * (spread[index] ?? 0) +
    ScoreWeights.volumeLocality * (volumes[index] ?? 0),
  );
}
