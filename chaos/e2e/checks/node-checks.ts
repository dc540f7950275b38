import { conditionStatus, isBeingDeleted, nameOf, nodeNameOf, podPhase, uidOf, type JsonObject } from '../../../control-plane/index.ts';
import { valueAt } from '../../control-plane-sim/object-fields.ts';
import type { ObservedCluster } from './observed-cluster.ts';
import { describePod } from './pod-readers.ts';
import type { E2eViolation } from './violation.ts';

/** After the heal every node's agent runs, and its Node is registered and Ready. */
export function checkNodesReady(state: ObservedCluster): E2eViolation[] {
  return [...state.clusterNodes].sort().flatMap((node): E2eViolation[] => {
    if (!state.liveNodes.has(node)) return [{ property: 'nodes-ready', message: `the agent of node ${node} is not running after the heal` }];
    const object = state.nodes.find((candidate) => nameOf(candidate) === node);
    if (object === undefined) return [{ property: 'nodes-ready', message: `node ${node} runs an agent but is not registered` }];
    const ready = conditionStatus(valueAt(object, ['status', 'conditions']), 'Ready');
    return ready === 'True' ? [] : [{ property: 'nodes-ready', message: `node ${node} runs an agent but is Ready=${ready ?? 'absent'}` }];
  });
}

function isTerminal(pod: JsonObject): boolean {
  return podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed';
}

/**
 * No orphan: every container process on a live node belongs to a pod the API binds to that
 * node, not terminal and not being deleted. Any namespace counts: a leftover of an earlier run
 * is an orphan too.
 */
export function checkNoOrphanProcesses(state: ObservedCluster): E2eViolation[] {
  const podsByUid = new Map(state.pods.map((pod) => [uidOf(pod), pod]));
  const seen = new Set<string>();
  const violations: E2eViolation[] = [];
  for (const process of state.processes) {
    const key = `${process.node}/${process.podUid}/${process.container}`;
    if (!state.liveNodes.has(process.node) || seen.has(key)) continue;
    const pod = podsByUid.get(process.podUid);
    const why = pod === undefined ? 'its pod is gone from the API'
      : nodeNameOf(pod) !== process.node ? `its pod is bound to ${nodeNameOf(pod) || 'no node'}`
        : isBeingDeleted(pod) ? 'its pod is marked for deletion'
          : isTerminal(pod) ? `its pod has ${podPhase(pod)}` : '';
    if (why === '') continue;
    seen.add(key);
    violations.push({ property: 'no-orphan-process', message: `node ${process.node} runs pid ${process.pid} of pod uid ${process.podUid} container ${process.container} (found by ${process.seenBy}): ${why}` });
  }
  return violations;
}

/**
 * The other direction: every pod the API binds to a live node, not terminal, runs a process there;
 * and no pod on a live node stays marked for deletion (the agent stops it and confirms).
 */
export function checkPodsRunWhereBound(state: ObservedCluster): E2eViolation[] {
  const violations: E2eViolation[] = [];
  for (const pod of state.pods) {
    const node = nodeNameOf(pod);
    if (!state.liveNodes.has(node) || isTerminal(pod)) continue;
    if (isBeingDeleted(pod)) {
      violations.push({ property: 'deletions-confirmed', message: `${describePod(pod)} on ${node} is still marked for deletion` });
      continue;
    }
    if (!state.processes.some((process) => process.podUid === uidOf(pod) && process.node === node)) {
      violations.push({ property: 'pods-run-where-bound', message: `${describePod(pod)} is bound to ${node} but runs no process there` });
    }
  }
  return violations;
}
