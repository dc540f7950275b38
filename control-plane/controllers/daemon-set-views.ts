import { resolveIntOrPercent } from './deployment-plan.ts';

/** What the DaemonSet controller's pure decisions read and produce (Kubernetes' daemon_controller.go and update.go). */

/** What the DaemonSet controller knows of one of its pods. */
export interface DaemonPodView {
  readonly name: string;
  /** The node it runs on or, while unscheduled, the node its affinity pins it to. */
  readonly node: string;
  /** Its controller-revision-hash label is the current template's hash. */
  readonly updated: boolean;
  readonly phase: string;
  /** spec.nodeName is set. */
  readonly scheduled: boolean;
  readonly ready: boolean;
  /** Ready for at least minReadySeconds. */
  readonly available: boolean;
  readonly terminating: boolean;
  readonly creationMs: number;
}

export interface DaemonNodeView {
  readonly name: string;
  readonly shouldRun: boolean;
  readonly shouldContinueRunning: boolean;
}

export interface DaemonSetView {
  readonly strategy: 'RollingUpdate' | 'OnDelete';
  /** spec.updateStrategy.rollingUpdate values (intOrString), resolved against the desired number of nodes. */
  readonly maxSurge: unknown;
  readonly maxUnavailable: unknown;
  /** Nodes whose failed daemon pod was deleted recently: the next one waits (Kubernetes' failedPodsBackoff). */
  readonly nodesInFailedBackoff: ReadonlySet<string>;
}

export type DaemonDeleteReason = 'failed' | 'succeeded' | 'excess' | 'misscheduled' | 'update' | 'orphaned';

export interface DaemonSetPlan {
  readonly createOnNodes: readonly string[];
  readonly deletes: readonly { readonly name: string; readonly node: string; readonly reason: DaemonDeleteReason }[];
  /** Nodes with a failed pod left alone because of the backoff: look again later. */
  readonly backedOffNodes: readonly string[];
}

/** Kubernetes' podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function compareDaemonPods(left: DaemonPodView, right: DaemonPodView): number {
  if (left.scheduled !== right.scheduled) return left.scheduled ? -1 : 1;
  if (left.creationMs !== right.creationMs) return left.creationMs - right.creationMs;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

export function podsByNode(pods: readonly DaemonPodView[]): Map<string, DaemonPodView[]> {
  const byNode = new Map<string, DaemonPodView[]>();
  for (const pod of pods) {
    if (pod.node === '') continue;
    const list = byNode.get(pod.node) ?? [];
    list.push(pod);
    byNode.set(pod.node, list);
  }
  for (const list of byNode.values()) list.sort(compareDaemonPods);
  return byNode;
}

/** Kubernetes' AllowsSurge: a RollingUpdate whose maxSurge is not zero. */
export function allowsSurge(set: DaemonSetView): boolean {
  return set.strategy === 'RollingUpdate' && resolveIntOrPercent(set.maxSurge ?? 0, 1, true) > 0;
}

