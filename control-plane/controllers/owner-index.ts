import type { JsonObject } from '../api/json.ts';
import { ownerReferencesOf } from '../controller-runtime/index.ts';

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
