import { asNumber, asObject, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { parseTimeMs } from '../controller-runtime/index.ts';
import type { JobSpecView, JobStatusView } from './job-plan.ts';

/** Readers of a Job object into the plan's views (the API's defaults are already applied). Pure. */

export function jobSpecView(job: JsonObject): JobSpecView {
  const spec = asObject(job['spec']) ?? {};
  const completions = asNumber(spec['completions']);
  return {
    completions,
    parallelism: asNumber(spec['parallelism']) ?? 1,
    backoffLimit: asNumber(spec['backoffLimit']) ?? 6,
    activeDeadlineSeconds: asNumber(spec['activeDeadlineSeconds']),
    suspended: spec['suspend'] === true,
    indexed: spec['completionMode'] === 'Indexed' && completions !== undefined,
    restartOnFailure: getPath(spec, ['template', 'spec', 'restartPolicy']) === 'OnFailure',
    replaceOnlyFailed: spec['podReplacementPolicy'] === 'Failed',
  };
}

export function jobStatusView(job: JsonObject): JobStatusView {
  const status = asObject(job['status']) ?? {};
  return {
    startTimeMs: parseTimeMs(status['startTime']),
    succeeded: asNumber(status['succeeded']) ?? 0,
    failed: asNumber(status['failed']) ?? 0,
    completedIndexes: asString(status['completedIndexes']) ?? '',
    conditions: objectsIn(status['conditions']).map((condition) => ({
      type: asString(condition['type']) ?? '', status: asString(condition['status']) ?? '',
      reason: asString(condition['reason']) ?? '', message: asString(condition['message']) ?? '',
    })),
  };
}
