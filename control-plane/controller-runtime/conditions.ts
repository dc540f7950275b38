import { asString, objectsIn, type JsonObject } from '../api/json.ts';

export interface ConditionUpdate {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

export function findCondition(conditions: unknown, type: string): JsonObject | undefined {
  return objectsIn(conditions).find((condition) => condition['type'] === type);
}

export function conditionStatus(conditions: unknown, type: string): string | undefined {
  return asString(findCondition(conditions, type)?.['status']);
}

/**
 * Conditions with `update` applied: lastTransitionTime moves only when the status changes; the
 * kind's own time fields (lastUpdateTime, lastHeartbeatTime, lastProbeTime) are set when given. Pure.
 */
export function withCondition(conditions: unknown, update: ConditionUpdate, nowIso: string, timeFields: readonly string[] = []): JsonObject[] {
  const existing = objectsIn(conditions);
  const previous = existing.find((condition) => condition['type'] === update.type);
  const changed = previous?.['status'] !== update.status;
  const next: JsonObject = { type: update.type, status: update.status };
  for (const field of timeFields) next[field] = nowIso;
  next['lastTransitionTime'] = changed || previous?.['lastTransitionTime'] === undefined ? nowIso : (previous['lastTransitionTime'] ?? nowIso);
  next['reason'] = update.reason;
  next['message'] = update.message;
  if (previous === undefined) return [...existing, next];
  return existing.map((condition) => (condition === previous ? next : condition));
}

/** Whether applying `update` would change anything but time fields. */
export function conditionDiffers(conditions: unknown, update: ConditionUpdate): boolean {
  const previous = findCondition(conditions, update.type);
  return previous === undefined || previous['status'] !== update.status || previous['reason'] !== update.reason || previous['message'] !== update.message;
}
