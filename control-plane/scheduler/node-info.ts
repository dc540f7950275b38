import { asNumber, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../api/selectors/label-selector.ts';
import { controllerOf, keyOf, labelsOfObject, nameOf, namespaceOf, uidOf } from '../controller-runtime/index.ts';
import { addResources, nodeAllocatable, podRequests, subtractResources, zeroResources, type Resources } from './resources.ts';
import { taintsOf, type Taint } from './taints.ts';
import type { VolumeLookup } from './volume-filter.ts';

export interface HostPort {
  readonly protocol: string;
  readonly hostIP: string;
  readonly port: number;
}

/** A pod-affinity term with its namespaces resolved (empty list: the pod's own namespace). */
export interface AffinityTerm {
  readonly selector: LabelSelector;
  readonly namespaces: readonly string[];
  readonly topologyKey: string;
}

/** What the scheduler needs of a pod, computed once per pod version. */
export interface PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly requests: Resources;
  readonly nonZeroRequests: Resources;
  readonly hostPorts: readonly HostPort[];
  /** The uid of the pod's controller ('' when none): the default spreading groups pods by it. */
  readonly ownerUid: string;
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly pod: JsonObject;
}

export function affinityTerms(pod: JsonObject, kind: 'podAffinity' | 'podAntiAffinity'): AffinityTerm[] {
  const namespace = namespaceOf(pod);
  return objectsIn(getPath(pod, ['spec', 'affinity', kind, 'requiredDuringSchedulingIgnoredDuringExecution'])).map((term) => {
    const namespaces = Array.isArray(term['namespaces']) ? term['namespaces'].flatMap((item) => (typeof item === 'string' ? [item] : [])) : [];
    return { selector: fromLabelSelectorObject(term['labelSelector']), namespaces: namespaces.length === 0 ? [namespace] : namespaces, topologyKey: asString(term['topologyKey']) ?? '' };
  });
}

function hostPortsOf(pod: JsonObject): HostPort[] {
  const ports: HostPort[] = [];
  for (const container of objectsIn(getPath(pod, ['spec', 'containers']))) {
    for (const port of objectsIn(container['ports'])) {
      const hostPort = asNumber(port['hostPort']) ?? 0;
      if (hostPort > 0) ports.push({ protocol: asString(port['protocol']) ?? 'TCP', hostIP: asString(port['hostIP']) ?? '0.0.0.0', port: hostPort });
    }
  }
  return ports;
}

export function podInfoOf(pod: JsonObject): PodInfo {
  return {
    key: keyOf(pod),
    namespace: namespaceOf(pod),
    name: nameOf(pod),
    uid: uidOf(pod),
    labels: labelsOfObject(pod),
    priority: asNumber(getPath(pod, ['spec', 'priority'])) ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts: hostPortsOf(pod),
    ownerUid: controllerOf(pod)?.uid ?? '',
    requiredAffinity: affinityTerms(pod, 'podAffinity'),
    requiredAntiAffinity: affinityTerms(pod, 'podAntiAffinity'),
    pod,
  };
}

/** One node and the pods on it (bound or assumed), with running totals the filters and scores read. */
export class NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly allocatable: Resources;
  requested: Resources = zeroResources;
  nonZeroRequested: Resources = zeroResources;
  readonly pods = new Map<string, PodInfo>();
  readonly ownerCounts = new Map<string, number>();

  constructor(readonly node: JsonObject) {
    this.name = nameOf(node);
    this.labels = labelsOfObject(node);
    this.taints = taintsOf(node);
    this.unschedulable = getPath(node, ['spec', 'unschedulable']) === true;
    this.allocatable = nodeAllocatable(node);
  }

  addPod(info: PodInfo): void {
    if (this.pods.has(info.key)) this.removePod(info.key);
    this.pods.set(info.key, info);
    this.requested = addResources(this.requested, info.requests);
    this.nonZeroRequested = addResources(this.nonZeroRequested, info.nonZeroRequests);
    if (info.ownerUid !== '') this.ownerCounts.set(info.ownerUid, (this.ownerCounts.get(info.ownerUid) ?? 0) + 1);
  }

  removePod(key: string): PodInfo | undefined {
    const info = this.pods.get(key);
    if (info === undefined) return undefined;
    this.pods.delete(key);
    this.requested = subtractResources(this.requested, info.requests);
    this.nonZeroRequested = subtractResources(this.nonZeroRequested, info.nonZeroRequests);
    if (info.ownerUid !== '') {
      const count = (this.ownerCounts.get(info.ownerUid) ?? 1) - 1;
      if (count <= 0) this.ownerCounts.delete(info.ownerUid);
      else this.ownerCounts.set(info.ownerUid, count);
    }
    return info;
  }
}

export interface PlacedPod {
  readonly pod: PodInfo;
  readonly nodeName: string;
}

/** The cluster as one scheduling decision sees it. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  /** Bound or assumed pods carrying required anti-affinity (checked against every incoming pod). */
  readonly podsWithAntiAffinity: Iterable<PlacedPod>;
  /** Claims, volumes and classes for pods with persistentVolumeClaim volumes (absent: no such pod fits). */
  readonly volumes?: VolumeLookup;
}
