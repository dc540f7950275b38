import type { JsonObject } from '../api/json.ts';
import { isBeingDeleted, type Informer } from '../controller-runtime/index.ts';

/**
 * Writes a delete's outcome through to the informer's cache. A pod bound to a node is deleted
 * gracefully: the API only marks it (deletionTimestamp) and it stays until its agent confirms, so
 * the cache must keep it as terminating — removing it would let a controller think its name (a
 * StatefulSet ordinal) or its node (a DaemonSet) were free. A first delete that removes the object
 * at once returns it without a deletionTimestamp.
 */
export function observeDeleteOutcome(informer: Informer, outcome: JsonObject | null): void {
  if (outcome === null) return;
  if (isBeingDeleted(outcome)) informer.observe(outcome);
  else informer.observeDeleted(outcome);
}
