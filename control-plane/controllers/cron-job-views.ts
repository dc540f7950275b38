import { asNumber, asObject, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { creationMs, isBeingDeleted, nameOf, parseTimeMs, uidOf } from '../controller-runtime/index.ts';
import type { ChildJobView, ConcurrencyPolicy, CronJobView } from './cron-job-plan.ts';

/** Readers of CronJob and Job objects into the CronJob plan's views. Pure. */

function concurrencyPolicyOf(value: unknown): ConcurrencyPolicy {
  return value === 'Forbid' || value === 'Replace' ? value : 'Allow';
}

export function cronJobView(cronJob: JsonObject): CronJobView {
  const spec = asObject(cronJob['spec']) ?? {};
  const status = asObject(cronJob['status']) ?? {};
  return {
    name: nameOf(cronJob),
    creationMs: creationMs(cronJob),
    beingDeleted: isBeingDeleted(cronJob),
    suspended: spec['suspend'] === true,
    concurrencyPolicy: concurrencyPolicyOf(spec['concurrencyPolicy']),
    startingDeadlineSeconds: asNumber(spec['startingDeadlineSeconds']),
    successfulJobsHistoryLimit: asNumber(spec['successfulJobsHistoryLimit']),
    failedJobsHistoryLimit: asNumber(spec['failedJobsHistoryLimit']),
    lastScheduleMs: parseTimeMs(status['lastScheduleTime']),
    lastSuccessfulMs: parseTimeMs(status['lastSuccessfulTime']),
    active: objectsIn(status['active']).map((reference) => ({ name: asString(reference['name']) ?? '', uid: asString(reference['uid']) ?? '' })),
  };
}

/** Complete or Failed (a True condition), as Kubernetes' IsJobFinished. */
export function jobFinishedAs(job: JsonObject): 'Complete' | 'Failed' | undefined {
  const finished = objectsIn(getPath(job, ['status', 'conditions'])).find((condition) => (condition['type'] === 'Complete' || condition['type'] === 'Failed') && condition['status'] === 'True');
  return finished === undefined ? undefined : (finished['type'] as 'Complete' | 'Failed');
}

export function childJobView(job: JsonObject): ChildJobView {
  return {
    name: nameOf(job), uid: uidOf(job), finished: jobFinishedAs(job),
    completionMs: parseTimeMs(getPath(job, ['status', 'completionTime'])),
    startMs: parseTimeMs(getPath(job, ['status', 'startTime'])),
  };
}
