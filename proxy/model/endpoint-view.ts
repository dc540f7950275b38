import { asString, getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import { serviceNameLabel } from './annotations.ts';
import type { TransportProtocol } from './service-view.ts';

export interface EndpointPortView {
  readonly name: string;
  readonly port: number;
  readonly protocol: TransportProtocol;
}

/**
 * One backend address of a Service with its readiness, as an EndpointSlice endpoint states it
 * (Endpoints' `addresses` are ready, `notReadyAddresses` not ready).
 */
export interface EndpointView {
  readonly address: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly hostname: string | null;
  readonly nodeName: string | null;
  readonly ports: readonly EndpointPortView[];
}

function protocolOf(value: unknown): TransportProtocol {
  return value === 'UDP' || value === 'SCTP' ? value : 'TCP';
}

function portsOf(list: unknown): EndpointPortView[] {
  return objectsIn(list).flatMap((port) => {
    const number = port['port'];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65_535) return [];
    return [{ name: asString(port['name']) ?? '', port: number, protocol: protocolOf(port['protocol']) }];
  });
}

/** The Service (`namespace/name`) an EndpointSlice belongs to, from its `kubernetes.io/service-name` label. */
export function serviceKeyOfSlice(slice: JsonObject): string | null {
  const name = asString(getPath(slice, ['metadata', 'labels', serviceNameLabel])) ?? '';
  const namespace = asString(getPath(slice, ['metadata', 'namespace'])) ?? 'default';
  return name === '' ? null : `${namespace}/${name}`;
}

/**
 * Endpoints of one EndpointSlice. A missing `ready` condition means ready and a missing `serving`
 * means "same as ready", as the discovery/v1 API defines them; FQDN slices carry no IPs to proxy to.
 */
export function endpointsOfSlice(slice: JsonObject): EndpointView[] {
  const addressType = asString(slice['addressType']) ?? 'IPv4';
  if (addressType !== 'IPv4' && addressType !== 'IPv6') return [];
  const ports = portsOf(slice['ports']);
  return objectsIn(slice['endpoints']).flatMap((endpoint) => {
    const address = (Array.isArray(endpoint['addresses']) ? endpoint['addresses'] : []).map((item) => asString(item) ?? '').find((item) => item !== '');
    if (address === undefined) return [];
    const conditions = getPath(endpoint, ['conditions']);
    const readyValue = getPath(conditions, ['ready']);
    const ready = readyValue !== false;
    const servingValue = getPath(conditions, ['serving']);
    return [{
      address,
      ready,
      serving: typeof servingValue === 'boolean' ? servingValue : ready,
      terminating: getPath(conditions, ['terminating']) === true,
      hostname: asString(endpoint['hostname']) ?? null,
      nodeName: asString(endpoint['nodeName']) ?? null,
      ports,
    }];
  });
}

/** Endpoints of a core/v1 Endpoints object: every subset's addresses with that subset's ports. */
export function endpointsOfEndpointsObject(object: JsonObject): EndpointView[] {
  return objectsIn(object['subsets']).flatMap((subset) => {
    const ports = portsOf(subset['ports']);
    const read = (list: unknown, ready: boolean): EndpointView[] => objectsIn(list).flatMap((address) => {
      const ip = asString(address['ip']) ?? '';
      if (ip === '') return [];
      return [{ address: ip, ready, serving: ready, terminating: false, hostname: asString(address['hostname']) ?? null, nodeName: asString(address['nodeName']) ?? null, ports }];
    });
    return [...read(subset['addresses'], true), ...read(subset['notReadyAddresses'], false)];
  });
}
