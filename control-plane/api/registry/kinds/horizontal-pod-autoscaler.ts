import { asObject, asString, ensureObject, getPath, objectsIn, type JsonObject } from '../../json.ts';
import { conditionsSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, numberAt, stringAt } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

/** Kubernetes' default target when an HPA names no metric: 80% average CPU utilization. */
const defaultCpuUtilizationPercent = 80;

function validateAutoscaler(object: JsonObject): FieldError[] {
  const spec = asObject(object['spec']) ?? {};
  const problems: FieldError[] = [];
  const target = asObject(spec['scaleTargetRef']);
  if (target === undefined) problems.push(fieldError.required('spec.scaleTargetRef'));
  else {
    if ((asString(target['kind']) ?? '') === '') problems.push(fieldError.required('spec.scaleTargetRef.kind'));
    if ((asString(target['name']) ?? '') === '') problems.push(fieldError.required('spec.scaleTargetRef.name'));
  }
  const min = typeof spec['minReplicas'] === 'number' ? spec['minReplicas'] : 1;
  const max = spec['maxReplicas'];
  if (typeof max !== 'number') problems.push(fieldError.required('spec.maxReplicas'));
  else if (max < min) problems.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  if (min < 1) problems.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  return problems;
}

/** kubectl's TARGETS cell: "cpu: 40%/80%" for each metric ("<unknown>" before a measurement). */
function targets(object: JsonObject): string {
  const current = objectsIn(getPath(object, ['status', 'currentMetrics']));
  const cells = objectsIn(getPath(object, ['spec', 'metrics'])).map((metric, index) => {
    const type = asString(metric['type']) ?? '';
    const source = asObject(metric[type.charAt(0).toLowerCase() + type.slice(1)]) ?? {};
    const wanted = asObject(source['target']) ?? {};
    const wantedText = typeof wanted['averageUtilization'] === 'number' ? `${wanted['averageUtilization']}%` : String(wanted['averageValue'] ?? wanted['value'] ?? '');
    const seen = asObject(asObject(current[index]?.[type.charAt(0).toLowerCase() + type.slice(1)])?.['current']) ?? {};
    const seenText = typeof seen['averageUtilization'] === 'number' ? `${seen['averageUtilization']}%` : seen['averageValue'] !== undefined ? String(seen['averageValue']) : '<unknown>';
    const name = asString(source['name']) ?? asString(getPath(source, ['metric', 'name'])) ?? type.toLowerCase();
    return `${name}: ${seenText}/${wantedText}`;
  });
  return cells.length === 0 ? '<none>' : cells.join(', ');
}

const metricTargetSchema = s.object('io.k8s.api.autoscaling.v2.MetricTarget', 'MetricTarget defines the target value, average value, or average utilization of a specific metric.', {
  type: s.string('type represents whether the metric type is Utilization, Value, or AverageValue.'), value: s.quantity(), averageValue: s.quantity(), averageUtilization: s.int32(),
}, ['type']);

export const horizontalPodAutoscalerResource = defineResource({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', 'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler.', {
    spec: s.object('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', 'HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.', {
      scaleTargetRef: s.object('io.k8s.api.autoscaling.v2.CrossVersionObjectReference', 'scaleTargetRef points to the target resource to scale.', { apiVersion: s.string(), kind: s.string(), name: s.string() }, ['kind', 'name']),
      minReplicas: s.int32('minReplicas is the lower limit for the number of replicas. Defaults to 1.'),
      maxReplicas: s.int32('maxReplicas is the upper limit for the number of replicas.'),
      metrics: s.array(s.object('io.k8s.api.autoscaling.v2.MetricSpec', 'MetricSpec specifies how to scale based on a single metric.', {
        type: s.string('type is the type of metric source: ContainerResource, External, Object, Pods or Resource.'),
        resource: s.object('io.k8s.api.autoscaling.v2.ResourceMetricSource', 'resource refers to a resource metric known to Kubernetes.', { name: s.string(), target: metricTargetSchema }, ['name', 'target']),
        containerResource: s.any(), external: s.any(), object: s.any(), pods: s.any(),
      }, ['type']), 'metrics contains the specifications for which to use to calculate the desired replica count.'),
      behavior: s.any('behavior configures the scaling behavior of the target in both Up and Down directions.'),
    }, ['scaleTargetRef', 'maxReplicas']),
    status: s.object('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', 'HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.', {
      observedGeneration: s.int64(), lastScaleTime: s.time(), currentReplicas: s.int32(), desiredReplicas: s.int32(), currentMetrics: s.array(s.any()), conditions: conditionsSchema,
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['minReplicas'] ??= 1;
    if (objectsIn(spec['metrics']).length === 0) {
      spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCpuUtilizationPercent } } }];
    }
  },
  validate: validateAutoscaler,
  columns: [
    column('Reference', 'The target of the autoscaler.', (object) => `${stringAt(object, ['spec', 'scaleTargetRef', 'kind'])}/${stringAt(object, ['spec', 'scaleTargetRef', 'name'])}`),
    column('Targets', 'The current and wanted metric values.', targets),
    column('MinPods', 'The lower limit of replicas.', (object) => numberAt(object, ['spec', 'minReplicas']), { type: 'integer' }),
    column('MaxPods', 'The upper limit of replicas.', (object) => numberAt(object, ['spec', 'maxReplicas']), { type: 'integer' }),
    column('Replicas', 'The current number of replicas.', (object) => numberAt(object, ['status', 'currentReplicas']), { type: 'integer' }),
    ageColumn,
  ],
});
