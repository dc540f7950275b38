import { asObject, asString, objectsIn, type JsonObject } from '../../api/json.ts';

/** Pod status fields the agent of the pod's node owns, as kubelet does. */
const agentOwnedPodFields = ['phase', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'reason', 'message', 'initContainerStatuses', 'containerStatuses'] as const;
/** Conditions the agent computes; others (PodScheduled from the scheduler, DisruptionTarget, readiness gates) are kept. */
const agentOwnedConditions = new Set(['Initialized', 'Ready', 'ContainersReady']);

function isTerminal(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The pod status after the agent's report, pure. The agent's fields replace ours (an absent
 * reason/message clears it); its Initialized/Ready/ContainersReady conditions replace ours, and
 * its PodScheduled only fills in a missing one. A terminal phase never changes back (kubelet's rule:
 * a pod that ended is not resurrected by a late or confused report).
 */
export function mergePodStatus(current: JsonObject | undefined, reported: JsonObject): JsonObject {
  const base: JsonObject = { ...(current ?? {}) };
  if (isTerminal(asString(base['phase'])) && !isTerminal(asString(reported['phase']))) return base;
  for (const field of agentOwnedPodFields) {
    const value = reported[field];
    if (value === undefined) delete base[field];
    else base[field] = value;
  }
  const ours = objectsIn(asObject(current)?.['conditions']);
  const theirs = objectsIn(reported['conditions']);
  const conditions = ours.filter((condition) => !agentOwnedConditions.has(asString(condition['type']) ?? ''));
  for (const condition of theirs) {
    const type = asString(condition['type']) ?? '';
    if (agentOwnedConditions.has(type)) conditions.push(condition);
    else if (!conditions.some((existing) => existing['type'] === type)) conditions.push(condition);
  }
  base['conditions'] = conditions;
  return base;
}
