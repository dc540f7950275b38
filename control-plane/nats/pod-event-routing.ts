import { getPath, isJsonObject, type JsonObject } from '../api/json.ts';

export interface RoutedPodChange {
  readonly nodeName: string;
  readonly type: 'added' | 'updated' | 'deleted';
}

function nodeOf(pod: JsonObject | null): string {
  const name = pod === null ? undefined : getPath(pod, ['spec', 'nodeName']);
  return typeof name === 'string' ? name : '';
}

/**
 * Which node subjects hear about one stored pod change, and as what (pure). Unbound pods concern
 * no agent; binding (nodeName '' → X) is an `added` for X; a pod whose nodeName changed from one
 * node to another (not something the API allows, but cheap to get right) is `deleted` for the
 * old node and `added` for the new one.
 */
export function routePodChange(type: 'created' | 'updated' | 'deleted', pod: JsonObject, previous: JsonObject | null): RoutedPodChange[] {
  const now = nodeOf(pod);
  if (type === 'deleted') return now === '' ? [] : [{ nodeName: now, type: 'deleted' }];
  if (type === 'created') return now === '' ? [] : [{ nodeName: now, type: 'added' }];
  const before = nodeOf(previous);
  if (before === now) return now === '' ? [] : [{ nodeName: now, type: 'updated' }];
  const routes: RoutedPodChange[] = [];
  if (before !== '') routes.push({ nodeName: before, type: 'deleted' });
  if (now !== '') routes.push({ nodeName: now, type: 'added' });
  return routes;
}

/** Decodes a stored pod value (JSON bytes) for routing; null when it is not a JSON object. */
export function parseStoredObject(value: Uint8Array | null): JsonObject | null {
  if (value === null) return null;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(value));
    return isJsonObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
