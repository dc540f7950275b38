import type { JsonObject } from '../json.ts';
import type { ObjectWatchEvent } from '../object-store.ts';
import { decodeValue } from '../objects/object-codec.ts';
import type { Selection } from './selection.ts';

export type KubeEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * A store change as a Kubernetes watch event for a selective watcher: an object that starts
 * matching the selectors is ADDED, one that stops matching is DELETED (with its new state), as
 * the Kubernetes watch cache does. Null when the watcher does not see the change.
 */
export function toKubeEvent(event: Exclude<ObjectWatchEvent, { type: 'progress' }>, selection: Selection): { type: KubeEventType; object: JsonObject } | null {
  const object = decodeValue(event.value, event.revision);
  if (event.type === 'deleted') return selection.matches(object) ? { type: 'DELETED', object } : null;
  const matchesNow = selection.matches(object);
  if (event.type === 'created') return matchesNow ? { type: 'ADDED', object } : null;
  const matchedBefore = event.prevValue !== null && selection.matches(decodeValue(event.prevValue, event.revision));
  if (matchedBefore && matchesNow) return { type: 'MODIFIED', object };
  if (matchesNow) return { type: 'ADDED', object };
  if (matchedBefore) return { type: 'DELETED', object };
  return null;
}
