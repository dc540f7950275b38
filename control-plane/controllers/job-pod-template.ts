import { cloneJson, ensureObject, getPath, isJsonObject, objectsIn, type JsonObject } from '../api/json.ts';
import { jobResource } from '../api/registry/kinds/job.ts';
import { controllerReference, nameOf, namespaceOf } from '../controller-runtime/index.ts';
import { jobCompletionIndexAnnotation } from './job-pods.ts';

/** The environment variable Kubernetes gives every container of an Indexed Job's pod. */
export const jobCompletionIndexEnv = 'JOB_COMPLETION_INDEX';
/** generateName prefixes are cut to 58 characters by the API; the index part must survive the cut. */
const generateNamePrefixMax = 58;

/** Kubernetes' podGenerateNameWithIndex: `<job>-<index>-`, the job name shortened if needed. */
export function generateNameFor(jobName: string, index: number | undefined): string {
  if (index === undefined) return `${jobName}-`;
  const suffix = `-${String(index)}-`;
  return `${jobName.slice(0, Math.max(0, generateNamePrefixMax - suffix.length))}${suffix}`;
}

/** Adds JOB_COMPLETION_INDEX (from the pod's own annotation, by the downward API) where a container lacks it. */
function addIndexEnvironment(podSpec: JsonObject): void {
  const variable: JsonObject = { name: jobCompletionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${jobCompletionIndexAnnotation}']` } } };
  for (const listName of ['initContainers', 'containers']) {
    for (const container of objectsIn(podSpec[listName])) {
      const environment = objectsIn(container['env']);
      if (!environment.some((entry) => entry['name'] === jobCompletionIndexEnv)) container['env'] = [...environment, cloneJson(variable)];
    }
  }
}

/** The pod a Job creates from its template: controller reference, and for Indexed Jobs the index annotation, label, hostname and env. Pure. */
export function podForJob(job: JsonObject, index: number | undefined): JsonObject {
  const template = getPath(job, ['spec', 'template']);
  const templateMetadata = isJsonObject(getPath(template, ['metadata'])) ? (getPath(template, ['metadata']) as JsonObject) : {};
  const labels = cloneJson(isJsonObject(templateMetadata['labels']) ? templateMetadata['labels'] : {});
  const annotations = cloneJson(isJsonObject(templateMetadata['annotations']) ? templateMetadata['annotations'] : {});
  const spec = cloneJson(isJsonObject(getPath(template, ['spec'])) ? (getPath(template, ['spec']) as JsonObject) : {});
  if (index !== undefined) {
    annotations[jobCompletionIndexAnnotation] = String(index);
    labels[jobCompletionIndexAnnotation] = String(index);
    if (typeof spec['hostname'] !== 'string' || spec['hostname'] === '') spec['hostname'] = `${nameOf(job)}-${String(index)}`;
    addIndexEnvironment(spec);
  }
  const pod: JsonObject = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec };
  Object.assign(ensureObject(pod, 'metadata'), {
    generateName: generateNameFor(nameOf(job), index), namespace: namespaceOf(job), labels, annotations,
    ownerReferences: [controllerReference(job, jobResource)],
  });
  return pod;
}
