import { ensureObject } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podTemplateSpecSchema } from '../../schema/pod-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, containerField, numberAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { longRunningValidator } from './workload.ts';

export const statefulSetResource = defineResource({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  schema: objectSchemaFor('io.k8s.api.apps.v1.StatefulSet', 'StatefulSet represents a set of pods with consistent identities.', {
    spec: s.object('io.k8s.api.apps.v1.StatefulSetSpec', 'A StatefulSetSpec is the specification of a StatefulSet.', {
      replicas: s.int32('replicas is the desired number of replicas of the given Template. Defaults to 1.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      volumeClaimTemplates: s.array(s.any(), 'volumeClaimTemplates is a list of claims that pods are allowed to reference.'),
      serviceName: s.string('serviceName is the name of the service that governs this StatefulSet.'),
      podManagementPolicy: s.string('podManagementPolicy controls how pods are created during initial scale up. OrderedReady (default) or Parallel.', { enum: ['OrderedReady', 'Parallel'] }),
      updateStrategy: s.object('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', 'updateStrategy indicates the StatefulSetUpdateStrategy used to update Pods.', {
        type: s.string('Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.', { enum: ['RollingUpdate', 'OnDelete'] }),
        rollingUpdate: s.object(undefined, 'RollingUpdate is used to communicate parameters when Type is RollingUpdate.', { partition: s.int32(), maxUnavailable: s.intOrString() }),
      }),
      revisionHistoryLimit: s.int32(),
      minReadySeconds: s.int32(),
      persistentVolumeClaimRetentionPolicy: s.object(undefined, 'The lifecycle of persistent volume claims created from volumeClaimTemplates.', { whenDeleted: s.string(), whenScaled: s.string() }),
      ordinals: s.object(undefined, 'ordinals controls the numbering of replica indices.', { start: s.int32() }),
    }, ['selector', 'template']),
    status: s.object('io.k8s.api.apps.v1.StatefulSetStatus', 'StatefulSetStatus represents the current state of a StatefulSet.', {
      observedGeneration: s.int64(), replicas: s.int32(), readyReplicas: s.int32(), currentReplicas: s.int32(), updatedReplicas: s.int32(),
      currentRevision: s.string(), updateRevision: s.string(), collisionCount: s.int32(), conditions: conditionsSchema, availableReplicas: s.int32(),
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['replicas'] ??= 1;
    spec['podManagementPolicy'] ??= 'OrderedReady';
    spec['revisionHistoryLimit'] ??= 10;
    const strategy = ensureObject(spec, 'updateStrategy');
    strategy['type'] ??= 'RollingUpdate';
    if (strategy['type'] === 'RollingUpdate') ensureObject(strategy, 'rollingUpdate')['partition'] ??= 0;
    const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
    retention['whenDeleted'] ??= 'Retain';
    retention['whenScaled'] ??= 'Retain';
    defaultPodTemplate(object);
  },
  validate: longRunningValidator('statefulset'),
  columns: [
    column('Ready', 'Number of the pod with ready state', (object) => `${numberAt(object, ['status', 'readyReplicas'])}/${numberAt(object, ['spec', 'replicas'])}`),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'image')),
  ],
});

