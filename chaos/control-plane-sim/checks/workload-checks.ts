import { isBeingDeleted, nameOf, namespaceOf, nodeNameOf, uidOf, type JsonObject } from '../../../control-plane/index.ts';
import { numberAt } from '../object-fields.ts';
import type { ObservedState } from './observed-state.ts';
import { activePods, describePod, isStuckOnDeadNode, podProblems, podsControlledBy, templateImage } from './pod-facts.ts';
import type { Violation } from './violation.ts';

/** A workload's declared replica count (Kubernetes' default: 1). */
function replicasOf(workload: JsonObject): number {
  return numberAt(workload, ['spec', 'replicas']) ?? 1;
}

function describeWorkload(workload: JsonObject): string {
  return `${String(workload['kind'] ?? '')} ${namespaceOf(workload)}/${nameOf(workload)}`;
}

/** Every live Deployment: exactly spec.replicas active pods, each Ready, on a live node, running the latest template. */
export function checkDeployments(state: ObservedState): Violation[] {
  const violations: Violation[] = [];
  for (const deployment of state.deployments) {
    if (isBeingDeleted(deployment)) continue;
    const replicaSetUids = new Set(podsControlledBy(state.replicaSets, new Set([uidOf(deployment)])).map(uidOf));
    const active = activePods(podsControlledBy(state.pods, replicaSetUids));
    const problems = workloadProblems(active, replicasOf(deployment), templateImage(deployment), state);
    if (problems.length > 0) violations.push({ property: 'deployment-converged', message: `${describeWorkload(deployment)}: ${problems.join('; ')}` });
  }
  return violations;
}

/**
 * Every live StatefulSet: ordinals 0..replicas-1 active, Ready, on live nodes, latest template, and
 * none above. A set with a pod marked for deletion on a dead node is skipped: Kubernetes does not
 * replace that ordinal until the node confirms (at most one per ordinal), and OrderedReady waits.
 */
export function checkStatefulSets(state: ObservedState): Violation[] {
  if (!state.controllers.has('statefulset')) return [];
  const violations: Violation[] = [];
  for (const set of state.statefulSets) {
    if (isBeingDeleted(set)) continue;
    const pods = podsControlledBy(state.pods, new Set([uidOf(set)]));
    if (pods.some((pod) => isStuckOnDeadNode(pod, state.liveNodes))) continue;
    const replicas = replicasOf(set);
    const active = activePods(pods);
    const problems = workloadProblems(active, replicas, templateImage(set), state);
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      if (!active.some((pod) => nameOf(pod) === `${nameOf(set)}-${ordinal}`)) problems.push(`ordinal ${ordinal} has no active pod`);
    }
    if (problems.length > 0) violations.push({ property: 'stateful-set-converged', message: `${describeWorkload(set)}: ${problems.join('; ')}` });
  }
  return violations;
}

/**
 * Every live DaemonSet: exactly one active pod on each live node, Ready, latest template. While a
 * dead node holds one of its pods the template is not required: that node's pod counts as
 * unavailable and may use up maxUnavailable, which stalls the rollout in Kubernetes too.
 */
export function checkDaemonSets(state: ObservedState): Violation[] {
  if (!state.controllers.has('daemonset')) return [];
  const violations: Violation[] = [];
  for (const set of state.daemonSets) {
    if (isBeingDeleted(set)) continue;
    const pods = podsControlledBy(state.pods, new Set([uidOf(set)]));
    const active = activePods(pods);
    const rolloutMayStall = pods.some((pod) => nodeNameOf(pod) !== '' && !state.liveNodes.has(nodeNameOf(pod)));
    const image = rolloutMayStall ? undefined : templateImage(set);
    const problems: string[] = [];
    for (const node of [...state.liveNodes].sort()) {
      const here = active.filter((pod) => nodeNameOf(pod) === node);
      if (here.length !== 1) problems.push(`${here.length} active pods on live node ${node}`);
      for (const pod of here) for (const problem of podProblems(pod, image, state.liveNodes, state.containers)) problems.push(`${describePod(pod)} ${problem}`);
    }
    if (problems.length > 0) violations.push({ property: 'daemon-set-converged', message: `${describeWorkload(set)}: ${problems.join('; ')}` });
  }
  return violations;
}

function workloadProblems(active: readonly JsonObject[], replicas: number, image: string, state: ObservedState): string[] {
  const problems: string[] = [];
  if (active.length !== replicas) problems.push(`${active.length} active pods, ${replicas} declared`);
  for (const pod of active) for (const problem of podProblems(pod, image, state.liveNodes, state.containers)) problems.push(`${describePod(pod)} ${problem}`);
  return problems;
}
