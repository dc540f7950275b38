import { matchesLabels } from '../api/selectors/label-selector.ts';
import type { AffinityTerm, NodeInfo, PodInfo, Snapshot } from './node-info.ts';

/** Required inter-pod affinity and anti-affinity, as Kubernetes' InterPodAffinity filter. Pure. */

export const PodAffinityReasons = {
  affinity: "node(s) didn't match pod affinity rules",
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
} as const;

export interface PodAffinityState {
  /** Per required affinity term: the topology values holding a matching pod. */
  readonly affinityDomains: readonly Set<string>[];
  /** No pod matches any affinity term and the pod matches its own terms: the first of its group goes anywhere. */
  readonly affinityWaived: boolean;
  readonly antiAffinityDomains: readonly Set<string>[];
  /** `key\0value` pairs where an existing pod's anti-affinity forbids this pod. */
  readonly forbiddenByExisting: ReadonlySet<string>;
  /** The topology keys of `forbiddenByExisting`. */
  readonly forbiddenKeys: readonly string[];
}

function termMatches(term: AffinityTerm, pod: PodInfo): boolean {
  return term.namespaces.includes(pod.namespace) && matchesLabels(term.selector, pod.labels);
}

function domainsOf(term: AffinityTerm, nodes: readonly NodeInfo[]): Set<string> {
  const domains = new Set<string>();
  for (const node of nodes) {
    const value = node.labels[term.topologyKey];
    if (value === undefined || domains.has(value)) continue;
    for (const other of node.pods.values()) {
      if (termMatches(term, other)) {
        domains.add(value);
        break;
      }
    }
  }
  return domains;
}

export function computePodAffinityState(pod: PodInfo, snapshot: Snapshot): PodAffinityState | null {
  const forbidden = new Set<string>();
  const nodesByName = new Map<string, NodeInfo>();
  let anyExisting = false;
  for (const { pod: existing, nodeName } of snapshot.podsWithAntiAffinity) {
    for (const term of existing.requiredAntiAffinity) {
      if (!termMatches(term, pod)) continue;
      if (nodesByName.size === 0) for (const node of snapshot.nodes) nodesByName.set(node.name, node);
      const value = nodesByName.get(nodeName)?.labels[term.topologyKey];
      if (value !== undefined) forbidden.add(`${term.topologyKey}\0${value}`);
      anyExisting = true;
    }
  }
  if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && !anyExisting) return null;
  const affinityDomains = pod.requiredAffinity.map((term) => domainsOf(term, snapshot.nodes));
  const affinityWaived = affinityDomains.every((domains) => domains.size === 0) && pod.requiredAffinity.every((term) => termMatches(term, pod));
  return { affinityDomains, affinityWaived, antiAffinityDomains: pod.requiredAntiAffinity.map((term) => domainsOf(term, snapshot.nodes)),
    forbiddenByExisting: forbidden,
    forbiddenKeys: [...new Set([...forbidden].map((pair) => pair.split('\0')[0] ?? ''))],
  };
}

export function podAffinityReason(pod: PodInfo, node: NodeInfo, state: PodAffinityState | null): string | null {
  if (state === null) return null;
  for (const key of state.forbiddenKeys) {
    const value = node.labels[key];
    if (value !== undefined && state.forbiddenByExisting.has(`${key}\0${value}`)) return PodAffinityReasons.existingAntiAffinity;
  }
  if (!state.affinityWaived) {
    const failed = pod.requiredAffinity.some((term, index) => {
      const value = node.labels[term.topologyKey];
      return value === undefined || !(state.affinityDomains[index]?.has(value) ?? false);
    });
    if (failed) return PodAffinityReasons.affinity;
  }
  const conflicts = pod.requiredAntiAffinity.some((term, index) => {
    const value = node.labels[term.topologyKey];
    return value !== undefined && (state.antiAffinityDomains[index]?.has(value) ?? false);
  });
  return conflicts ? PodAffinityReasons.antiAffinity : null;
}
