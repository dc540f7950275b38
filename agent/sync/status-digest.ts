import { asObject, asString, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';

/** The conditions the agent owns (kubelet's). */
const agentConditions = ['Initialized', 'ContainersReady', 'Ready'];

/**
 * What of a pod status the agent vouches for, as one comparable string (pure): phase, its
 * conditions' statuses, and per container readiness, restarts and state. When the API's copy
 * differs from the worker's (someone else wrote it — the node controller marks pods not ready
 * when the node was unreachable — or a write was lost), the agent writes its status again.
 * Times and messages are left out, so formatting never causes a write loop.
 */
export function statusDigest(status: JsonObject | undefined): string {
  if (status === undefined) return '';
  const conditions = objectsIn(status['conditions'])
    .filter((condition) => agentConditions.includes(asString(condition['type']) ?? ''))
    .map((condition) => `${asString(condition['type'])}=${asString(condition['status'])}`)
    .sort();
  const containers = [...objectsIn(status['initContainerStatuses']), ...objectsIn(status['containerStatuses'])].map((container) => {
    const state = Object.keys(asObject(container['state']) ?? {}).sort().join('+');
    return `${asString(container['name'])}:${container['ready'] === true}:${String(container['restartCount'] ?? 0)}:${state}`;
  });
  return [asString(status['phase']) ?? '', asString(status['podIP']) ?? '', ...conditions, ...containers].join('|');
}
