import { asNumber, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { isBeingDeleted, parseTimeMs } from '../controller-runtime/index.ts';

/**
 * When a finished Job may be deleted (Kubernetes' TTL-after-finished controller), pure: the
 * lastTransitionTime of its Complete or Failed condition plus ttlSecondsAfterFinished. Undefined
 * when it has no TTL, is not finished, or is already being deleted.
 */
export function jobExpiryMs(job: JsonObject): number | undefined {
  const ttlSeconds = asNumber(getPath(job, ['spec', 'ttlSecondsAfterFinished']));
  if (ttlSeconds === undefined || isBeingDeleted(job)) return undefined;
  const finished = objectsIn(getPath(job, ['status', 'conditions'])).find((condition) => (condition['type'] === 'Complete' || condition['type'] === 'Failed') && condition['status'] === 'True');
  if (finished === undefined) return undefined;
  const finishedMs = parseTimeMs(finished['lastTransitionTime']) ?? parseTimeMs(getPath(job, ['status', 'completionTime']));
  return finishedMs === undefined ? undefined : finishedMs + ttlSeconds * 1000;
}
