import { asNumber, asObject, asString, getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import { isPortNumber } from '../../control-plane/nats/protocol/index.ts';
import { ProxyLimits } from '../limits.ts';
import { loadBalancingAnnotation, parseProxyPorts, proxyPortKey, proxyPortsAnnotation } from './annotations.ts';

export const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
export type ServiceType = (typeof serviceTypes)[number];
export type TransportProtocol = 'TCP' | 'UDP' | 'SCTP';
export type BalancingPolicy = 'round-robin' | 'least-connections';

export interface ServicePortView {
  readonly name: string;
  readonly port: number;
  readonly protocol: TransportProtocol;
  /** A number, or the name of a container port (already resolved into the endpoints by the controllers). */
  readonly targetPort: number | string;
  readonly nodePort: number | null;
}

export type SessionAffinity = { readonly kind: 'None' } | { readonly kind: 'ClientIP'; readonly timeoutSeconds: number };

/** The parts of a Service the proxy and the DNS server act on, read once from the API object. */
export interface ServiceView {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly type: ServiceType;
  /** null for a headless Service (clusterIP None) and for ExternalName. */
  readonly clusterIP: string | null;
  readonly headless: boolean;
  readonly externalName: string | null;
  readonly ports: readonly ServicePortView[];
  readonly sessionAffinity: SessionAffinity;
  readonly balancing: BalancingPolicy;
  /** From the `flotilla.io/proxy-ports` annotation: `port/protocol` → node port of the unprivileged mode. */
  readonly proxyPorts: ReadonlyMap<string, number>;
  readonly publishNotReadyAddresses: boolean;
  /** status.loadBalancer.ingress IPs as they are now. */
  readonly loadBalancerIngress: readonly string[];
}

function protocolOf(value: unknown): TransportProtocol {
  return value === 'UDP' || value === 'SCTP' ? value : 'TCP';
}

function portsOf(spec: JsonObject): ServicePortView[] {
  return objectsIn(spec['ports']).flatMap((port) => {
    const number = port['port'];
    if (!isPortNumber(number)) return [];
    const target = port['targetPort'];
    const targetPort = typeof target === 'number' || (typeof target === 'string' && target !== '') ? target : number;
    const nodePort = port['nodePort'];
    return [{ name: asString(port['name']) ?? '', port: number, protocol: protocolOf(port['protocol']), targetPort, nodePort: isPortNumber(nodePort) ? nodePort : null }];
  });
}

function affinityOf(spec: JsonObject): SessionAffinity {
  if (spec['sessionAffinity'] !== 'ClientIP') return { kind: 'None' };
  const configured = asNumber(getPath(spec, ['sessionAffinityConfig', 'clientIP', 'timeoutSeconds']));
  const valid = configured !== undefined && Number.isInteger(configured) && configured > 0 && configured <= ProxyLimits.affinityTimeoutSecondsMax;
  return { kind: 'ClientIP', timeoutSeconds: valid ? configured : ProxyLimits.affinityTimeoutSecondsDefault };
}

function typeOf(spec: JsonObject): ServiceType {
  const type = spec['type'];
  return serviceTypes.find((known) => known === type) ?? 'ClusterIP';
}

/** Reads a Service object; null when it has no name (nothing to program). */
export function parseService(object: JsonObject): ServiceView | null {
  const name = asString(getPath(object, ['metadata', 'name'])) ?? '';
  const namespace = asString(getPath(object, ['metadata', 'namespace'])) ?? 'default';
  if (name === '') return null;
  const spec = asObject(object['spec']) ?? {};
  const type = typeOf(spec);
  const rawClusterIP = asString(spec['clusterIP']) ?? '';
  const headless = type !== 'ExternalName' && rawClusterIP === 'None';
  const annotations = asObject(getPath(object, ['metadata', 'annotations'])) ?? {};
  const loadBalancerIngress = objectsIn(getPath(object, ['status', 'loadBalancer', 'ingress'])).map((entry) => asString(entry['ip']) ?? '').filter((ip) => ip !== '');
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    resourceVersion: asString(getPath(object, ['metadata', 'resourceVersion'])) ?? '',
    type,
    clusterIP: type === 'ExternalName' || headless || rawClusterIP === '' ? null : rawClusterIP,
    headless,
    externalName: type === 'ExternalName' ? (asString(spec['externalName']) ?? null) : null,
    ports: portsOf(spec),
    sessionAffinity: affinityOf(spec),
    balancing: annotations[loadBalancingAnnotation] === 'least-connections' ? 'least-connections' : 'round-robin',
    proxyPorts: parseProxyPorts(asString(annotations[proxyPortsAnnotation])),
    publishNotReadyAddresses: spec['publishNotReadyAddresses'] === true,
    loadBalancerIngress,
  };
}

/** The keys a Service's proxy-ports annotation must have: one per port and protocol it proxies. */
export function proxyPortKeysOf(service: ServiceView): string[] {
  if (service.clusterIP === null) return [];
  return service.ports.filter((port) => port.protocol !== 'SCTP').map((port) => proxyPortKey(port.port, port.protocol));
}

