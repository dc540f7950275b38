import { asArray, asObject, asString, objectsIn, ensureObject, getPath, isJsonObject, type JsonObject } from '../../json.ts';
import { conditionsSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, formatSelectorMap, stringAt, wide } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { assignServiceAllocations, heldByService } from '../../allocation/service-allocation.ts';

const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const protocols = ['TCP', 'UDP', 'SCTP'];

const servicePortSchema = s.object('io.k8s.api.core.v1.ServicePort', "ServicePort contains information on service's port.", {
  name: s.string('The name of this port within the service. Must be a DNS_LABEL; required when there is more than one port.'),
  protocol: s.string('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', { enum: protocols }),
  appProtocol: s.string('The application protocol for this port.'),
  port: s.int32('The port that will be exposed by this service.'),
  targetPort: s.intOrString('Number or name of the port to access on the pods targeted by the service. Defaults to port.'),
  nodePort: s.int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
}, ['port']);

function defaultServiceSpec(object: JsonObject): void {
  const spec = ensureObject(object, 'spec');
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  // The cluster IP and node ports are allocated when the Service is written (allocation/), not here.
  if (spec['type'] !== 'ExternalName') {
    if (spec['clusterIP'] === 'None') spec['clusterIPs'] ??= ['None'];
    spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    spec['internalTrafficPolicy'] ??= 'Cluster';
  }
  for (const port of asArray(spec['ports'])) {
    if (!isJsonObject(port)) continue;
    port['protocol'] ??= 'TCP';
    port['targetPort'] ??= port['port'] ?? null;
  }
  if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') spec['externalTrafficPolicy'] ??= 'Cluster';
  ensureObject(ensureObject(object, 'status'), 'loadBalancer');
}

function validateServiceSpec(object: JsonObject, old: JsonObject | null): FieldError[] {
  const spec = asObject(object['spec']) ?? {};
  const problems: FieldError[] = [];
  const type = asString(spec['type']) ?? 'ClusterIP';
  if (!serviceTypes.includes(type)) problems.push(fieldError.notSupported('spec.type', spec['type'], serviceTypes));
  const ports = asArray(spec['ports']);
  if (type !== 'ExternalName' && ports.length === 0 && spec['clusterIP'] !== 'None') problems.push(fieldError.required('spec.ports'));
  if (type === 'ExternalName' && (asString(spec['externalName']) ?? '') === '') problems.push(fieldError.required('spec.externalName'));
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const item = asObject(port) ?? {};
    const field = `spec.ports[${index}]`;
    const name = asString(item['name']) ?? '';
    if (ports.length > 1 && name === '') problems.push(fieldError.required(`${field}.name`, 'each port needs a name when there is more than one'));
    if (name !== '' && names.has(name)) problems.push(fieldError.duplicate(`${field}.name`, name));
    names.add(name);
    const number = item['port'];
    if (typeof number !== 'number' || number < 1 || number > 65535) problems.push(fieldError.invalid(`${field}.port`, number ?? null, 'must be between 1 and 65535, inclusive'));
    if (item['protocol'] !== undefined && !protocols.includes(asString(item['protocol']) ?? '')) problems.push(fieldError.notSupported(`${field}.protocol`, item['protocol'], protocols));
  });
  const oldClusterIP = old === null ? undefined : getPath(old, ['spec', 'clusterIP']);
  if (oldClusterIP !== undefined && spec['clusterIP'] !== undefined && spec['clusterIP'] !== oldClusterIP && type === (getPath(old, ['spec', 'type']) ?? type)) {
    problems.push(fieldError.invalid('spec.clusterIP', spec['clusterIP'], 'field is immutable'));
  }
  return problems;
}

function formatPorts(object: JsonObject): string {
  const ports = objectsIn(getPath(object, ['spec', 'ports']));
  if (ports.length === 0) return '<none>';
  return ports
    .map((port) => {
      const nodePort = typeof port['nodePort'] === 'number' ? `:${port['nodePort']}` : '';
      return `${String(port['port'])}${nodePort}/${asString(port['protocol']) ?? 'TCP'}`;
    })
    .join(',');
}

function externalIP(object: JsonObject): string {
  const type = stringAt(object, ['spec', 'type']);
  if (type === 'ExternalName') return stringAt(object, ['spec', 'externalName']);
  const ingress = asArray(getPath(object, ['status', 'loadBalancer', 'ingress'])).map((item) => asString(asObject(item)?.['ip']) ?? asString(asObject(item)?.['hostname']) ?? '');
  const external = asArray(getPath(object, ['spec', 'externalIPs'])).map((item) => asString(item) ?? '');
  const all = [...ingress, ...external].filter((item) => item !== '');
  if (all.length > 0) return all.join(',');
  return type === 'LoadBalancer' ? '<pending>' : '<none>';
}

export const serviceResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1035',
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.core.v1.Service', 'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
    spec: s.object('io.k8s.api.core.v1.ServiceSpec', 'ServiceSpec describes the attributes that a user creates on a service.', {
      ports: s.keyedList(servicePortSchema, 'port', 'The list of ports that are exposed by this service.'),
      selector: s.stringMap('Route service traffic to pods with label keys and values matching this selector.'),
      clusterIP: s.string('The IP address of the service, usually assigned randomly. "None" makes a headless service.'),
      clusterIPs: s.array(s.string()),
      type: s.string('How the Service is exposed. Defaults to ClusterIP.', { enum: serviceTypes }),
      externalIPs: s.array(s.string()),
      sessionAffinity: s.string('Supports "ClientIP" and "None".'),
      loadBalancerIP: s.string(), loadBalancerSourceRanges: s.array(s.string()), loadBalancerClass: s.string(),
      externalName: s.string('The external reference that discovery mechanisms will return as an alias for this service (type ExternalName).'),
      externalTrafficPolicy: s.string(), internalTrafficPolicy: s.string(), healthCheckNodePort: s.int32(),
      publishNotReadyAddresses: s.boolean(), sessionAffinityConfig: s.any(),
      ipFamilies: s.array(s.string()), ipFamilyPolicy: s.string(), allocateLoadBalancerNodePorts: s.boolean(), trafficDistribution: s.string(),
    }),
    status: s.object('io.k8s.api.core.v1.ServiceStatus', 'Most recently observed status of the service.', {
      loadBalancer: s.object(undefined, 'LoadBalancer contains the current status of the load-balancer, if one is present.', { ingress: s.array(s.any()) }),
      conditions: conditionsSchema,
    }),
  }),
  defaults: defaultServiceSpec,
  validate: validateServiceSpec,
  allocation: { assign: assignServiceAllocations, held: heldByService },
  columns: [
    column('Type', 'The type of the service.', (object) => stringAt(object, ['spec', 'type'])),
    column('Cluster-IP', 'The IP address of the service.', (object) => stringAt(object, ['spec', 'clusterIP']) || '<none>'),
    column('External-IP', 'The external IPs of the service.', externalIP),
    column('Port(s)', 'The ports of the service.', formatPorts),
    ageColumn,
    wide('Selector', 'The label selector of the service.', (object) => formatSelectorMap(getPath(object, ['spec', 'selector']))),
  ],
});
