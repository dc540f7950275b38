import type { JsonObject } from '../api/json.ts';
import { controllerOf, namespaceOf, objectKeyFor, ownerReferencesOf, type ChangeHandler, type WorkQueue } from '../controller-runtime/index.ts';

/** Index name under which objects are found by their owners' uids. */
export const ownerIndex = 'owner-uid';

export function ownerUids(object: JsonObject): string[] {
  return ownerReferencesOf(object).map((reference) => reference.uid);
}

/** Index of objects by their controller owner's uid only. */
export const controllerIndex = 'controller-uid';

export function controllerUids(object: JsonObject): string[] {
  return ownerReferencesOf(object).filter((reference) => reference.controller).map((reference) => reference.uid);
}

/**
 * A handler for the objects a workload controller makes (pods, ReplicaSets, Jobs): a change
 * enqueues the key of the object's controller owner when that owner is a `kind` (controller-
 * runtime's EnqueueRequestForOwner with OnlyControllerOwner).
 */
export function enqueueControllerOwner(queue: WorkQueue, kind: string): ChangeHandler {
  return (change) => {
    const owner = controllerOf(change.object);
    if (owner?.kind === kind) queue.add(objectKeyFor(namespaceOf(change.object), owner.name));
  };
}
