import { asArray, asObject, ensureObject, getPath, type JsonObject } from '../../json.ts';
import { objectMetaSchema, objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageOf } from '../../table/human-duration.ts';
import { ageColumn, column, containerField, stringAt, wide } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { defaultJobSpec, jobSpecSchema } from './job.ts';
import { workloadValidator } from './workload.ts';
import { fromLabelSelectorObject, selectorToString } from '../../selectors/label-selector.ts';

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];
const scheduleMacros = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
/** One cron field: `*`, numbers, names, ranges, lists and steps (robfig/cron's standard parser). */
const cronField = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

function validateSchedule(schedule: unknown): FieldError[] {
  if (typeof schedule !== 'string' || schedule.trim() === '') return [fieldError.required('spec.schedule')];
  const text = schedule.trim().replace(/^(CRON_)?TZ=\S+\s+/, '');
  if (text.startsWith('@')) return scheduleMacros.includes(text) || /^@every \S+$/.test(text) ? [] : [fieldError.invalid('spec.schedule', schedule, 'unrecognized descriptor')];
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return [fieldError.invalid('spec.schedule', schedule, `expected exactly 5 fields, found ${fields.length}`)];
  return fields.every((field) => cronField.test(field)) ? [] : [fieldError.invalid('spec.schedule', schedule, 'a field is not a valid cron expression')];
}

const validateJobTemplate = workloadValidator({ restartPolicies: ['OnFailure', 'Never'], specPath: ['spec', 'jobTemplate', 'spec'], kindName: 'job', selectorOptional: true });

function validateCronJob(object: JsonObject, old: JsonObject | null): FieldError[] {
  const spec = asObject(object['spec']) ?? {};
  const problems = validateSchedule(spec['schedule']);
  const policy = spec['concurrencyPolicy'];
  if (typeof policy === 'string' && !concurrencyPolicies.includes(policy)) problems.push(fieldError.notSupported('spec.concurrencyPolicy', policy, concurrencyPolicies));
  return [...problems, ...validateJobTemplate(object, old)];
}

export const cronJobResource = defineResource({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.batch.v1.CronJob', 'CronJob represents the configuration of a single cron job.', {
    spec: s.object('io.k8s.api.batch.v1.CronJobSpec', 'CronJobSpec describes how the job execution will look like and when it will actually run.', {
      schedule: s.string('The schedule in Cron format.'),
      timeZone: s.string('The time zone name for the given schedule.'),
      startingDeadlineSeconds: s.int64(),
      concurrencyPolicy: s.string('Specifies how to treat concurrent executions of a Job: Allow (default), Forbid, Replace.', { enum: concurrencyPolicies }),
      suspend: s.boolean('This flag tells the controller to suspend subsequent executions.'),
      jobTemplate: s.object('io.k8s.api.batch.v1.JobTemplateSpec', 'Specifies the job that will be created when executing a CronJob.', { metadata: objectMetaSchema, spec: jobSpecSchema }),
      successfulJobsHistoryLimit: s.int32(), failedJobsHistoryLimit: s.int32(),
    }, ['schedule', 'jobTemplate']),
    status: s.object('io.k8s.api.batch.v1.CronJobStatus', 'CronJobStatus represents the current state of a cron job.', {
      active: s.array(objectReferenceSchema), lastScheduleTime: s.time(), lastSuccessfulTime: s.time(),
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['concurrencyPolicy'] ??= 'Allow';
    spec['suspend'] ??= false;
    spec['successfulJobsHistoryLimit'] ??= 3;
    spec['failedJobsHistoryLimit'] ??= 1;
    const jobSpec = ensureObject(ensureObject(spec, 'jobTemplate'), 'spec');
    defaultJobSpec(jobSpec);
  },
  validate: validateCronJob,
  columns: [
    column('Schedule', 'The schedule.', (object) => stringAt(object, ['spec', 'schedule'])),
    column('Timezone', 'The time zone of the schedule.', (object) => stringAt(object, ['spec', 'timeZone']) || '<none>'),
    column('Suspend', 'Whether the cron job is suspended.', (object) => (getPath(object, ['spec', 'suspend']) === true ? 'True' : 'False')),
    column('Active', 'The number of running jobs.', (object) => asArray(getPath(object, ['status', 'active'])).length, { type: 'integer' }),
    column('Last Schedule', 'When the job was last scheduled.', (object, nowMs) => {
      const last = getPath(object, ['status', 'lastScheduleTime']);
      return last === undefined ? '<none>' : ageOf(last, nowMs);
    }),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'jobTemplate', 'spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'jobTemplate', 'spec', 'template', 'spec'], 'image')),
    wide('Selector', 'Label selector for pods.', (object) => selectorToString(fromLabelSelectorObject(getPath(object, ['spec', 'jobTemplate', 'spec', 'selector']))) || '<none>'),
  ],
});
