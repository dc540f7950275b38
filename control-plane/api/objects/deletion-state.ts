import { asArray, asNumber, asObject, type JsonObject } from '../json.ts';
import type { ResourceDefinition } from '../registry/resource.ts';

/** Whether an object being deleted may now leave the store (used by every update, too). */
export function mayBeRemoved(definition: ResourceDefinition, object: JsonObject): boolean {
  const metadata = asObject(object['metadata']) ?? {};
  if (metadata['deletionTimestamp'] === undefined || asArray(metadata['finalizers']).length > 0) return false;
  if ((asNumber(metadata['deletionGracePeriodSeconds']) ?? 0) > 0) return false;
  return definition.deletion.blocksRemoval?.(object) !== true;
}
