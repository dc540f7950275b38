import type { JsonObject, JsonValue } from '../../control-plane/index.ts';

/**
 * Readers of JSON object fields for the simulator (the control plane's own helpers are internal
 * to it). All pure; a missing or mistyped field reads as undefined / empty.
 */

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordAt(object: JsonObject, path: readonly string[]): JsonObject | undefined {
  const value = valueAt(object, path);
  return isRecord(value) ? value : undefined;
}

export function valueAt(object: JsonObject, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const segment of path) {
    if (!isRecord(current)) return undefined;
    current = current[segment];
  }
  return current;
}

export function stringAt(object: JsonObject, path: readonly string[]): string {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : '';
}

export function numberAt(object: JsonObject, path: readonly string[]): number | undefined {
  const value = valueAt(object, path);
  return typeof value === 'number' ? value : undefined;
}

/** The objects of an array field (other items skipped). */
export function recordsAt(object: JsonObject, path: readonly string[]): JsonObject[] {
  const value = valueAt(object, path);
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
