import { isJsonObject, type JsonValue } from '../api/json.ts';

/** The label that ties a Deployment's ReplicaSet and pods to one version of its template. */
export const podTemplateHashLabel = 'pod-template-hash';

function stableJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isJsonObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson(value[key] ?? null)}`).join(',')}}`;
  return JSON.stringify(value);
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * Kubernetes' ComputeHash: FNV-32a of the template (and the collision count), rendered with
 * SafeEncodeString so it never spells words and is a valid label value. Pure.
 */
export function templateHash(template: JsonValue, collisionCount = 0): string {
  let hash = 0x811c9dc5;
  const text = stableJson(template) + (collisionCount > 0 ? String(collisionCount) : '');
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index) & 0xff;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash >>> 0)].map((digit) => safeAlphabet[digit.charCodeAt(0) % safeAlphabet.length] ?? 'b').join('');
}
