import { asArray, asObject, asString, getPath, isJsonObject, type JsonObject } from '../api/json.ts';
import { apiVersionOf, type ResourceDefinition } from '../api/registry/resource.ts';

/** Small readers of ObjectMeta shared by the scheduler and the controllers (all pure). */

export function metaString(object: JsonObject, field: string): string {
  return asString(asObject(object['metadata'])?.[field]) ?? '';
}

export function nameOf(object: JsonObject): string {
  return metaString(object, 'name');
}

export function namespaceOf(object: JsonObject): string {
  return metaString(object, 'namespace');
}

export function uidOf(object: JsonObject): string {
  return metaString(object, 'uid');
}

export function resourceVersionOf(object: JsonObject): number {
  const text = metaString(object, 'resourceVersion');
  return text === '' ? 0 : Number(text);
}

export function isBeingDeleted(object: JsonObject): boolean {
  return getPath(object, ['metadata', 'deletionTimestamp']) !== undefined;
}

/** The cache and queue key of an object: `namespace/name`, or `name` for cluster-scoped kinds. */
export function keyOf(object: JsonObject): string {
  return objectKeyFor(namespaceOf(object), nameOf(object));
}

export function objectKeyFor(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(asObject(value) ?? {})) if (typeof item === 'string') result[key] = item;
  return result;
}

export function labelsOfObject(object: JsonObject): Record<string, string> {
  return stringMap(getPath(object, ['metadata', 'labels']));
}

export function annotationsOf(object: JsonObject): Record<string, string> {
  return stringMap(getPath(object, ['metadata', 'annotations']));
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
  readonly blockOwnerDeletion: boolean;
}

export function ownerReferencesOf(object: JsonObject): OwnerReference[] {
  return asArray(getPath(object, ['metadata', 'ownerReferences'])).filter(isJsonObject).map((reference) => ({
    apiVersion: asString(reference['apiVersion']) ?? '',
    kind: asString(reference['kind']) ?? '',
    name: asString(reference['name']) ?? '',
    uid: asString(reference['uid']) ?? '',
    controller: reference['controller'] === true,
    blockOwnerDeletion: reference['blockOwnerDeletion'] === true,
  }));
}

/** The owner reference with controller: true, if any. */
export function controllerOf(object: JsonObject): OwnerReference | undefined {
  return ownerReferencesOf(object).find((reference) => reference.controller);
}

/** An ownerReference naming `owner` as the controller (Kubernetes' NewControllerRef). */
export function controllerReference(owner: JsonObject, definition: ResourceDefinition): JsonObject {
  return { apiVersion: apiVersionOf(definition), kind: definition.kind, name: nameOf(owner), uid: uidOf(owner), controller: true, blockOwnerDeletion: true };
}

export function finalizersOf(object: JsonObject): string[] {
  return asArray(getPath(object, ['metadata', 'finalizers'])).flatMap((item) => (typeof item === 'string' ? [item] : []));
}

/** Kubernetes timestamps are RFC 3339 in whole seconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
