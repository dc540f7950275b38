import { asString, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { endpointsOfEndpointsObject, endpointsOfSlice, serviceKeyOfSlice, type EndpointView } from '../model/endpoint-view.ts';

function keyOf(object: JsonObject): string {
  return `${asString(getPath(object, ['metadata', 'namespace'])) ?? 'default'}/${asString(getPath(object, ['metadata', 'name'])) ?? ''}`;
}

/**
 * Each Service's endpoints. EndpointSlices are the source where a Service has any (as kube-proxy);
 * otherwise its core/v1 Endpoints object is read, so the proxy works before an EndpointSlice
 * controller exists and with hand-written Endpoints of selector-less Services.
 */
export function collectEndpoints(slices: Iterable<JsonObject>, endpointsObjects: Iterable<JsonObject>): Map<string, EndpointView[]> {
  const fromSlices = new Map<string, EndpointView[]>();
  for (const slice of slices) {
    const service = serviceKeyOfSlice(slice);
    if (service === null) continue;
    const list = fromSlices.get(service) ?? [];
    list.push(...endpointsOfSlice(slice));
    fromSlices.set(service, list);
  }
  const result = new Map(fromSlices);
  for (const object of endpointsObjects) {
    const service = keyOf(object);
    if (!fromSlices.has(service)) result.set(service, endpointsOfEndpointsObject(object));
  }
  return result;
}
