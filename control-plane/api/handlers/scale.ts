import { asObject, asString, cloneJson, ensureObject, getPath, type JsonObject } from '../json.ts';
import type { ResourceDefinition, ScaleSubresource } from '../registry/resource.ts';
import { defineResource } from '../registry/resource.ts';
import { objectSchemaFor } from '../schema/meta-schemas.ts';
import { s } from '../schema/schema.ts';
import { fromLabelSelectorObject, selectorToString } from '../selectors/label-selector.ts';
import { errors } from '../status.ts';
import { fieldError, toCause } from '../validation/field-error.ts';

/** autoscaling/v1 Scale: the view of a workload that `kubectl scale` and autoscalers read and write. */
export const scaleResource: ResourceDefinition = defineResource({
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  plural: 'scale',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.autoscaling.v1.Scale', 'Scale represents a scaling request for a resource.', {
    spec: s.object('io.k8s.api.autoscaling.v1.ScaleSpec', 'ScaleSpec describes the attributes of a scale subresource.', { replicas: s.int32('replicas is the desired number of instances for the scaled object.') }),
    status: s.object('io.k8s.api.autoscaling.v1.ScaleStatus', 'ScaleStatus represents the current status of a scale subresource.', {
      replicas: s.int32('replicas is the actual number of observed instances of the scaled object.'),
      selector: s.string('selector is the label query over pods that should match the replicas count.'),
    }),
  }),
});

export function scaleOf(definition: ResourceDefinition, object: JsonObject): JsonObject {
  const scale = definition.subresources.scale;
  if (scale === undefined) throw errors.pathNotFound(`${definition.plural}/scale`);
  const metadata = asObject(object['metadata']) ?? {};
  const replicas = getPath(object, scale.specReplicasPath);
  const statusReplicas = getPath(object, scale.statusReplicasPath);
  const selector = scale.labelSelectorPath === undefined ? '' : selectorToString(fromLabelSelectorObject(getPath(object, scale.labelSelectorPath)));
  const scaleMetadata: JsonObject = {};
  for (const key of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) if (metadata[key] !== undefined) scaleMetadata[key] = metadata[key];
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: scaleMetadata,
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, selector },
  };
}

/** The workload with the Scale's desired replicas; the Scale's resourceVersion stays a precondition. */
export function applyScale(definition: ResourceDefinition, current: JsonObject, scale: JsonObject): JsonObject {
  const paths = definition.subresources.scale as ScaleSubresource;
  const replicas = getPath(scale, ['spec', 'replicas']);
  const name = asString(getPath(current, ['metadata', 'name'])) ?? '';
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', name, [toCause(fieldError.invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0'))]);
  }
  const next = cloneJson(current);
  let parent = next;
  for (const key of paths.specReplicasPath.slice(0, -1)) parent = ensureObject(parent, key);
  parent[paths.specReplicasPath[paths.specReplicasPath.length - 1] ?? 'replicas'] = replicas;
  const metadata = ensureObject(next, 'metadata');
  const precondition = asString(getPath(scale, ['metadata', 'resourceVersion']));
  if (precondition === undefined || precondition === '') delete metadata['resourceVersion'];
  else metadata['resourceVersion'] = precondition;
  return next;
}
