import { ensureObject, isJsonObject, type JsonObject } from '../json.ts';
import type { StoredObject } from '../object-store.ts';
import { errors } from '../status.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Objects are stored as JSON without their resourceVersion: the store's modRevision is the
 * resourceVersion, filled in on every read (as Kubernetes does with etcd).
 */
export function encodeObject(object: JsonObject): Uint8Array {
  const metadata = isJsonObject(object['metadata']) ? { ...object['metadata'] } : {};
  delete metadata['resourceVersion'];
  return encoder.encode(JSON.stringify({ ...object, metadata }));
}

export function decodeValue(value: Uint8Array, resourceVersion: number): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(value));
  } catch {
    throw errors.internal('a stored object is not valid JSON');
  }
  if (!isJsonObject(parsed)) throw errors.internal('a stored object is not a JSON object');
  ensureObject(parsed, 'metadata')['resourceVersion'] = String(resourceVersion);
  return parsed;
}

export function decodeStored(stored: StoredObject): JsonObject {
  return decodeValue(stored.value, stored.modRevision);
}
