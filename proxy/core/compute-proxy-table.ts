import { ProxyLimits } from '../limits.ts';
import { proxyPortKey } from '../model/annotations.ts';
import type { EndpointView } from '../model/endpoint-view.ts';
import type { ServicePortView, ServiceView } from '../model/service-view.ts';
import { resolveEndpointPort } from './port-resolution.ts';
import {
  listenerKey, type BackendSpec, type ListenerRole, type ListenerSpec, type ListenMode, type NodeAddressing, type ProxyTable, type ServicePortTarget, type TableProblem,
} from './proxy-table.ts';

export interface ProxyTableInput {
  readonly services: readonly ServiceView[];
  /** Each Service's endpoints (`namespace/name` → endpoints), from EndpointSlices or else Endpoints. */
  readonly endpoints: ReadonlyMap<string, readonly EndpointView[]>;
  readonly node: NodeAddressing;
  readonly mode: ListenMode;
}

/** Ready endpoints of one service port: deduplicated by address:port, sorted, bounded. */
export function readyBackends(servicePort: ServicePortView, endpoints: readonly EndpointView[]): BackendSpec[] {
  const backends = new Map<string, BackendSpec>();
  for (const endpoint of endpoints) {
    if (!endpoint.ready || endpoint.terminating) continue;
    const port = resolveEndpointPort(servicePort, endpoint.ports);
    if (port === null) continue;
    const key = endpoint.address.includes(':') ? `[${endpoint.address}]:${port}` : `${endpoint.address}:${port}`;
    backends.set(key, { address: endpoint.address, port, key });
    if (backends.size >= ProxyLimits.endpointsPerServiceMax) break;
  }
  return [...backends.values()].sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
}

function targetOf(service: ServiceView, servicePort: ServicePortView, endpoints: readonly EndpointView[]): ServicePortTarget | null {
  if (servicePort.protocol === 'SCTP') return null;
  return {
    key: `${service.key}:${servicePort.port}/${servicePort.protocol}`,
    serviceKey: service.key,
    portName: servicePort.name,
    port: servicePort.port,
    protocol: servicePort.protocol,
    balancing: service.balancing,
    affinity: service.sessionAffinity,
    backends: readyBackends(servicePort, endpoints),
  };
}

interface Binding {
  readonly role: ListenerRole;
  readonly host: string;
  readonly port: number;
}

/** Where one service port is listened on, by the Service's type and the listen mode. */
function bindingsOf(service: ServiceView, servicePort: ServicePortView, input: ProxyTableInput): Binding[] {
  const bindings: Binding[] = [];
  if (service.clusterIP === null) return bindings;
  if (input.mode === 'cluster-ip') bindings.push({ role: 'cluster-ip', host: service.clusterIP, port: servicePort.port });
  // The proxy port is served in both modes, so every node answers on what the annotation says.
  const proxyPort = service.proxyPorts.get(proxyPortKey(servicePort.port, servicePort.protocol));
  if (proxyPort !== undefined) bindings.push({ role: 'proxy-port', host: input.node.listenAddress, port: proxyPort });
  if ((service.type === 'NodePort' || service.type === 'LoadBalancer') && servicePort.nodePort !== null) {
    bindings.push({ role: 'node-port', host: input.node.listenAddress, port: servicePort.nodePort });
  }
  if (service.type === 'LoadBalancer') bindings.push({ role: 'load-balancer', host: input.node.nodeAddress, port: servicePort.port });
  return bindings;
}

/**
 * The listeners and backends one node's proxy should have, pure: headless and ExternalName Services
 * get no listener (DNS answers for them), every other service port gets its bindings, and each binding is
 * given to the first Service (by namespace/name) that asks for it; later ones are reported.
 */
export function computeProxyTable(input: ProxyTableInput): ProxyTable {
  const listeners = new Map<string, ListenerSpec>();
  const targets = new Map<string, ServicePortTarget>();
  const clusterAddresses = new Set<string>();
  const problems: TableProblem[] = [];
  const services = [...input.services].sort((left, right) => (left.key < right.key ? -1 : 1)).slice(0, ProxyLimits.servicesMax);
  for (const service of services) {
    // Headless Services keep their targets (an Ingress may route to them) but get no listener.
    if (service.type === 'ExternalName') continue;
    for (const servicePort of service.ports) {
      const target = targetOf(service, servicePort, input.endpoints.get(service.key) ?? []);
      if (target === null) {
        problems.push({ serviceKey: service.key, message: `port ${servicePort.port}/${servicePort.protocol}: SCTP is not proxied` });
        continue;
      }
      targets.set(target.key, target);
      for (const binding of bindingsOf(service, servicePort, input)) {
        const key = listenerKey(target.protocol, binding.host, binding.port);
        const taken = listeners.get(key);
        if (taken !== undefined) {
          problems.push({ serviceKey: service.key, message: `${binding.role} ${key} is already used by ${taken.target.key}` });
          continue;
        }
        if (listeners.size >= ProxyLimits.listenersMax) {
          problems.push({ serviceKey: service.key, message: `listener limit (${ProxyLimits.listenersMax}) reached; ${key} skipped` });
          continue;
        }
        listeners.set(key, { key, protocol: target.protocol, host: binding.host, port: binding.port, role: binding.role, target });
        if (binding.role === 'cluster-ip') clusterAddresses.add(binding.host);
      }
    }
  }
  return { listeners: [...listeners.values()], targets, clusterAddresses: [...clusterAddresses].sort(), problems };
}
