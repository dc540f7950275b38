import { type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import type { FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { metricsGroup, metricsVersion, timestampSchema, usageCell, usageSchema, validateWindow, windowSchema } from './resource-metrics-shared.ts';

function validateNodeMetrics(object: JsonObject): FieldError[] {
  return validateWindow(object);
}

/**
 * metrics.k8s.io/v1beta1 NodeMetrics, named as its node: what `kubectl top node` lists. Written by
 * the node's agent (see control-plane/controllers/README.md, "Resource metrics").
 */
export const nodeMetricsResource = defineResource({
  group: metricsGroup,
  version: metricsVersion,
  kind: 'NodeMetrics',
  plural: 'nodes',
  singular: 'nodemetrics',
  namespaced: false,
  schema: objectSchemaFor('io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics', 'NodeMetrics sets resource usage metrics of a node.', {
    timestamp: timestampSchema,
    window: windowSchema,
    usage: usageSchema,
  }),
  validate: validateNodeMetrics,
  columns: [
    column('CPU', 'The cpu usage of the node.', (object) => usageCell(object['usage'], 'cpu')),
    column('Memory', 'The memory usage of the node.', (object) => usageCell(object['usage'], 'memory')),
    column('Window', 'The interval the usage was averaged over.', (object) => stringAt(object, ['window'])),
    ageColumn,
  ],
});
