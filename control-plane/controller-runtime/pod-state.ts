import { asString, getPath, type JsonObject } from '../api/json.ts';
import { findCondition } from './conditions.ts';
import { isBeingDeleted, parseTimeMs } from './object-meta.ts';

/** Readers of a pod's state as the controllers judge it (Kubernetes' podutil). Pure. */

export function podPhase(pod: JsonObject): string {
  return asString(getPath(pod, ['status', 'phase'])) ?? 'Pending';
}

export function nodeNameOf(pod: JsonObject): string {
  return asString(getPath(pod, ['spec', 'nodeName'])) ?? '';
}

/** Not finished and not being deleted: counts toward a controller's replicas. */
export function isPodActive(pod: JsonObject): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !isBeingDeleted(pod);
}

export function isPodReady(pod: JsonObject): boolean {
  return findCondition(getPath(pod, ['status', 'conditions']), 'Ready')?.['status'] === 'True';
}

/** Since when the pod has been ready (its Ready condition's lastTransitionTime), if it is. */
export function podReadySinceMs(pod: JsonObject): number | undefined {
  const ready = findCondition(getPath(pod, ['status', 'conditions']), 'Ready');
  if (ready?.['status'] !== 'True') return undefined;
  return parseTimeMs(ready['lastTransitionTime']) ?? 0;
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: JsonObject, minReadySeconds: number, nowMs: number): boolean {
  const since = podReadySinceMs(pod);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= nowMs;
}

export function creationMs(object: JsonObject): number {
  return parseTimeMs(getPath(object, ['metadata', 'creationTimestamp'])) ?? 0;
}
