import { asString, objectsIn, type JsonObject } from '../../json.ts';
import { objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';

const addressSchema = s.object('io.k8s.api.core.v1.EndpointAddress', 'EndpointAddress is a tuple that describes single IP address.', {
  ip: s.string('The IP of this endpoint.'),
  hostname: s.string('The Hostname of this endpoint.'),
  nodeName: s.string('Node hosting this endpoint.'),
  targetRef: objectReferenceSchema,
}, ['ip']);

/** Named limit of kubectl's ENDPOINTS column: it shows three then "+ N more...". */
const endpointsShownMax = 3;

function formatEndpoints(object: JsonObject): string {
  const shown: string[] = [];
  let total = 0;
  for (const subset of objectsIn(object['subsets'])) {
    const ports = objectsIn(subset['ports']);
    for (const address of objectsIn(subset['addresses'])) {
      const ip = asString(address['ip']) ?? '';
      const endpoints = ports.length === 0 ? [ip] : ports.map((port) => `${ip}:${String(port['port'])}`);
      for (const endpoint of endpoints) {
        total++;
        if (shown.length < endpointsShownMax) shown.push(endpoint);
      }
    }
  }
  if (total === 0) return '<none>';
  return total > shown.length ? `${shown.join(',')} + ${total - shown.length} more...` : shown.join(',');
}

export const endpointsResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.core.v1.Endpoints', 'Endpoints is a collection of endpoints that implement the actual service.', {
    subsets: s.array(
      s.object('io.k8s.api.core.v1.EndpointSubset', 'EndpointSubset is a group of addresses with a common set of ports.', {
        addresses: s.array(addressSchema, 'IP addresses which offer the related ports that are marked as ready.'),
        notReadyAddresses: s.array(addressSchema, 'IP addresses which offer the related ports but are not currently marked as ready.'),
        ports: s.array(s.object('io.k8s.api.core.v1.EndpointPort', 'EndpointPort is a tuple that describes a single port.', {
          name: s.string(), port: s.int32(), protocol: s.string(), appProtocol: s.string(),
        }, ['port'])),
      }),
      'The set of all endpoints is the union of all subsets.',
    ),
  }),
  columns: [column('Endpoints', 'Endpoints of the service', formatEndpoints), ageColumn],
});
