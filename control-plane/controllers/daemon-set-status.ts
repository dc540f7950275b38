import type { JsonObject } from '../api/json.ts';
import { podsByNode, type DaemonNodeView, type DaemonPodView } from './daemon-set-views.ts';

export interface DaemonSetCounts {
  readonly desiredNumberScheduled: number;
  readonly currentNumberScheduled: number;
  readonly numberMisscheduled: number;
  readonly numberReady: number;
  readonly numberAvailable: number;
  readonly updatedNumberScheduled: number;
  readonly numberUnavailable: number;
}

/**
 * Kubernetes' updateDaemonSetStatus, per node: an eligible node is desired, and scheduled when it
 * has any daemon pod (a terminating one too); its oldest pod says ready, available and updated. A
 * pod on a node the set does not fit is misscheduled. Pure.
 */
export function daemonSetCounts(nodes: readonly DaemonNodeView[], pods: readonly DaemonPodView[]): DaemonSetCounts {
  const byNode = podsByNode(pods);
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const oldest = byNode.get(node.name)?.[0];
    if (!node.shouldRun) {
      if (oldest !== undefined) misscheduled++;
      continue;
    }
    desired++;
    if (oldest === undefined) continue;
    current++;
    if (oldest.ready) ready++;
    if (oldest.ready && oldest.available) available++;
    if (oldest.updated) updated++;
  }
  return {
    desiredNumberScheduled: desired, currentNumberScheduled: current, numberMisscheduled: misscheduled,
    numberReady: ready, numberAvailable: available, updatedNumberScheduled: updated, numberUnavailable: desired - available,
  };
}

export function daemonSetStatus(previous: JsonObject, counts: DaemonSetCounts, observedGeneration: number, collisionCount: number): JsonObject {
  return { ...previous, ...counts, observedGeneration, collisionCount };
}
