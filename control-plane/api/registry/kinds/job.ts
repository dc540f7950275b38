import { asObject, asString, ensureObject, getPath, objectsIn, type JsonObject } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podTemplateSpecSchema } from '../../schema/pod-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, containerField, numberAt, stringAt, wide } from '../../table/columns.ts';
import { humanDuration } from '../../table/human-duration.ts';
import { validateNonNegative } from '../../validation/pod-spec.ts';
import { defineResource } from '../resource.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { selectorText, workloadValidator } from './workload.ts';

export const jobSpecSchema = s.object('io.k8s.api.batch.v1.JobSpec', 'JobSpec describes how the job execution will look like.', {
  parallelism: s.int32('Specifies the maximum desired number of pods the job should run at any given time.'),
  completions: s.int32('Specifies the desired number of successfully finished pods the job should be run with.'),
  activeDeadlineSeconds: s.int64(),
  podFailurePolicy: s.any(), successPolicy: s.any(),
  backoffLimit: s.int32('Specifies the number of retries before marking this job failed. Defaults to 6.'),
  backoffLimitPerIndex: s.int32(), maxFailedIndexes: s.int32(),
  selector: labelSelectorSchema,
  manualSelector: s.boolean('manualSelector controls generation of pod labels and pod selectors.'),
  template: podTemplateSpecSchema,
  ttlSecondsAfterFinished: s.int32(),
  completionMode: s.string('completionMode specifies how Pod completions are tracked. NonIndexed (default) or Indexed.', { enum: ['NonIndexed', 'Indexed'] }),
  suspend: s.boolean('suspend specifies whether the Job controller should create Pods or not.'),
  podReplacementPolicy: s.string(), managedBy: s.string(),
}, ['template']);

/** Kubernetes' Job defaults, shared with CronJob's jobTemplate. */
export function defaultJobSpec(spec: JsonObject): void {
  if (spec['completions'] === undefined && spec['parallelism'] === undefined) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  spec['parallelism'] ??= 1;
  spec['backoffLimit'] ??= 6;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  spec['manualSelector'] ??= false;
  spec['podReplacementPolicy'] ??= 'TerminatingOrFailed';
  defaultPodTemplate({ spec });
}

/**
 * As Kubernetes does: unless manualSelector, the Job's pods are selected by its own uid, and
 * its template carries the matching labels (so two Jobs never adopt each other's pods).
 */
function generateSelector(object: JsonObject): void {
  const spec = ensureObject(object, 'spec');
  if (spec['manualSelector'] === true || spec['selector'] !== undefined) return;
  const uid = asString(getPath(object, ['metadata', 'uid'])) ?? '';
  const name = asString(getPath(object, ['metadata', 'name'])) ?? '';
  spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const labels = ensureObject(ensureObject(ensureObject(spec, 'template'), 'metadata'), 'labels');
  Object.assign(labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name });
}

/** kubectl 1.32's STATUS column for Jobs. */
function jobStatus(object: JsonObject): string {
  const conditions = objectsIn(getPath(object, ['status', 'conditions'])).filter((condition) => condition['status'] === 'True');
  const has = (type: string) => conditions.some((condition) => condition['type'] === type);
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (getPath(object, ['metadata', 'deletionTimestamp']) !== undefined) return 'Terminating';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

function completions(object: JsonObject): string {
  const succeeded = numberAt(object, ['status', 'succeeded']);
  const wanted = getPath(object, ['spec', 'completions']);
  if (typeof wanted === 'number') return `${succeeded}/${wanted}`;
  const parallelism = numberAt(object, ['spec', 'parallelism']);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(object: JsonObject, nowMs: number): string {
  const start = Date.parse(stringAt(object, ['status', 'startTime']));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(stringAt(object, ['status', 'completionTime']));
  return humanDuration((Number.isNaN(end) ? nowMs : end) - start);
}

const validateJobTemplate = workloadValidator({ restartPolicies: ['OnFailure', 'Never'], specPath: ['spec'], kindName: 'job' });

export const jobResource = defineResource({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.batch.v1.Job', 'Job represents the configuration of a single job.', {
    spec: jobSpecSchema,
    status: s.object('io.k8s.api.batch.v1.JobStatus', 'JobStatus represents the current state of a Job.', {
      conditions: conditionsSchema, startTime: s.time(), completionTime: s.time(), active: s.int32(), succeeded: s.int32(), failed: s.int32(),
      terminating: s.int32(), completedIndexes: s.string(), failedIndexes: s.string(), uncountedTerminatedPods: s.any(), ready: s.int32(),
    }),
  }),
  defaults: (object) => {
    defaultJobSpec(ensureObject(object, 'spec'));
    generateSelector(object);
  },
  validate: (object, old) => {
    const spec = asObject(object['spec']) ?? {};
    return [
      ...validateJobTemplate(object, old),
      ...validateNonNegative(spec, 'parallelism', 'spec.parallelism'),
      ...validateNonNegative(spec, 'completions', 'spec.completions'),
      ...validateNonNegative(spec, 'backoffLimit', 'spec.backoffLimit'),
    ];
  },
  columns: [
    column('Status', 'Status of the job.', jobStatus),
    column('Completions', 'The completion status of the job.', completions),
    column('Duration', 'Time elapsed between the start and completion of the job.', duration),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'image')),
    wide('Selector', 'Label selector for pods.', selectorText),
  ],
  fieldSelectors: { 'status.successful': (object) => String(numberAt(object, ['status', 'succeeded'])) },
});
