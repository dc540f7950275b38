import type { JsonObject } from '../../control-plane/api/json.ts';

/** Small builders of the API objects the proxy reads, as the API server stores them. */

export interface PortSpec {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: 'TCP' | 'UDP';
  readonly nodePort?: number;
}

export function service(name: string, options: {
  namespace?: string; type?: string; clusterIP?: string; ports?: readonly PortSpec[]; externalName?: string; affinitySeconds?: number; annotations?: Record<string, string>; publishNotReadyAddresses?: boolean;
} = {}): JsonObject {
  const spec: JsonObject = {
    type: options.type ?? 'ClusterIP',
    ports: (options.ports ?? [{ port: 80, targetPort: 8080 }]).map((port) => ({
      ...(port.name === undefined ? {} : { name: port.name }),
      port: port.port,
      targetPort: port.targetPort ?? port.port,
      protocol: port.protocol ?? 'TCP',
      ...(port.nodePort === undefined ? {} : { nodePort: port.nodePort }),
    })),
  };
  // The API server allocates a cluster IP to every non-ExternalName Service; the builder does too.
  if (options.type !== 'ExternalName') spec['clusterIP'] = options.clusterIP ?? '10.96.0.1';
  if (options.externalName !== undefined) spec['externalName'] = options.externalName;
  if (options.affinitySeconds !== undefined) {
    spec['sessionAffinity'] = 'ClientIP';
    spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: options.affinitySeconds } };
  }
  if (options.publishNotReadyAddresses === true) spec['publishNotReadyAddresses'] = true;
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: options.namespace ?? 'default', resourceVersion: '1', ...(options.annotations === undefined ? {} : { annotations: options.annotations }) },
    spec,
  };
}

export interface EndpointSpec {
  readonly ip: string;
  readonly ready?: boolean;
  readonly terminating?: boolean;
  readonly hostname?: string;
}

export function endpointSlice(serviceName: string, endpoints: readonly EndpointSpec[], ports: ReadonlyArray<{ name?: string; port: number; protocol?: string }>, options: { namespace?: string; sliceName?: string } = {}): JsonObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: options.sliceName ?? `${serviceName}-abc`, namespace: options.namespace ?? 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((endpoint) => ({
      addresses: [endpoint.ip],
      conditions: { ready: endpoint.ready ?? true, serving: endpoint.ready ?? true, terminating: endpoint.terminating ?? false },
      ...(endpoint.hostname === undefined ? {} : { hostname: endpoint.hostname }),
    })),
    ports: ports.map((port) => ({ ...(port.name === undefined ? {} : { name: port.name }), port: port.port, protocol: port.protocol ?? 'TCP' })),
  };
}

export function endpointsObject(serviceName: string, ready: readonly string[], notReady: readonly string[], ports: ReadonlyArray<{ name?: string; port: number; protocol?: string }>, namespace = 'default'): JsonObject {
  const subset: JsonObject = { ports: ports.map((port) => ({ ...(port.name === undefined ? {} : { name: port.name }), port: port.port, protocol: port.protocol ?? 'TCP' })) };
  if (ready.length > 0) subset['addresses'] = ready.map((ip) => ({ ip }));
  if (notReady.length > 0) subset['notReadyAddresses'] = notReady.map((ip) => ({ ip }));
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: serviceName, namespace }, subsets: [subset] };
}

export function ingress(name: string, spec: JsonObject, options: { namespace?: string; createdAt?: string } = {}): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: options.namespace ?? 'default', creationTimestamp: options.createdAt ?? '2026-01-01T00:00:00Z' },
    spec: { ingressClassName: 'flotilla', ...spec },
  };
}

export function pathRule(path: string, pathType: string, serviceName: string, port: number | string): JsonObject {
  return { path, pathType, backend: { service: { name: serviceName, port: typeof port === 'number' ? { number: port } : { name: port } } } };
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public now = 1_000_000) {}
  nowMs(): number {
    return this.now;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}
