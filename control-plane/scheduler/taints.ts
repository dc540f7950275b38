import { asNumber, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
  readonly timeAdded?: string;
}

export interface Toleration {
  readonly key: string;
  readonly operator: string;
  readonly value: string;
  readonly effect: string;
  readonly tolerationSeconds?: number;
}

/** The taints the node lifecycle controller and `kubectl cordon` put on nodes (Kubernetes' well-known keys). */
export const TaintKeys = {
  notReady: 'node.kubernetes.io/not-ready',
  unreachable: 'node.kubernetes.io/unreachable',
  unschedulable: 'node.kubernetes.io/unschedulable',
} as const;

export function taintsOf(node: JsonObject): Taint[] {
  return objectsIn(getPath(node, ['spec', 'taints'])).map((taint) => {
    const timeAdded = asString(taint['timeAdded']);
    return { key: asString(taint['key']) ?? '', value: asString(taint['value']) ?? '', effect: asString(taint['effect']) ?? '', ...(timeAdded === undefined ? {} : { timeAdded }) };
  });
}

export function tolerationsOf(pod: JsonObject): Toleration[] {
  return objectsIn(getPath(pod, ['spec', 'tolerations'])).map((toleration) => {
    const seconds = asNumber(toleration['tolerationSeconds']);
    return {
      key: asString(toleration['key']) ?? '',
      operator: asString(toleration['operator']) ?? 'Equal',
      value: asString(toleration['value']) ?? '',
      effect: asString(toleration['effect']) ?? '',
      ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
    };
  });
}

/** Kubernetes' Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== '' && toleration.effect !== taint.effect) return false;
  if (toleration.key !== '' && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return toleration.operator === 'Equal' && toleration.value === taint.value;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((toleration) => toleratesTaint(toleration, taint)));
}

export function countUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effect: string): number {
  return taints.filter((taint) => taint.effect === effect && !tolerations.some((toleration) => toleratesTaint(toleration, taint))).length;
}
