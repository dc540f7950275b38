import { asObject, objectsIn, type JsonObject } from '../../api/json.ts';

/** Node status fields the agent reports in full (kubelet's setters own them). */
const agentOwnedNodeFields = ['capacity', 'allocatable', 'addresses', 'nodeInfo', 'daemonEndpoints'] as const;

/**
 * The node status after an agent's report, pure: the agent's fields replace ours, and its
 * conditions replace those of the same type (the node lifecycle controller's writes to other
 * types — or to these, in between reports — are otherwise kept).
 */
export function mergeNodeStatus(current: JsonObject | undefined, reported: JsonObject): JsonObject {
  const merged: JsonObject = { ...(current ?? {}) };
  for (const field of agentOwnedNodeFields) {
    const value = reported[field];
    if (value !== undefined) merged[field] = value;
  }
  const reportedConditions = objectsIn(reported['conditions']);
  const reportedTypes = new Set(reportedConditions.map((condition) => condition['type']));
  const kept = objectsIn(asObject(current)?.['conditions']).filter((condition) => !reportedTypes.has(condition['type']));
  merged['conditions'] = [...reportedConditions, ...kept];
  return merged;
}
