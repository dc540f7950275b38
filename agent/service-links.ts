import { asString, getPath, objectsIn, type JsonObject } from '../control-plane/api/json.ts';
import { parseProxyPorts, proxyPortsAnnotation } from '../control-plane/nats/protocol/index.ts';

/**
 * Where a container reaches a Service, given how the node proxy listens (proxy/README.md): as root
 * it listens on the cluster IP and the service port (what Kubernetes' variables carry); without
 * root the cluster IP is not routable, and every service port is served on the node's address at
 * the proxy port recorded in `flotilla.io/proxy-ports`.
 */
export type ServiceAddressing =
  | { readonly kind: 'cluster-ip' }
  | { readonly kind: 'proxy-ports'; readonly host: string };

export interface LinkedServicePort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

/** The parts of a Service its environment variables are made of. */
export interface LinkedService {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly ports: readonly LinkedServicePort[];
  /** `<port>/<protocol>` → proxy port, from the annotation. */
  readonly proxyPorts: ReadonlyMap<string, number>;
}

/** Kubernetes' master service: its variables are in every pod of every namespace (unless that namespace has its own). */
const masterService = { namespace: 'default', name: 'kubernetes' } as const;

/**
 * A Service as its variables see it; null for one without a cluster IP (headless, ExternalName) or
 * ports, which get no variables in Kubernetes either (IsServiceIPSet).
 */
export function parseLinkedService(object: JsonObject): LinkedService | null {
  const clusterIP = asString(getPath(object, ['spec', 'clusterIP'])) ?? '';
  if (clusterIP === '' || clusterIP === 'None') return null;
  const ports = objectsIn(getPath(object, ['spec', 'ports'])).flatMap((port) => {
    const number = port['port'];
    if (typeof number !== 'number' || !Number.isInteger(number)) return [];
    return [{ name: asString(port['name']) ?? '', port: number, protocol: asString(port['protocol']) ?? 'TCP' }];
  });
  if (ports.length === 0) return null;
  return {
    namespace: asString(getPath(object, ['metadata', 'namespace'])) ?? 'default',
    name: asString(getPath(object, ['metadata', 'name'])) ?? '',
    clusterIP, ports, proxyPorts: parseProxyPorts(asString(getPath(object, ['metadata', 'annotations', proxyPortsAnnotation]))),
  };
}

/** Kubernetes' makeEnvVariableName: upper case, "-" → "_". */
export function serviceVariablePrefix(serviceName: string): string {
  return serviceName.toUpperCase().replaceAll('-', '_');
}

/**
 * The Services whose variables a pod of `namespace` gets (kubelet's getServiceEnvVarMap): those of
 * its namespace when enableServiceLinks, and `kubernetes` of `default` always — unless its own
 * namespace has a Service of that name.
 */
export function linkedServicesFor(services: readonly LinkedService[], namespace: string, enableServiceLinks: boolean): LinkedService[] {
  const byName = new Map<string, LinkedService>();
  for (const service of services) {
    if (enableServiceLinks && service.namespace === namespace) byName.set(service.name, service);
  }
  const master = services.find((service) => service.namespace === masterService.namespace && service.name === masterService.name);
  if (master !== undefined && !byName.has(master.name)) byName.set(master.name, master);
  return [...byName.values()].sort((left, right) => (left.name < right.name ? -1 : 1));
}

/**
 * The variables of the Services a pod sees, by Kubernetes' FromServices: `<SVC>_SERVICE_HOST`,
 * `<SVC>_SERVICE_PORT` (first port), `<SVC>_SERVICE_PORT_<NAME>` (named ports), and Docker links
 * `<SVC>_PORT` (first port) and `<SVC>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}`. The names always
 * carry the service port; the values carry where this node's proxy serves it (`addressing`). In
 * proxy-ports mode a Service whose ports are not all recorded yet gets no variables (as if it had
 * been created after the container started).
 */
export function serviceLinkVariables(services: readonly LinkedService[], namespace: string, enableServiceLinks: boolean, addressing: ServiceAddressing): Map<string, string> {
  const variables = new Map<string, string>();
  for (const service of linkedServicesFor(services, namespace, enableServiceLinks)) {
    const reachable = reachableEndpoints(service, addressing);
    if (reachable === null) continue;
    const prefix = serviceVariablePrefix(service.name);
    const first = reachable[0];
    if (first === undefined) continue;
    variables.set(`${prefix}_SERVICE_HOST`, first.host);
    variables.set(`${prefix}_SERVICE_PORT`, String(first.port));
    for (const endpoint of reachable) {
      if (endpoint.servicePort.name !== '') variables.set(`${prefix}_SERVICE_PORT_${serviceVariablePrefix(endpoint.servicePort.name)}`, String(endpoint.port));
    }
    for (const [index, endpoint] of reachable.entries()) {
      const protocol = endpoint.servicePort.protocol.toLowerCase();
      const url = `${protocol}://${joinHostPort(endpoint.host, endpoint.port)}`;
      if (index === 0) variables.set(`${prefix}_PORT`, url);
      const portPrefix = `${prefix}_PORT_${endpoint.servicePort.port}_${endpoint.servicePort.protocol.toUpperCase()}`;
      variables.set(portPrefix, url);
      variables.set(`${portPrefix}_PROTO`, protocol);
      variables.set(`${portPrefix}_PORT`, String(endpoint.port));
      variables.set(`${portPrefix}_ADDR`, endpoint.host);
    }
  }
  return variables;
}

interface ReachableEndpoint {
  readonly servicePort: LinkedServicePort;
  readonly host: string;
  readonly port: number;
}

function reachableEndpoints(service: LinkedService, addressing: ServiceAddressing): ReachableEndpoint[] | null {
  if (addressing.kind === 'cluster-ip') return service.ports.map((servicePort) => ({ servicePort, host: service.clusterIP, port: servicePort.port }));
  const endpoints: ReachableEndpoint[] = [];
  for (const servicePort of service.ports) {
    const proxyPort = service.proxyPorts.get(`${servicePort.port}/${servicePort.protocol}`);
    if (proxyPort === undefined) return null;
    endpoints.push({ servicePort, host: addressing.host, port: proxyPort });
  }
  return endpoints;
}

/** Go's net.JoinHostPort: IPv6 addresses in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
