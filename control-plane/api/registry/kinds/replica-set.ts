import { ensureObject, getPath } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podTemplateSpecSchema } from '../../schema/pod-schemas.ts';
import { s } from '../../schema/schema.ts';
import { fromLabelSelectorObject, selectorToString } from '../../selectors/label-selector.ts';
import { ageColumn, column, containerField, numberAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { validateWorkload } from './workload.ts';

export const replicaSetResource = defineResource({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  schema: objectSchemaFor('io.k8s.api.apps.v1.ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
    spec: s.object('io.k8s.api.apps.v1.ReplicaSetSpec', 'ReplicaSetSpec is the specification of a ReplicaSet.', {
      replicas: s.int32('Replicas is the number of desired pods. Defaults to 1.'),
      minReadySeconds: s.int32(),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
    }, ['selector']),
    status: s.object('io.k8s.api.apps.v1.ReplicaSetStatus', 'ReplicaSetStatus represents the current status of a ReplicaSet.', {
      replicas: s.int32(), fullyLabeledReplicas: s.int32(), readyReplicas: s.int32(), availableReplicas: s.int32(),
      terminatingReplicas: s.int32(), observedGeneration: s.int64(), conditions: conditionsSchema,
    }),
  }),
  defaults: (object) => {
    ensureObject(object, 'spec')['replicas'] ??= 1;
    defaultPodTemplate(object);
  },
  validate: validateWorkload,
  columns: [
    column('Desired', 'Number of desired pods.', (object) => numberAt(object, ['spec', 'replicas']), { type: 'integer' }),
    column('Current', 'Number of actual running pods.', (object) => numberAt(object, ['status', 'replicas']), { type: 'integer' }),
    column('Ready', 'Number of ready pods.', (object) => numberAt(object, ['status', 'readyReplicas']), { type: 'integer' }),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'image')),
    wide('Selector', 'Label selector for pods.', (object) => selectorToString(fromLabelSelectorObject(getPath(object, ['spec', 'selector']))) || '<none>'),
  ],
});
