import { cloneJson, type JsonObject } from '../api/json.ts';
import { conditionDiffers, isoSeconds, withCondition } from '../controller-runtime/index.ts';
import { formatIndexIntervals } from './job-indexes.ts';
import type { JobPlan } from './job-plan.ts';

/** Job conditions carry lastProbeTime next to lastTransitionTime. */
const jobConditionTimeFields = ['lastProbeTime'] as const;

/** Kubernetes omits zero counters (`omitempty`); ready and terminating are always written. */
function setCounter(status: JsonObject, field: string, value: number): void {
  if (value > 0) status[field] = value;
  else delete status[field];
}

/**
 * The Job's status after a plan, pure: counters, startTime, completionTime, completedIndexes and
 * the planned conditions (a condition is rewritten only when its status, reason or message changes,
 * so a repeated plan writes nothing).
 */
export function jobStatusAfter(previous: JsonObject, plan: JobPlan, nowMs: number): JsonObject {
  const status = cloneJson(previous);
  const counts = plan.status;
  setCounter(status, 'active', counts.active);
  setCounter(status, 'succeeded', counts.succeeded);
  setCounter(status, 'failed', counts.failed);
  status['ready'] = counts.ready;
  status['terminating'] = counts.terminating;
  if (counts.startTimeMs !== undefined) status['startTime'] = isoSeconds(counts.startTimeMs);
  if (counts.completedNow && status['completionTime'] === undefined) status['completionTime'] = isoSeconds(nowMs);
  if (counts.completedIndexes !== undefined) {
    const text = formatIndexIntervals(counts.completedIndexes);
    if (text === '') delete status['completedIndexes'];
    else status['completedIndexes'] = text;
  }
  let conditions: JsonObject[] | undefined = Array.isArray(status['conditions']) ? (status['conditions'] as JsonObject[]) : undefined;
  for (const update of plan.conditions) {
    if (conditionDiffers(conditions, update)) conditions = withCondition(conditions, update, isoSeconds(nowMs), jobConditionTimeFields);
  }
  if (conditions !== undefined) status['conditions'] = conditions;
  return status;
}
