import { isIP } from 'node:net';
import { decodeFields } from './codec.ts';
import { ProtocolLimits } from './limits.ts';
import {
  protocolVersion, type LoadBalancerWriteRequest, type ObjectsListRequest, type ObjectsListResult, type ProxyWriteResult, type ServiceProxyPortsWriteRequest,
  type TlsSecretGetRequest, type TlsSecretGetResult,
} from './messages.ts';
import { isPortNumber, proxyPortKeyPattern } from './proxy-ports.ts';
import { ProtocolError, type Fields } from './shape.ts';

/** Decoders of the node proxy's operations (lists, TLS Secrets, compare-and-swap writes) and of their results. */

export function decodeObjectsListRequest(bytes: Uint8Array, operation: string): ObjectsListRequest {
  const fields = decodeFields(bytes, operation);
  return { version: protocolVersion, revision: fields.integer('revision', 0), continueAfter: fields.string('continueAfter') };
}

export function readObjectsListResult(fields: Fields): ObjectsListResult {
  return { revision: fields.integer('revision', 0), objects: fields.objects('objects', ProtocolLimits.objectsPerListPageMax), continueAfter: fields.string('continueAfter') };
}

export function decodeTlsSecretGetRequest(bytes: Uint8Array): TlsSecretGetRequest {
  const fields = decodeFields(bytes, 'secrets.tls.get');
  return { version: protocolVersion, namespace: fields.string('namespace'), name: fields.string('name') };
}

export function readTlsSecretGetResult(fields: Fields): TlsSecretGetResult {
  return { found: fields.boolean('found'), secret: fields.object('secret') };
}

function target(fields: Fields): Omit<ServiceProxyPortsWriteRequest, 'ports'> {
  return { version: protocolVersion, namespace: fields.string('namespace'), name: fields.string('name'), resourceVersion: fields.string('resourceVersion') };
}

export function decodeServiceProxyPortsWriteRequest(bytes: Uint8Array): ServiceProxyPortsWriteRequest {
  const fields = decodeFields(bytes, 'services.proxy-ports.write');
  const ports = fields.numberMap('ports');
  const entries = Object.entries(ports);
  if (entries.length > ProtocolLimits.proxyPortsPerWriteMax) throw new ProtocolError(`services.proxy-ports.write: ${entries.length} ports; at most ${ProtocolLimits.proxyPortsPerWriteMax}`);
  for (const [key, port] of entries) {
    if (!proxyPortKeyPattern.test(key)) throw new ProtocolError(`services.proxy-ports.write: ports key "${key}" must be <port>/<TCP|UDP|SCTP>`);
    if (!isPortNumber(port)) throw new ProtocolError(`services.proxy-ports.write: ports.${key} must be a port from 1 to 65535, got ${port}`);
  }
  return { ...target(fields), ports };
}

export function decodeLoadBalancerWriteRequest(bytes: Uint8Array, operation: string): LoadBalancerWriteRequest {
  const fields = decodeFields(bytes, operation);
  const ips = fields.strings('ips', ProtocolLimits.loadBalancerIpsPerWriteMax);
  for (const ip of ips) if (isIP(ip) === 0) throw new ProtocolError(`${operation}: "${ip}" in ips is not an IP address`);
  return { ...target(fields), ips };
}

export function readProxyWriteResult(fields: Fields): ProxyWriteResult {
  return { outcome: fields.oneOf('outcome', ['written', 'conflict', 'notFound']), resourceVersion: fields.string('resourceVersion') };
}
