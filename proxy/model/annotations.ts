/**
 * Annotations the proxy reads or writes. `flotilla.io/host-ports` is the pod annotation the
 * endpoints controller already folds into Endpoints (hostIP:hostPort), so the proxy never reads it.
 */

/**
 * On a Service, written by the proxy: where each service port listens on every node's address when
 * cluster IPs cannot be bound (no root). JSON `{"<port>/<protocol>": proxyPort}`, e.g. `{"80/TCP": 20080}`.
 * The protocol's (agents read it too), with its key and reader.
 */
export { parseProxyPorts, proxyPortKey, proxyPortsAnnotation } from '../../control-plane/nats/protocol/index.ts';

/** On a Service, set by the user: `round-robin` (default) or `least-connections`. */
export const loadBalancingAnnotation = 'flotilla.io/load-balancing';

/** The legacy way (before spec.ingressClassName) of naming an Ingress's class. */
export const legacyIngressClassAnnotation = 'kubernetes.io/ingress.class';

/** The label that ties an EndpointSlice to its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';
