import { ensureObject, getPath } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podTemplateSpecSchema } from '../../schema/pod-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, containerField, formatSelectorMap, numberAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { longRunningValidator, selectorText } from './workload.ts';

export const daemonSetResource = defineResource({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.apps.v1.DaemonSet', 'DaemonSet represents the configuration of a daemon set.', {
    spec: s.object('io.k8s.api.apps.v1.DaemonSetSpec', 'DaemonSetSpec is the specification of a daemon set.', {
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      updateStrategy: s.object('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', 'An update strategy to replace existing DaemonSet pods with new pods.', {
        type: s.string('Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.', { enum: ['RollingUpdate', 'OnDelete'] }),
        rollingUpdate: s.object(undefined, 'Rolling update config params.', { maxUnavailable: s.intOrString(), maxSurge: s.intOrString() }),
      }),
      minReadySeconds: s.int32(),
      revisionHistoryLimit: s.int32(),
    }, ['selector', 'template']),
    status: s.object('io.k8s.api.apps.v1.DaemonSetStatus', 'DaemonSetStatus represents the current status of a daemon set.', {
      currentNumberScheduled: s.int32(), numberMisscheduled: s.int32(), desiredNumberScheduled: s.int32(), numberReady: s.int32(),
      observedGeneration: s.int64(), updatedNumberScheduled: s.int32(), numberAvailable: s.int32(), numberUnavailable: s.int32(),
      collisionCount: s.int32(), conditions: conditionsSchema,
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['revisionHistoryLimit'] ??= 10;
    const strategy = ensureObject(spec, 'updateStrategy');
    strategy['type'] ??= 'RollingUpdate';
    if (strategy['type'] === 'RollingUpdate') {
      const rolling = ensureObject(strategy, 'rollingUpdate');
      rolling['maxUnavailable'] ??= 1;
      rolling['maxSurge'] ??= 0;
    }
    defaultPodTemplate(object);
  },
  validate: longRunningValidator('daemonset'),
  columns: [
    column('Desired', 'The desired number of daemon pods.', (object) => numberAt(object, ['status', 'desiredNumberScheduled']), { type: 'integer' }),
    column('Current', 'The current number of daemon pods.', (object) => numberAt(object, ['status', 'currentNumberScheduled']), { type: 'integer' }),
    column('Ready', 'The number of daemon pods ready.', (object) => numberAt(object, ['status', 'numberReady']), { type: 'integer' }),
    column('Up-to-date', 'The number of daemon pods running the updated template.', (object) => numberAt(object, ['status', 'updatedNumberScheduled']), { type: 'integer' }),
    column('Available', 'The number of daemon pods available.', (object) => numberAt(object, ['status', 'numberAvailable']), { type: 'integer' }),
    column('Node Selector', 'The node selector of the pod template.', (object) => formatSelectorMap(getPath(object, ['spec', 'template', 'spec', 'nodeSelector']))),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'image')),
    wide('Selector', 'Label selector for pods.', selectorText),
  ],
});
