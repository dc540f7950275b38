import { asNumber, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import {
  annotationsOf, creationMs, findCondition, isBeingDeleted, isPodReady, nameOf, nodeNameOf, parseTimeMs, podPhase,
} from '../controller-runtime/index.ts';
import type { PodView } from './replica-set-plan.ts';

/** Annotation (and label) carrying an Indexed Job pod's completion index. */
export const jobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';

/** What the Job controller knows of one of its pods (a ReplicaSet PodView, so deletion ranking is shared). */
export interface JobPodView extends PodView {
  readonly terminating: boolean;
  /** The completion index of an Indexed Job's pod; undefined when absent or malformed. */
  readonly index: number | undefined;
  /** When the pod finished (meaningful for Succeeded and Failed pods). */
  readonly finishedMs: number;
  /** Container restarts (init containers included), for restartPolicy OnFailure's backoff limit. */
  readonly restarts: number;
}

export function completionIndexOf(pod: JsonObject): number | undefined {
  const text = annotationsOf(pod)[jobCompletionIndexAnnotation];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function containerStatuses(pod: JsonObject): JsonObject[] {
  return [...objectsIn(getPath(pod, ['status', 'initContainerStatuses'])), ...objectsIn(getPath(pod, ['status', 'containerStatuses']))];
}

/**
 * Kubernetes' getFinishedTime: the last container's termination, else when Ready turned False,
 * else the deletion time, else the creation time.
 */
export function podFinishedMs(pod: JsonObject): number {
  const terminated = objectsIn(getPath(pod, ['status', 'containerStatuses']))
    .map((status) => parseTimeMs(getPath(status, ['state', 'terminated', 'finishedAt'])))
    .filter((time): time is number => time !== undefined);
  if (terminated.length > 0) return Math.max(...terminated);
  const ready = findCondition(getPath(pod, ['status', 'conditions']), 'Ready');
  const readyFalseMs = ready?.['status'] === 'False' ? parseTimeMs(ready['lastTransitionTime']) : undefined;
  if (readyFalseMs !== undefined) return readyFalseMs;
  return parseTimeMs(getPath(pod, ['metadata', 'deletionTimestamp'])) ?? creationMs(pod);
}

export function podRestarts(pod: JsonObject): number {
  return containerStatuses(pod).reduce((sum, status) => sum + (asNumber(status['restartCount']) ?? 0), 0);
}

export function jobPodView(pod: JsonObject): JobPodView {
  return {
    name: nameOf(pod), nodeName: nodeNameOf(pod), phase: podPhase(pod), ready: isPodReady(pod), creationMs: creationMs(pod),
    terminating: isBeingDeleted(pod), index: completionIndexOf(pod), finishedMs: podFinishedMs(pod), restarts: podRestarts(pod),
  };
}

