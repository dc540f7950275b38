import { ensureObject, getPath } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podTemplateSpecSchema } from '../../schema/pod-schemas.ts';
import { s } from '../../schema/schema.ts';
import { fromLabelSelectorObject, selectorToString } from '../../selectors/label-selector.ts';
import { ageColumn, column, containerField, numberAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { validateWorkload } from './workload.ts';

export const deploymentResource = defineResource({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  schema: objectSchemaFor('io.k8s.api.apps.v1.Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
    spec: s.object('io.k8s.api.apps.v1.DeploymentSpec', 'DeploymentSpec is the specification of the desired behavior of the Deployment.', {
      replicas: s.int32('Number of desired pods. Defaults to 1.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      strategy: s.object('io.k8s.api.apps.v1.DeploymentStrategy', 'The deployment strategy to use to replace existing pods with new ones.', {
        type: s.string('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.', { enum: ['Recreate', 'RollingUpdate'] }),
        rollingUpdate: s.object('io.k8s.api.apps.v1.RollingUpdateDeployment', 'Rolling update config params.', {
          maxUnavailable: s.intOrString('The maximum number of pods that can be unavailable during the update.'),
          maxSurge: s.intOrString('The maximum number of pods that can be scheduled above the desired number of pods.'),
        }),
      }),
      minReadySeconds: s.int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing.'),
      revisionHistoryLimit: s.int32('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
      paused: s.boolean('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: s.int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
    }, ['selector', 'template']),
    status: s.object('io.k8s.api.apps.v1.DeploymentStatus', 'DeploymentStatus is the most recently observed status of the Deployment.', {
      observedGeneration: s.int64(), replicas: s.int32(), updatedReplicas: s.int32(), readyReplicas: s.int32(),
      availableReplicas: s.int32(), unavailableReplicas: s.int32(), terminatingReplicas: s.int32(), conditions: conditionsSchema, collisionCount: s.int32(),
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['replicas'] ??= 1;
    spec['revisionHistoryLimit'] ??= 10;
    spec['progressDeadlineSeconds'] ??= 600;
    const strategy = ensureObject(spec, 'strategy');
    strategy['type'] ??= 'RollingUpdate';
    if (strategy['type'] === 'RollingUpdate') {
      const rolling = ensureObject(strategy, 'rollingUpdate');
      rolling['maxUnavailable'] ??= '25%';
      rolling['maxSurge'] ??= '25%';
    }
    defaultPodTemplate(object);
  },
  validate: validateWorkload,
  columns: [
    column('Ready', 'Number of the pod with ready state', (object) => `${numberAt(object, ['status', 'readyReplicas'])}/${numberAt(object, ['spec', 'replicas'])}`),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', (object) => numberAt(object, ['status', 'updatedReplicas']), { type: 'integer' }),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', (object) => numberAt(object, ['status', 'availableReplicas']), { type: 'integer' }),
    ageColumn,
    wide('Containers', 'Names of each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'name')),
    wide('Images', 'Images referenced by each container in the template.', (object) => containerField(object, ['spec', 'template', 'spec'], 'image')),
    wide('Selector', 'Label selector for pods.', (object) => selectorToString(fromLabelSelectorObject(getPath(object, ['spec', 'selector']))) || '<none>'),
  ],
});
