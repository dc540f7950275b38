import { asArray, asString, objectsIn, ensureObject, getPath, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { podSpecSchema, podStatusSchema } from '../../schema/pod-schemas.ts';
import { ageColumn, column, numberAt, stringAt, wide } from '../../table/columns.ts';
import { validatePodSpec } from '../../validation/pod-spec.ts';
import { defineResource } from '../resource.ts';
import { defaultPodSpec } from './pod-defaults.ts';

/** Served by the agent of the pod's node, through the control plane. */
export const podConnectSubresources = ['log', 'exec', 'attach', 'portforward'] as const;

function containerStatuses(object: JsonObject): JsonObject[] {
  return objectsIn(getPath(object, ['status', 'containerStatuses']));
}

/** kubectl's STATUS: a container's waiting/terminated reason wins over the phase; deletion shows Terminating. */
function podStatusText(object: JsonObject): string {
  let reason = stringAt(object, ['status', 'reason']) || stringAt(object, ['status', 'phase']) || 'Pending';
  for (const status of containerStatuses(object)) {
    const waiting = asString(getPath(status, ['state', 'waiting', 'reason']));
    const terminated = asString(getPath(status, ['state', 'terminated', 'reason']));
    if (waiting !== undefined && waiting !== '') reason = waiting;
    else if (terminated !== undefined && terminated !== '') reason = terminated;
  }
  if (getPath(object, ['metadata', 'deletionTimestamp']) !== undefined && reason !== 'Succeeded' && reason !== 'Failed') return 'Terminating';
  return reason;
}

export const podResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, connect: podConnectSubresources, binding: true },
  deleteReturnsObject: true,
  deletion: {
    // Kubernetes' CheckGracefulDelete: a pod on a node is stopped by that node's agent, which then
    // confirms with a delete of grace 0; one on no node, or already finished, has nothing to stop.
    gracePeriodSeconds: (object, requested) => {
      const nodeName = getPath(object, ['spec', 'nodeName']);
      const phase = getPath(object, ['status', 'phase']);
      if (typeof nodeName !== 'string' || nodeName === '' || phase === 'Succeeded' || phase === 'Failed') return 0;
      if (requested !== undefined) return requested;
      const declared = getPath(object, ['spec', 'terminationGracePeriodSeconds']);
      return typeof declared === 'number' && declared >= 0 ? declared : 30;
    },
  },
  schema: objectSchemaFor('io.k8s.api.core.v1.Pod', 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.', {
    spec: podSpecSchema,
    status: podStatusSchema,
  }),
  defaults: (object) => {
    defaultPodSpec(ensureObject(object, 'spec'));
    const status = ensureObject(object, 'status');
    status['phase'] ??= 'Pending';
    status['qosClass'] ??= 'BestEffort';
  },
  validate: (object) => validatePodSpec(object['spec'], 'spec'),
  columns: [
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.', (object) => {
      const total = asArray(getPath(object, ['spec', 'containers'])).length;
      const ready = containerStatuses(object).filter((status) => status['ready'] === true).length;
      return `${ready}/${total}`;
    }),
    column('Status', 'The aggregate status of the containers in this pod.', podStatusText),
    column('Restarts', 'The number of times the containers in this pod have been restarted.', (object) =>
      containerStatuses(object).reduce((sum, status) => sum + numberAt(status, ['restartCount']), 0), { type: 'integer' }),
    ageColumn,
    wide('IP', 'IP address allocated to the pod. Routable at least within the cluster.', (object) => stringAt(object, ['status', 'podIP']) || '<none>'),
    wide('Node', 'Name of the Node this pod is assigned to.', (object) => stringAt(object, ['spec', 'nodeName']) || '<none>'),
    wide('Nominated Node', 'Name of the node nominated for this pod by preemption.', (object) => stringAt(object, ['status', 'nominatedNodeName']) || '<none>'),
    wide('Readiness Gates', 'Pod readiness gates.', (object) => (asArray(getPath(object, ['spec', 'readinessGates'])).length === 0 ? '<none>' : String(asArray(getPath(object, ['spec', 'readinessGates'])).length))),
  ],
  fieldSelectors: {
    'spec.nodeName': (object) => stringAt(object, ['spec', 'nodeName']),
    'spec.restartPolicy': (object) => stringAt(object, ['spec', 'restartPolicy']),
    'spec.schedulerName': (object) => stringAt(object, ['spec', 'schedulerName']),
    'spec.serviceAccountName': (object) => stringAt(object, ['spec', 'serviceAccountName']),
    'status.phase': (object) => stringAt(object, ['status', 'phase']),
    'status.podIP': (object) => stringAt(object, ['status', 'podIP']),
    'status.nominatedNodeName': (object) => stringAt(object, ['status', 'nominatedNodeName']),
  },
});
