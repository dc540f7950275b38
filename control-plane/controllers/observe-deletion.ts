import type { JsonObject } from '../api/json.ts';
import { isBeingDeleted, type Informer } from '../controller-runtime/index.ts';

/**
 * Writes a delete's outcome through to the cache: gone (removed), or still there with a
 * deletionTimestamp (finalizers, or a pod's graceful deletion waiting for its node) and so kept.
 */
export function observeDeletion(informer: Informer, result: JsonObject | null): void {
  if (result === null) return;
  if (isBeingDeleted(result)) informer.observe(result);
  else informer.observeDeleted(result);
}
