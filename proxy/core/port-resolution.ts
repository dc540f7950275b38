import type { EndpointPortView } from '../model/endpoint-view.ts';
import type { ServicePortView } from '../model/service-view.ts';

/**
 * The endpoint port a service port forwards to. Kubernetes matches the ServicePort's name to the
 * EndpointPort's name (the controllers already resolved a named targetPort and the process runtime's
 * host port into that number). Hand-written Endpoints often leave ports unnamed, so an unnamed
 * endpoint port whose number is the targetPort matches next, and last the only port of that protocol when
 * one of the two names is empty.
 */
export function resolveEndpointPort(servicePort: ServicePortView, endpointPorts: readonly EndpointPortView[]): number | null {
  const sameProtocol = endpointPorts.filter((port) => port.protocol === servicePort.protocol);
  const byName = sameProtocol.find((port) => port.name === servicePort.name);
  if (byName !== undefined) return byName.port;
  if (typeof servicePort.targetPort === 'number') {
    const byNumber = sameProtocol.find((port) => port.name === '' && port.port === servicePort.targetPort);
    if (byNumber !== undefined) return byNumber.port;
  }
  const only = sameProtocol.length === 1 ? sameProtocol[0] : undefined;
  // A port named otherwise belongs to another service port (say "metrics" next to "http").
  return only !== undefined && (only.name === '' || servicePort.name === '') ? only.port : null;
}
