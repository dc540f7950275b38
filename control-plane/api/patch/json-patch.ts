import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { PatchError } from './patch-error.ts';

/** Named limit: operations in one JSON patch (Kubernetes caps them at 10,000 too). */
export const jsonPatchOperationsMax = 10_000;

const operationNames = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** RFC 6902 JSON patch. The patch is checked before it is applied so that a bad one is a 400, a failing one a 422. */
export function applyJsonPatch(target: JsonObject, patch: JsonValue): JsonValue {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations ([{"op": "replace", "path": "/spec/replicas", "value": 3}])', true);
  if (patch.length > jsonPatchOperationsMax) throw new PatchError(`a JSON patch may have at most ${jsonPatchOperationsMax} operations`, true);
  patch.forEach((operation, index) => checkOperation(operation, index));
  try {
    const result = jsonPatch.applyPatch(cloneJson(target), patch as unknown as Operation[], true, true).newDocument as JsonValue;
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
    throw new PatchError(`the JSON patch could not be applied: ${message}`, false);
  }
}

function checkOperation(operation: JsonValue, index: number): void {
  if (!isJsonObject(operation)) throw new PatchError(`operation ${index} of the JSON patch is not an object`, true);
  const op = operation['op'];
  if (typeof op !== 'string' || !operationNames.has(op)) throw new PatchError(`operation ${index}: "op" must be one of add, remove, replace, move, copy, test`, true);
  if (typeof operation['path'] !== 'string') throw new PatchError(`operation ${index}: "path" must be a JSON pointer string such as "/metadata/labels/app"`, true);
  if ((op === 'move' || op === 'copy') && typeof operation['from'] !== 'string') throw new PatchError(`operation ${index}: "${op}" needs a "from" path`, true);
  if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(operation, 'value')) throw new PatchError(`operation ${index}: "${op}" needs a "value"`, true);
}
