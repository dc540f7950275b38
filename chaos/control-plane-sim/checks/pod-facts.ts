import { controllerOf, isBeingDeleted, isPodActive, isPodReady, nameOf, namespaceOf, nodeNameOf, TaintKeys, toleratesTaint, tolerationsOf, uidOf, type JsonObject } from '../../../control-plane/index.ts';
import type { RunningContainer } from '../container-ledger.ts';
import { imageOf } from '../kubelet-status.ts';
import { recordsAt, stringAt } from '../object-fields.ts';

/** Small pure readers the checks share. */

export function podsControlledBy(pods: readonly JsonObject[], ownerUids: ReadonlySet<string>): JsonObject[] {
  return pods.filter((pod) => ownerUids.has(controllerOf(pod)?.uid ?? ''));
}

/** Why a pod that should serve its workload does not (empty: it does). `wantedImage` undefined: any image will do. */
export function podProblems(pod: JsonObject, wantedImage: string | undefined, liveNodes: ReadonlySet<string>, containers: readonly RunningContainer[]): string[] {
  const problems: string[] = [];
  const node = nodeNameOf(pod);
  if (!isPodReady(pod)) problems.push('not Ready');
  if (wantedImage !== undefined && imageOf(pod) !== wantedImage) problems.push(`runs ${imageOf(pod)}, not ${wantedImage}`);
  if (node === '') problems.push('unscheduled');
  else if (!liveNodes.has(node)) problems.push(`on dead node ${node}`);
  else if (!containers.some((container) => container.uid === uidOf(pod) && container.node === node)) problems.push(`not actually running on ${node}`);
  return problems;
}

export function describePod(pod: JsonObject): string {
  return `${namespaceOf(pod)}/${nameOf(pod)}`;
}

export function activePods(pods: readonly JsonObject[]): JsonObject[] {
  return pods.filter(isPodActive);
}

/** A pod marked for deletion whose node is dead: it waits (rightly) for that node to confirm. */
export function isStuckOnDeadNode(pod: JsonObject, liveNodes: ReadonlySet<string>): boolean {
  return isBeingDeleted(pod) && nodeNameOf(pod) !== '' && !liveNodes.has(nodeNameOf(pod));
}

/** Tolerates `node.kubernetes.io/unreachable:NoExecute` forever (DaemonSet pods): it stays on a lost node by design. */
export function staysOnUnreachableNodes(pod: JsonObject): boolean {
  const taint = { key: TaintKeys.unreachable, value: '', effect: 'NoExecute' as const };
  return tolerationsOf(pod).some((toleration) => toleratesTaint(toleration, taint) && toleration.tolerationSeconds === undefined);
}

export function templateImage(workload: JsonObject): string {
  return stringAt(recordsAt(workload, ['spec', 'template', 'spec', 'containers'])[0] ?? {}, ['image']);
}

/** A Service's map selector matches the labels (every pair present). */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === value);
}
