import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../json.ts';
import { childSchema, itemSchema, type FieldSchema } from '../schema/schema.ts';
import { PatchError } from './patch-error.ts';

/**
 * Kubernetes' strategic merge patch, driven by the kind's schema: lists declared with a merge key
 * (containers by name, ports by containerPort, conditions by type…) merge element by element,
 * primitive lists with strategy merge (finalizers) are unions, other lists are replaced.
 * Directives: `$patch: replace | delete | merge` in maps and list elements, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonValue, schema: FieldSchema): JsonObject {
  if (!isJsonObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object', true);
  const result = mergeMap(original, patch, schema, 0);
  return result ?? {};
}

/** Named limit: nesting depth walked by a patch (deeper bodies are refused instead of recursed into). */
export const patchDepthMax = 100;

const deleteFromPrimitiveList = '$deleteFromPrimitiveList/';
const setElementOrder = '$setElementOrder/';

function mergeMap(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined, depth: number): JsonObject | null {
  if (depth > patchDepthMax) throw new PatchError(`the patch is nested deeper than ${patchDepthMax} levels`, true);
  const directive = patch['$patch'];
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return null;
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`unknown $patch directive "${String(directive)}": use replace, delete or merge`, true);
  const result: JsonObject = { ...original };
  applyRetainKeys(result, patch['$retainKeys']);
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(setElementOrder)) continue;
    if (key.startsWith(deleteFromPrimitiveList)) {
      removeFromPrimitiveList(result, key.slice(deleteFromPrimitiveList.length), value);
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeValue(result[key], value, childSchema(schema, key), depth + 1);
    if (merged === null) delete result[key];
    else result[key] = merged;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (key.startsWith(setElementOrder)) orderList(result, key.slice(setElementOrder.length), order, childSchema(schema, key.slice(setElementOrder.length)));
  }
  return result;
}

function mergeValue(original: JsonValue | undefined, patch: JsonValue, schema: FieldSchema | undefined, depth: number): JsonValue | null {
  if (isJsonObject(patch)) return mergeMap(isJsonObject(original) ? original : {}, patch, schema, depth);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, schema, depth);
  return patch;
}

function mergeList(original: JsonValue[], patch: JsonValue[], schema: FieldSchema | undefined, depth: number): JsonValue[] {
  const replace = patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace');
  if (replace) return patch.filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace')).map(stripValue);
  if (schema?.type !== 'array' || schema.patchStrategy !== 'merge') return patch.map(stripValue);
  const mergeKey = schema.mergeKey;
  if (mergeKey === undefined) {
    // A primitive list with strategy merge is a set union that keeps the original order.
    const result = [...original];
    for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(item);
    return result;
  }
  const result = [...original];
  for (const item of patch) {
    if (!isJsonObject(item)) throw new PatchError(`a list merged by "${mergeKey}" must contain objects`, true);
    if (!Object.hasOwn(item, mergeKey)) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`, true);
    const index = result.findIndex((existing) => isJsonObject(existing) && jsonEqual(existing[mergeKey], item[mergeKey]));
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    const merged = mergeMap(isJsonObject(existing) ? existing : {}, item, itemSchema(schema), depth + 1);
    if (merged === null) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = merged;
    else result.push(merged);
  }
  return result;
}

function applyRetainKeys(result: JsonObject, retainKeys: JsonValue | undefined): void {
  if (retainKeys === undefined) return;
  if (!Array.isArray(retainKeys)) throw new PatchError('$retainKeys must be a list of field names', true);
  for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
}

function removeFromPrimitiveList(result: JsonObject, key: string, values: JsonValue): void {
  if (!Array.isArray(values)) throw new PatchError(`${deleteFromPrimitiveList}${key} must be a list`, true);
  const current = result[key];
  if (!Array.isArray(current)) return;
  result[key] = current.filter((item) => !values.some((value) => jsonEqual(value, item)));
}

/** Puts the list's elements in the order the client saw (elements the order does not name keep their place at the end). */
function orderList(result: JsonObject, key: string, order: JsonValue, schema: FieldSchema | undefined): void {
  const current = result[key];
  if (!Array.isArray(current) || !Array.isArray(order)) return;
  const mergeKey = schema?.type === 'array' ? schema.mergeKey : undefined;
  const identity = (item: JsonValue): JsonValue | undefined => (mergeKey !== undefined && isJsonObject(item) ? item[mergeKey] : item);
  const wanted = order.map(identity);
  const positionOf = (item: JsonValue): number => {
    const position = wanted.findIndex((value) => jsonEqual(value, identity(item)));
    return position < 0 ? wanted.length : position;
  };
  result[key] = current
    .map((item, index) => ({ item, index }))
    .sort((left, right) => positionOf(left.item) - positionOf(right.item) || left.index - right.index)
    .map(({ item }) => item);
}

function stripValue(value: JsonValue): JsonValue {
  if (isJsonObject(value)) return stripDirectives(value);
  if (Array.isArray(value)) return value.map(stripValue);
  return value;
}

/** A replaced value is stored without any directive keys. */
function stripDirectives(value: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    result[key] = stripValue(cloneJson(item));
  }
  return result;
}
