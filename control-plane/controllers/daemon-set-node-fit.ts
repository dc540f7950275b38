import { asArray, asObject, asString, cloneJson, getPath, jsonEqual, objectsIn, type JsonObject } from '../api/json.ts';
import { labelsOfObject, nameOf, nodeNameOf } from '../controller-runtime/index.ts';
import { firstUntoleratedTaint, matchesRequiredNodeAffinity, taintsOf, tolerationsOf } from '../scheduler/index.ts';

/** Which nodes a DaemonSet's pod belongs on, and how the pod is pinned there (Kubernetes' daemon/util and NodeShouldRunDaemonPod). Pure. */

/** The field a DaemonSet pod's node affinity selects on. */
export const nodeNameField = 'metadata.name';

/**
 * Kubernetes' AddOrUpdateDaemonPodTolerations: a daemon survives node problems and cordons. Without
 * tolerationSeconds these last forever, so taint-based eviction never removes a daemon pod.
 */
export const daemonPodTolerations: readonly JsonObject[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
/** Added only for hostNetwork pods, as in Kubernetes (they need no pod network). */
export const networkUnavailableToleration: JsonObject = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

const identity = (toleration: JsonObject): string => JSON.stringify([toleration['key'] ?? '', toleration['operator'] ?? 'Equal', toleration['value'] ?? '', toleration['effect'] ?? '']);

/** The pod spec's tolerations with the daemon ones added; one with the same key/operator/value/effect is replaced (AddOrUpdateTolerationInPodSpec). */
export function withDaemonTolerations(spec: JsonObject): JsonObject[] {
  const wanted = spec['hostNetwork'] === true ? [...daemonPodTolerations, networkUnavailableToleration] : daemonPodTolerations;
  let tolerations = objectsIn(spec['tolerations']);
  for (const toleration of wanted) {
    const matching = tolerations.findIndex((existing) => identity(existing) === identity(toleration));
    if (matching < 0) tolerations = [...tolerations, cloneJson(toleration)];
    else if (!jsonEqual(tolerations[matching], toleration)) tolerations = tolerations.map((existing, index) => (index === matching ? cloneJson(toleration) : existing));
  }
  return tolerations;
}

/**
 * Kubernetes' ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes exactly
 * `metadata.name In [node]` (the template's own terms were already checked by the controller), so
 * the default scheduler can place the pod only there. Other affinity stays as it was.
 */
export function pinnedToNode(affinity: JsonObject | undefined, nodeName: string): JsonObject {
  const next = cloneJson(affinity ?? {});
  const nodeAffinity = asObject(next['nodeAffinity']) ?? {};
  nodeAffinity['requiredDuringSchedulingIgnoredDuringExecution'] = { nodeSelectorTerms: [{ matchFields: [{ key: nodeNameField, operator: 'In', values: [nodeName] }] }] };
  next['nodeAffinity'] = nodeAffinity;
  return next;
}

/** The node a daemon pod is for: its spec.nodeName, or while unscheduled the node its affinity pins (GetTargetNodeName); '' if neither. */
export function targetNodeOf(pod: JsonObject): string {
  if (nodeNameOf(pod) !== '') return nodeNameOf(pod);
  for (const term of objectsIn(getPath(pod, ['spec', 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']))) {
    for (const field of objectsIn(term['matchFields'])) {
      const values = asArray(field['values']);
      if (field['key'] === nodeNameField && field['operator'] === 'In' && values.length === 1) return asString(values[0]) ?? '';
    }
  }
  return '';
}

export interface NodeFit {
  /** A daemon pod should be created here. */
  readonly shouldRun: boolean;
  /** A daemon pod already here may stay (it fails only on untolerated NoExecute taints, or on selectors). */
  readonly shouldContinueRunning: boolean;
}

/** Kubernetes' NodeShouldRunDaemonPod for the template's pod spec (with the daemon tolerations) on one node. */
export function nodeFit(templateSpec: JsonObject, node: JsonObject): NodeFit {
  const pinned = asString(templateSpec['nodeName']) ?? '';
  if (pinned !== '' && pinned !== nameOf(node)) return { shouldRun: false, shouldContinueRunning: false };
  const pod: JsonObject = { spec: { ...templateSpec, tolerations: withDaemonTolerations(templateSpec) } };
  if (!matchesRequiredNodeAffinity(pod, nameOf(node), labelsOfObject(node))) return { shouldRun: false, shouldContinueRunning: false };
  const taints = taintsOf(node);
  const tolerations = tolerationsOf(pod);
  if (firstUntoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute']) === undefined) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: firstUntoleratedTaint(taints, tolerations, ['NoExecute']) === undefined };
}
