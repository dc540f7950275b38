import { cloneJson, getPath, isJsonObject, type JsonObject } from '../api/json.ts';
import { cronJobResource } from '../api/registry/kinds/cron-job.ts';
import { controllerReference, namespaceOf } from '../controller-runtime/index.ts';

/** The annotation by which a CronJob's Job tells which activation it is (RFC 3339 in the CronJob's zone). */
export const cronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Go's time.RFC3339 of `ms` in `timeZone`: "2025-03-30T09:00:00+02:00", or "...Z" at offset zero. */
export function rfc3339InZone(ms: number, timeZone: string): string {
  const wholeMs = Math.floor(ms / 1000) * 1000;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(wholeMs));
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? '0');
  const localMs = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  const offsetMinutes = Math.round((localMs - wholeMs) / 60_000);
  const date = `${String(part('year')).padStart(4, '0')}-${twoDigits(part('month'))}-${twoDigits(part('day'))}T${twoDigits(part('hour'))}:${twoDigits(part('minute'))}:${twoDigits(part('second'))}`;
  if (offsetMinutes === 0) return `${date}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${date}${sign}${twoDigits(Math.floor(Math.abs(offsetMinutes) / 60))}:${twoDigits(Math.abs(offsetMinutes) % 60)}`;
}

/** Kubernetes' getJobFromTemplate2: the jobTemplate's labels, annotations and spec, the deterministic name, the scheduled-time annotation, a controller reference. Pure. */
export function jobForCronJob(cronJob: JsonObject, name: string, scheduledMs: number, timeZone: string): JsonObject {
  const template = getPath(cronJob, ['spec', 'jobTemplate']);
  const labels = getPath(template, ['metadata', 'labels']);
  const annotations = getPath(template, ['metadata', 'annotations']);
  const spec = getPath(template, ['spec']);
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name, namespace: namespaceOf(cronJob),
      labels: isJsonObject(labels) ? cloneJson(labels) : {},
      annotations: { ...(isJsonObject(annotations) ? cloneJson(annotations) : {}), [cronJobScheduledTimestampAnnotation]: rfc3339InZone(scheduledMs, timeZone) },
      ownerReferences: [controllerReference(cronJob, cronJobResource)],
    },
    spec: isJsonObject(spec) ? cloneJson(spec) : {},
  };
}
