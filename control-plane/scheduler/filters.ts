import { matchesRequiredNodeAffinity } from './node-affinity.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import { podAffinityReason, type PodAffinityState } from './pod-affinity.ts';
import { firstUntoleratedTaint, TaintKeys, toleratesTaint, type Toleration } from './taints.ts';
import { spreadReason, type SpreadState } from './topology-spread.ts';
import { volumeReason, type PodVolumes } from './volume-filter.ts';

/** Kubernetes' wording for each filter's refusal (kubectl describe shows them in FailedScheduling). */
export const FilterReasons = {
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  hostPorts: "node(s) didn't have free ports for the requested pod ports",
  insufficientCpu: 'Insufficient cpu',
  insufficientMemory: 'Insufficient memory',
  tooManyPods: 'Too many pods',
} as const;

export function untoleratedTaintReason(key: string, value: string): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

/** Per-decision state computed once for a pod (pre-filter), shared by every node's filters. */
export interface FilterState {
  readonly tolerations: readonly Toleration[];
  readonly affinity: PodAffinityState | null;
  readonly spread: SpreadState | null;
  /** The pod's persistent volume claims (null: it has none). */
  readonly volumes?: PodVolumes | null;
}

function unschedulableReason(node: NodeInfo, state: FilterState): string | null {
  if (!node.unschedulable) return null;
  const cordon = { key: TaintKeys.unschedulable, value: '', effect: 'NoSchedule' };
  return state.tolerations.some((toleration) => toleratesTaint(toleration, cordon)) ? null : FilterReasons.unschedulable;
}

function taintReason(node: NodeInfo, state: FilterState): string | null {
  const taint = firstUntoleratedTaint(node.taints, state.tolerations, ['NoSchedule', 'NoExecute']);
  return taint === undefined ? null : untoleratedTaintReason(taint.key, taint.value);
}

function hostPortReason(pod: PodInfo, node: NodeInfo): string | null {
  if (pod.hostPorts.length === 0) return null;
  for (const other of node.pods.values()) {
    for (const used of other.hostPorts) {
      const conflict = pod.hostPorts.some((wanted) => wanted.port === used.port && wanted.protocol === used.protocol && (wanted.hostIP === used.hostIP || wanted.hostIP === '0.0.0.0' || used.hostIP === '0.0.0.0'));
      if (conflict) return FilterReasons.hostPorts;
    }
  }
  return null;
}

/** Every insufficient resource (NodeResourcesFit reports them all). */
export function resourceReasons(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.requested.pods + 1 > node.allocatable.pods) reasons.push(FilterReasons.tooManyPods);
  if (pod.requests.milliCpu > 0 && node.allocatable.milliCpu - node.requested.milliCpu < pod.requests.milliCpu) reasons.push(FilterReasons.insufficientCpu);
  if (pod.requests.memoryBytes > 0 && node.allocatable.memoryBytes - node.requested.memoryBytes < pod.requests.memoryBytes) reasons.push(FilterReasons.insufficientMemory);
  return reasons;
}

/**
 * The reasons the node cannot take the pod (empty: it fits). As in Kubernetes, the filters run in
 * a fixed order and the first that refuses decides; only the resource filter reports several.
 */
export function filterNode(pod: PodInfo, node: NodeInfo, state: FilterState): readonly string[] {
  const single =
    unschedulableReason(node, state) ??
    taintReason(node, state) ??
    (matchesRequiredNodeAffinity(pod.pod, node.name, node.labels) ? null : FilterReasons.nodeAffinity) ??
    hostPortReason(pod, node);
  if (single !== null) return [single];
  const resources = resourceReasons(pod, node);
  if (resources.length > 0) return resources;
  const volumes = volumeReason(node, state.volumes);
  if (volumes !== null) return [volumes];
  const placement = spreadReason(node, state.spread) ?? podAffinityReason(pod, node, state.affinity);
  return placement === null ? [] : [placement];
}
