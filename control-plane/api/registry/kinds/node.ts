import { asArray, asObject, asString, getPath, type JsonObject } from '../../json.ts';
import { conditionsSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';

function readyStatus(object: JsonObject): string {
  const ready = asArray(getPath(object, ['status', 'conditions'])).map((item) => asObject(item) ?? {}).find((condition) => condition['type'] === 'Ready');
  // kubectl's printer: Ready=True is Ready, any other status (False or Unknown) is NotReady.
  const status = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady';
  return getPath(object, ['spec', 'unschedulable']) === true ? `${status},SchedulingDisabled` : status;
}

function roles(object: JsonObject): string {
  const labels = asObject(getPath(object, ['metadata', 'labels'])) ?? {};
  const found = Object.keys(labels).flatMap((key) => (key.startsWith('node-role.kubernetes.io/') ? [key.slice('node-role.kubernetes.io/'.length)] : []));
  return found.length === 0 ? '<none>' : found.sort().join(',');
}

function address(object: JsonObject, type: string): string {
  const found = asArray(getPath(object, ['status', 'addresses'])).map((item) => asObject(item) ?? {}).find((item) => item['type'] === type);
  return asString(found?.['address']) ?? '<none>';
}

export const nodeResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  subresources: { status: true },
  // The agent registers its Node with its status filled in.
  resetStatusOnCreate: false,
  schema: objectSchemaFor('io.k8s.api.core.v1.Node', 'Node is a worker node in Kubernetes.', {
    spec: s.object('io.k8s.api.core.v1.NodeSpec', 'NodeSpec describes the attributes that a node is created with.', {
      podCIDR: s.string(), podCIDRs: s.array(s.string(), undefined, { patchStrategy: 'merge' }), providerID: s.string(),
      unschedulable: s.boolean('Unschedulable controls node schedulability of new pods.'),
      taints: s.array(s.object('io.k8s.api.core.v1.Taint', 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
        key: s.string(), value: s.string(), effect: s.string(), timeAdded: s.time(),
      }, ['key', 'effect']), "If specified, the node's taints."),
      configSource: s.any(), externalID: s.string(),
    }),
    status: s.object('io.k8s.api.core.v1.NodeStatus', 'NodeStatus is information about the current status of a node.', {
      capacity: s.map(s.quantity()), allocatable: s.map(s.quantity()), phase: s.string(),
      conditions: conditionsSchema,
      addresses: s.keyedList(s.object('io.k8s.api.core.v1.NodeAddress', 'NodeAddress contains information for the node\'s address.', { type: s.string(), address: s.string() }), 'type'),
      daemonEndpoints: s.any(),
      nodeInfo: s.object('io.k8s.api.core.v1.NodeSystemInfo', 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.', {
        machineID: s.string(), systemUUID: s.string(), bootID: s.string(), kernelVersion: s.string(), osImage: s.string(),
        containerRuntimeVersion: s.string(), kubeletVersion: s.string(), kubeProxyVersion: s.string(), operatingSystem: s.string(), architecture: s.string(),
        swap: s.any(),
      }),
      images: s.array(s.any()), volumesInUse: s.array(s.string()), volumesAttached: s.array(s.any()), config: s.any(), runtimeHandlers: s.array(s.any()), features: s.any(),
    }),
  }),
  columns: [
    column('Status', 'The status of the node', readyStatus),
    column('Roles', 'The roles of the node', roles),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.', (object) => stringAt(object, ['status', 'nodeInfo', 'kubeletVersion'])),
    wide('Internal-IP', 'List of internal IPs of the node.', (object) => address(object, 'InternalIP')),
    wide('External-IP', 'List of external IPs of the node.', (object) => address(object, 'ExternalIP')),
    wide('OS-Image', 'OS Image reported by the node.', (object) => stringAt(object, ['status', 'nodeInfo', 'osImage']) || '<unknown>'),
    wide('Kernel-Version', 'Kernel Version reported by the node.', (object) => stringAt(object, ['status', 'nodeInfo', 'kernelVersion']) || '<unknown>'),
    wide('Container-Runtime', 'Container Runtime Version reported by the node.', (object) => stringAt(object, ['status', 'nodeInfo', 'containerRuntimeVersion']) || '<unknown>'),
  ],
  fieldSelectors: { 'spec.unschedulable': (object) => String(getPath(object, ['spec', 'unschedulable']) === true) },
});
