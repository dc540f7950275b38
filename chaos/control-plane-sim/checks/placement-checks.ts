import { isBeingDeleted, isPodActive, nameOf, nodeNameOf, podPhase, uidOf } from '../../../control-plane/index.ts';
import type { ObservedState } from './observed-state.ts';
import { describePod, staysOnUnreachableNodes } from './pod-facts.ts';
import type { Violation } from './violation.ts';

/** No active pod is bound to a dead node, except those that tolerate an unreachable node forever (DaemonSet pods). */
export function checkNoActivePodOnDeadNode(state: ObservedState): Violation[] {
  const nodeNames = new Set(state.nodes.map(nameOf));
  return state.pods
    .filter((pod) => isPodActive(pod) && nodeNames.has(nodeNameOf(pod)) && !state.liveNodes.has(nodeNameOf(pod)) && !staysOnUnreachableNodes(pod))
    .map((pod) => ({ property: 'no-active-pod-on-dead-node', message: `${describePod(pod)} is active on dead node ${nodeNameOf(pod)}` }));
}

/**
 * Live nodes run exactly what the API says: every container belongs to a running pod bound there,
 * every active pod bound there runs, and every deletion there has been confirmed.
 */
export function checkNodesRunWhatTheApiSays(state: ObservedState): Violation[] {
  const violations: Violation[] = [];
  const podsByUid = new Map(state.pods.map((pod) => [uidOf(pod), pod]));
  for (const container of state.containers) {
    if (!state.liveNodes.has(container.node)) continue;
    const pod = podsByUid.get(container.uid);
    const why = pod === undefined ? 'its pod is gone from the API'
      : nodeNameOf(pod) !== container.node ? `its pod is bound to ${nodeNameOf(pod)}`
        : isBeingDeleted(pod) ? 'its pod is marked for deletion'
          : podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed' ? `its pod has ${podPhase(pod)}` : '';
    if (why !== '') violations.push({ property: 'nodes-run-what-the-api-says', message: `live node ${container.node} still runs ${container.namespace}/${container.name} (uid ${container.uid}): ${why}` });
  }
  for (const pod of state.pods) {
    const node = nodeNameOf(pod);
    if (!state.liveNodes.has(node)) continue;
    if (isBeingDeleted(pod)) violations.push({ property: 'nodes-run-what-the-api-says', message: `${describePod(pod)} on live node ${node} was never confirmed deleted` });
    else if (isPodActive(pod) && !state.containers.some((container) => container.uid === uidOf(pod) && container.node === node)) {
      violations.push({ property: 'nodes-run-what-the-api-says', message: `${describePod(pod)} is bound to live node ${node} but does not run there` });
    }
  }
  return violations;
}
