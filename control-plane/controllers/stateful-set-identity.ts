/** A StatefulSet pod's stable identity (Kubernetes' stateful_set_utils.go naming rules). Pure. */

/** The label carrying a StatefulSet pod's own name (a Service can select one replica with it). */
export const statefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
/** The label carrying a StatefulSet pod's ordinal. */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** The label on a StatefulSet's ControllerRevisions carrying their hash (Kubernetes' ControllerRevisionHashLabel). */
export const statefulSetRevisionHashLabel = 'controller.kubernetes.io/hash';

/** Ordinals are int32 in Kubernetes; anything larger is not one of ours. */
export const ordinalMax = 2_147_483_647;

export function statefulSetPodName(setName: string, ordinal: number): string {
  return `${setName}-${ordinal}`;
}

/** `<claim template>-<set>-<ordinal>`: the claim a pod keeps across restarts and rescheduling. */
export function persistentVolumeClaimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${statefulSetPodName(setName, ordinal)}`;
}

/** The ordinal in `<set>-<ordinal>`, or -1 when the name is not of that form (such pods are ignored, as in Kubernetes). */
export function ordinalOf(setName: string, podName: string): number {
  const prefix = `${setName}-`;
  if (!podName.startsWith(prefix)) return -1;
  const digits = podName.slice(prefix.length);
  if (!/^(0|[1-9]\d*)$/.test(digits)) return -1;
  const ordinal = Number(digits);
  return ordinal <= ordinalMax ? ordinal : -1;
}
