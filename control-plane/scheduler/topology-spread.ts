import { asNumber, asString, getPath, objectsIn } from '../api/json.ts';
import { fromLabelSelectorObject, matchesLabels, type LabelSelector } from '../api/selectors/label-selector.ts';
import { matchesRequiredNodeAffinity } from './node-affinity.ts';
import type { NodeInfo, PodInfo, Snapshot } from './node-info.ts';

/** Pod topology spread constraints (maxSkew, whenUnsatisfiable, minDomains), as Kubernetes' PodTopologySpread. Pure. */

export const TopologySpreadReasons = {
  skew: "node(s) didn't match pod topology spread constraints",
  missingLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
} as const;

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly hard: boolean;
  readonly selector: LabelSelector;
  readonly minDomains: number;
}

export interface SpreadState {
  readonly constraints: readonly SpreadConstraint[];
  /** Per constraint: matching pods per topology value over the eligible nodes. */
  readonly counts: readonly Map<string, number>[];
  readonly minimums: readonly number[];
  readonly selfMatches: readonly boolean[];
}

export function spreadConstraintsOf(pod: PodInfo): SpreadConstraint[] {
  return objectsIn(getPath(pod.pod, ['spec', 'topologySpreadConstraints'])).map((constraint) => ({
    maxSkew: Math.max(1, asNumber(constraint['maxSkew']) ?? 1),
    topologyKey: asString(constraint['topologyKey']) ?? '',
    hard: (asString(constraint['whenUnsatisfiable']) ?? 'DoNotSchedule') === 'DoNotSchedule',
    selector: fromLabelSelectorObject(constraint['labelSelector']),
    minDomains: Math.max(1, asNumber(constraint['minDomains']) ?? 1),
  }));
}

function countDomain(constraint: SpreadConstraint, pod: PodInfo, node: NodeInfo): number {
  let count = 0;
  for (const other of node.pods.values()) if (other.namespace === pod.namespace && matchesLabels(constraint.selector, other.labels)) count++;
  return count;
}

export function computeSpreadState(pod: PodInfo, snapshot: Snapshot): SpreadState | null {
  const constraints = spreadConstraintsOf(pod);
  if (constraints.length === 0) return null;
  // Only nodes the pod could run on by node affinity count as domains (nodeAffinityPolicy: Honor).
  const eligible = snapshot.nodes.filter((node) => matchesRequiredNodeAffinity(pod.pod, node.name, node.labels));
  const counts = constraints.map((constraint) => {
    const perDomain = new Map<string, number>();
    for (const node of eligible) {
      const value = node.labels[constraint.topologyKey];
      if (value !== undefined) perDomain.set(value, (perDomain.get(value) ?? 0) + countDomain(constraint, pod, node));
    }
    return perDomain;
  });
  const minimums = counts.map((perDomain, index) => {
    const minDomains = constraints[index]?.minDomains ?? 1;
    return perDomain.size < minDomains ? 0 : Math.min(...perDomain.values());
  });
  return { constraints, counts, minimums, selfMatches: constraints.map((constraint) => matchesLabels(constraint.selector, pod.labels)) };
}

export function spreadReason(node: NodeInfo, state: SpreadState | null): string | null {
  if (state === null) return null;
  for (const [index, constraint] of state.constraints.entries()) {
    if (!constraint.hard) continue;
    const value = node.labels[constraint.topologyKey];
    if (value === undefined) return TopologySpreadReasons.missingLabel;
    const skew = (state.counts[index]?.get(value) ?? 0) + (state.selfMatches[index] === true ? 1 : 0) - (state.minimums[index] ?? 0);
    if (skew > constraint.maxSkew) return TopologySpreadReasons.skew;
  }
  return null;
}

/** Matching pods in the node's domains over the soft constraints (lower is better; the caller normalizes). */
export function softSpreadCount(node: NodeInfo, state: SpreadState | null): number {
  if (state === null) return 0;
  let total = 0;
  for (const [index, constraint] of state.constraints.entries()) {
    if (constraint.hard) continue;
    const value = node.labels[constraint.topologyKey];
    total += value === undefined ? 0 : (state.counts[index]?.get(value) ?? 0);
  }
  return total;
}
