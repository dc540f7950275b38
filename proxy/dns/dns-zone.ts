import { isIPv4, isIPv6 } from 'node:net';
import { DnsLimits } from '../limits.ts';
import type { EndpointView } from '../model/endpoint-view.ts';
import type { ServiceView } from '../model/service-view.ts';
import { resolveEndpointPort } from '../core/port-resolution.ts';

export type ZoneRecord =
  | { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly name: string; readonly data: string }
  | { readonly type: 'SRV'; readonly name: string; readonly data: { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string } };

export type ZoneAnswer =
  | { readonly rcode: 'NOERROR'; readonly records: readonly ZoneRecord[] }
  | { readonly rcode: 'NXDOMAIN' }
  /** Not our zone: this server answers cluster names only. */
  | { readonly rcode: 'REFUSED' };

export interface DnsZoneInput {
  readonly services: readonly ServiceView[];
  readonly endpoints: ReadonlyMap<string, readonly EndpointView[]>;
  readonly clusterDomain?: string;
}

/** The DNS name of an endpoint without a hostname: its address with dashes (Kubernetes' pod A-record form). */
function dashedName(address: string): string {
  return address.replaceAll('.', '-').replaceAll(':', '-');
}

function addressRecord(name: string, address: string): ZoneRecord | null {
  if (isIPv4(address)) return { type: 'A', name, data: address };
  if (isIPv6(address)) return { type: 'AAAA', name, data: address };
  return null;
}

/**
 * The cluster's DNS zone as the Kubernetes DNS specification defines it, built from the Services
 * and their endpoints, pure. `<svc>.<ns>.svc.<domain>`: A/AAAA of the cluster IP, or of each ready
 * endpoint of a headless Service (all of them with publishNotReadyAddresses); CNAME for
 * ExternalName; `_<port>._<proto>.<svc>.<ns>.svc.<domain>` SRV for named ports (per endpoint for a
 * headless Service, whose endpoints also get `<hostname or dashed address>.<svc>...` records).
 */
export class DnsZone {
  readonly domain: string;
  private readonly records = new Map<string, ZoneRecord[]>();
  /** Every name that exists (with records or as an empty non-terminal), for NODATA versus NXDOMAIN. */
  private readonly names = new Set<string>();

  constructor(input: DnsZoneInput) {
    this.domain = (input.clusterDomain ?? DnsLimits.clusterDomain).toLowerCase();
    for (const service of input.services) this.addService(service, input.endpoints.get(service.key) ?? []);
  }

  lookup(queryName: string, type: string): ZoneAnswer {
    const name = queryName.toLowerCase().replace(/\.$/, '');
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) return { rcode: 'REFUSED' };
    if (!this.names.has(name)) return { rcode: 'NXDOMAIN' };
    const all = this.records.get(name) ?? [];
    const cname = all.filter((record) => record.type === 'CNAME');
    // A CNAME owner has no other data: every question type gets the alias and the resolver follows it.
    if (cname.length > 0) return { rcode: 'NOERROR', records: cname };
    const records = type === 'ANY' ? all : all.filter((record) => record.type === type);
    return { rcode: 'NOERROR', records: records.slice(0, DnsLimits.answersMax) };
  }

  private add(record: ZoneRecord): void {
    const list = this.records.get(record.name) ?? [];
    if (list.length >= DnsLimits.answersMax) return;
    list.push(record);
    this.records.set(record.name, list);
    this.markExisting(record.name);
  }

  /** The name and every ancestor down to the zone exist (empty non-terminals answer NODATA). */
  private markExisting(owner: string): void {
    let name = owner;
    while (name.length >= this.domain.length) {
      this.names.add(name);
      const dot = name.indexOf('.');
      if (dot < 0 || name === this.domain) break;
      name = name.slice(dot + 1);
    }
  }

  private addService(service: ServiceView, endpoints: readonly EndpointView[]): void {
    const serviceName = `${service.name}.${service.namespace}.svc.${this.domain}`.toLowerCase();
    if (service.type === 'ExternalName') {
      if (service.externalName !== null && service.externalName !== '') this.add({ type: 'CNAME', name: serviceName, data: service.externalName.replace(/\.$/, '') });
      return;
    }
    if (!service.headless) {
      if (service.clusterIP !== null) {
        const record = addressRecord(serviceName, service.clusterIP);
        if (record !== null) this.add(record);
      }
      for (const port of service.ports) {
        if (port.name === '') continue;
        this.add({ type: 'SRV', name: `_${port.name}._${port.protocol.toLowerCase()}.${serviceName}`, data: { priority: 0, weight: 100, port: port.port, target: serviceName } });
      }
      return;
    }
    this.addHeadless(service, serviceName, endpoints);
  }

  private addHeadless(service: ServiceView, serviceName: string, endpoints: readonly EndpointView[]): void {
    const published = endpoints.filter((endpoint) => service.publishNotReadyAddresses || (endpoint.ready && !endpoint.terminating));
    for (const endpoint of published) {
      const record = addressRecord(serviceName, endpoint.address);
      if (record === null) continue;
      this.add(record);
      const hostName = `${endpoint.hostname ?? dashedName(endpoint.address)}.${serviceName}`.toLowerCase();
      this.add({ ...record, name: hostName });
      for (const servicePort of service.ports) {
        if (servicePort.name === '') continue;
        const port = resolveEndpointPort(servicePort, endpoint.ports);
        if (port === null) continue;
        this.add({ type: 'SRV', name: `_${servicePort.name}._${servicePort.protocol.toLowerCase()}.${serviceName}`, data: { priority: 0, weight: 100, port, target: hostName } });
      }
    }
    // A headless Service with no ready endpoint still exists: NODATA, not NXDOMAIN.
    this.markExisting(serviceName);
  }
}
