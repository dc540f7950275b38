import { cloneJson, isJsonObject, type JsonValue } from '../json.ts';

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else (lists too) replaces. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
