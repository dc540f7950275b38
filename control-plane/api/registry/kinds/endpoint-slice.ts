import { asString, getPath, objectsIn, type JsonObject } from '../../json.ts';
import { objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

const addressTypes = ['IPv4', 'IPv6', 'FQDN'];
/** Named limits of kubectl's ENDPOINTS column (three shown, then "+ N more...") and of a slice (Kubernetes: 1000 endpoints, 100 ports). */
const endpointsShownMax = 3;
const sliceEndpointsMax = 1000;
const slicePortsMax = 100;

function formatPorts(object: JsonObject): string {
  const ports = objectsIn(object['ports']);
  if (ports.length === 0) return '<unset>';
  return ports.map((port) => String(port['port'] ?? '')).join(',');
}

function formatEndpoints(object: JsonObject): string {
  const addresses = objectsIn(object['endpoints']).flatMap((endpoint) => (Array.isArray(endpoint['addresses']) ? endpoint['addresses'] : []).map((address) => asString(address) ?? ''));
  if (addresses.length === 0) return '<unset>';
  const shown = addresses.slice(0, endpointsShownMax).join(',');
  return addresses.length > endpointsShownMax ? `${shown} + ${addresses.length - endpointsShownMax} more...` : shown;
}

function validateSlice(object: JsonObject, old: JsonObject | null): FieldError[] {
  const problems: FieldError[] = [];
  const addressType = object['addressType'];
  if (addressType === undefined) problems.push(fieldError.required('addressType'));
  else if (!addressTypes.includes(asString(addressType) ?? '')) problems.push(fieldError.notSupported('addressType', addressType, addressTypes));
  if (old !== null && old['addressType'] !== addressType) problems.push(fieldError.invalid('addressType', addressType ?? null, 'field is immutable'));
  const endpoints = objectsIn(object['endpoints']);
  if (endpoints.length > sliceEndpointsMax) problems.push(fieldError.tooLong('endpoints', sliceEndpointsMax));
  if (objectsIn(object['ports']).length > slicePortsMax) problems.push(fieldError.tooLong('ports', slicePortsMax));
  endpoints.forEach((endpoint, index) => {
    const addresses = Array.isArray(endpoint['addresses']) ? endpoint['addresses'] : [];
    if (addresses.length === 0) problems.push(fieldError.required(`endpoints[${index}].addresses`, 'must contain at least 1 address'));
  });
  return problems;
}

export const endpointSliceResource = defineResource({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.discovery.v1.EndpointSlice', 'EndpointSlice represents a subset of the endpoints that implement a service.', {
    addressType: s.string('addressType specifies the type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN.', { enum: addressTypes }),
    endpoints: s.array(s.object('io.k8s.api.discovery.v1.Endpoint', 'Endpoint represents a single logical "backend" implementing a service.', {
      addresses: s.array(s.string(), 'addresses of this endpoint.'),
      conditions: s.object('io.k8s.api.discovery.v1.EndpointConditions', 'conditions contains information about the current status of the endpoint.', {
        ready: s.boolean(), serving: s.boolean(), terminating: s.boolean(),
      }),
      hostname: s.string(), targetRef: objectReferenceSchema, deprecatedTopology: s.stringMap(), nodeName: s.string(), zone: s.string(), hints: s.any(),
    }, ['addresses']), 'endpoints is a list of unique endpoints in this slice.'),
    ports: s.array(s.object('io.k8s.api.discovery.v1.EndpointPort', 'EndpointPort represents a Port used by an EndpointSlice.', {
      name: s.string(), protocol: s.string(), port: s.int32(), appProtocol: s.string(),
    }), 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
  }),
  validate: validateSlice,
  columns: [
    column('AddressType', 'The type of address carried by this slice.', (object) => stringAt(object, ['addressType'])),
    column('Ports', 'The ports of the endpoints.', formatPorts),
    column('Endpoints', 'The endpoints of the slice.', formatEndpoints),
    ageColumn,
  ],
  fieldSelectors: { 'kubernetes.io/service-name': (object) => asString(getPath(object, ['metadata', 'labels', 'kubernetes.io/service-name'])) ?? '' },
});
