import { jsonEqual, type JsonValue } from '../api/json.ts';
import { NodeInfo, type PlacedPod, type PodInfo, type Snapshot } from './node-info.ts';

/**
 * The scheduler's view of the cluster, kept up to date from the informers' events: one NodeInfo per
 * node with the pods bound to it, plus pods the scheduler has assumed (placed, binding in flight),
 * so the next decision already counts them. A binding that fails is forgotten.
 */
export class SchedulerCache implements Snapshot {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | null = null;
  /** Where each placed pod is, and its info (pods on nodes not seen yet wait here too). */
  private readonly placed = new Map<string, PlacedPod>();
  private readonly assumed = new Set<string>();
  private readonly antiAffinity = new Map<string, PlacedPod>();

  get nodes(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodeInfos.values()].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    return this.nodeList;
  }

  get podsWithAntiAffinity(): Iterable<PlacedPod> {
    return this.antiAffinity.values();
  }

  get assumedCount(): number {
    return this.assumed.size;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  /** True when what scheduling reads of the node changed (the caller then retries unschedulable pods). */
  upsertNode(node: NodeInfo): boolean {
    const previous = this.nodeInfos.get(node.name);
    // A known node hands its pods over; a new one collects the pods that were bound to it before it was seen.
    if (previous !== undefined) for (const pod of previous.pods.values()) node.addPod(pod);
    else for (const placed of this.placed.values()) if (placed.nodeName === node.name) node.addPod(placed.pod);
    this.nodeInfos.set(node.name, node);
    this.nodeList = null;
    return previous === undefined || !jsonEqual(schedulingView(previous), schedulingView(node));
  }

  removeNode(name: string): void {
    this.nodeInfos.delete(name);
    this.nodeList = null;
  }

  /** A pod seen bound to `nodeName` (confirms an assumption). */
  addPod(pod: PodInfo, nodeName: string): void {
    const current = this.placed.get(pod.key);
    this.assumed.delete(pod.key);
    if (current !== undefined && current.nodeName === nodeName && current.pod.uid === pod.uid) return;
    this.removePod(pod.key);
    this.place(pod, nodeName);
  }

  assume(pod: PodInfo, nodeName: string): void {
    this.removePod(pod.key);
    this.assumed.add(pod.key);
    this.place(pod, nodeName);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  removePod(key: string): void {
    const current = this.placed.get(key);
    if (current === undefined) return;
    this.placed.delete(key);
    this.assumed.delete(key);
    this.antiAffinity.delete(key);
    this.nodeInfos.get(current.nodeName)?.removePod(key);
  }

  private place(pod: PodInfo, nodeName: string): void {
    const placed = { pod, nodeName };
    this.placed.set(pod.key, placed);
    if (pod.requiredAntiAffinity.length > 0) this.antiAffinity.set(pod.key, placed);
    this.nodeInfos.get(nodeName)?.addPod(pod);
  }
}

function schedulingView(node: NodeInfo): JsonValue {
  return { labels: { ...node.labels }, taints: node.taints.map((taint) => ({ key: taint.key, value: taint.value, effect: taint.effect })), unschedulable: node.unschedulable, allocatable: { ...node.allocatable } };
}
