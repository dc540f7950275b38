import { asString, objectsIn, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { containersUsageCell, metricsGroup, metricsVersion, timestampSchema, usageSchema, validateWindow, windowSchema } from './resource-metrics-shared.ts';

function validatePodMetrics(object: JsonObject): FieldError[] {
  const problems = validateWindow(object);
  const seen = new Set<string>();
  objectsIn(object['containers']).forEach((container, index) => {
    const name = asString(container['name']) ?? '';
    if (name === '') problems.push(fieldError.required(`containers[${index}].name`));
    else if (seen.has(name)) problems.push(fieldError.duplicate(`containers[${index}].name`, name));
    seen.add(name);
  });
  return problems;
}

/**
 * metrics.k8s.io/v1beta1 PodMetrics, named as its pod: what `kubectl top pod` lists and the
 * HorizontalPodAutoscaler reads. Served from the store: node agents write one per pod they run
 * (see control-plane/controllers/README.md, "Resource metrics"), so the usual verbs stay open to them.
 */
export const podMetricsResource = defineResource({
  group: metricsGroup,
  version: metricsVersion,
  kind: 'PodMetrics',
  plural: 'pods',
  singular: 'podmetrics',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics', 'PodMetrics sets resource usage metrics of a pod.', {
    timestamp: timestampSchema,
    window: windowSchema,
    containers: s.keyedList(s.object('io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics', 'ContainerMetrics sets resource usage metrics of a container.', {
      name: s.string('Container name corresponding to the one from pod.spec.containers.'),
      usage: usageSchema,
    }, ['name']), 'name', 'Metrics for all containers are collected within the same time window.'),
  }),
  validate: validatePodMetrics,
  columns: [
    column('CPU', 'The cpu usage of each container.', (object) => containersUsageCell(object, 'cpu')),
    column('Memory', 'The memory usage of each container.', (object) => containersUsageCell(object, 'memory')),
    column('Window', 'The interval the usage was averaged over.', (object) => stringAt(object, ['window'])),
    ageColumn,
  ],
});
