import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { answerQuery, collectEndpoints, DnsZone, parseService, type ServiceView } from '../../proxy/index.ts';
import { endpointSlice, service } from './builders.ts';

function zone(): DnsZone {
  const services = [
    service('web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { port: 81 }].map((port, index) => (index === 1 ? { name: 'metrics', ...port } : port)) }),
    service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    service('empty', { clusterIP: 'None', ports: [{ port: 1 }] }),
    service('ext', { type: 'ExternalName', externalName: 'db.example.org.' }),
  ].map(parseService).filter((view): view is ServiceView => view !== null);
  const endpoints = collectEndpoints([
    endpointSlice('db', [{ ip: '192.0.2.1', hostname: 'db-0' }, { ip: '192.0.2.2' }, { ip: '192.0.2.3', ready: false }], [{ name: 'pg', port: 15432 }]),
  ], []);
  return new DnsZone({ services, endpoints });
}

describe('DNS zone', () => {
  const cluster = zone();

  it('answers A with the cluster IP, case-insensitively', () => {
    expect(cluster.lookup('Web.Default.svc.cluster.local.', 'A')).toEqual({ rcode: 'NOERROR', records: [{ type: 'A', name: 'web.default.svc.cluster.local', data: '10.96.0.5' }] });
  });

  it('answers a headless service with its ready endpoints, and names each endpoint', () => {
    const answer = cluster.lookup('db.default.svc.cluster.local', 'A');
    expect(answer.rcode === 'NOERROR' ? answer.records.map((record) => record.data) : answer).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(cluster.lookup('db-0.db.default.svc.cluster.local', 'A')).toMatchObject({ records: [{ data: '192.0.2.1' }] });
    expect(cluster.lookup('192-0-2-2.db.default.svc.cluster.local', 'A')).toMatchObject({ records: [{ data: '192.0.2.2' }] });
  });

  it('answers SRV for named ports: the service port, or each endpoint port of a headless service', () => {
    expect(cluster.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV')).toMatchObject({ records: [{ data: { port: 80, target: 'web.default.svc.cluster.local' } }] });
    const headless = cluster.lookup('_pg._tcp.db.default.svc.cluster.local', 'SRV');
    expect(headless.rcode === 'NOERROR' ? headless.records.map((record) => record.data) : headless).toEqual([
      { priority: 0, weight: 100, port: 15432, target: 'db-0.db.default.svc.cluster.local' },
      { priority: 0, weight: 100, port: 15432, target: '192-0-2-2.db.default.svc.cluster.local' },
    ]);
  });

  it('answers CNAME for ExternalName, NODATA for existing names without that type, NXDOMAIN and REFUSED otherwise', () => {
    expect(cluster.lookup('ext.default.svc.cluster.local', 'A')).toEqual({ rcode: 'NOERROR', records: [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', data: 'db.example.org' }] });
    expect(cluster.lookup('web.default.svc.cluster.local', 'AAAA')).toEqual({ rcode: 'NOERROR', records: [] });
    expect(cluster.lookup('default.svc.cluster.local', 'A')).toEqual({ rcode: 'NOERROR', records: [] });
    expect(cluster.lookup('empty.default.svc.cluster.local', 'A')).toEqual({ rcode: 'NOERROR', records: [] });
    expect(cluster.lookup('nope.default.svc.cluster.local', 'A')).toEqual({ rcode: 'NXDOMAIN' });
    expect(cluster.lookup('example.org', 'A')).toEqual({ rcode: 'REFUSED' });
  });
});

describe('DNS messages', () => {
  const cluster = zone();
  const query = (name: string, type: 'A' | 'SRV', id = 7): Buffer => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

  it('encodes answers with the query id, AA set and the records', () => {
    const answer = answerQuery(cluster, query('web.default.svc.cluster.local', 'A', 4242), 'udp');
    const decoded = dnsPacket.decode(answer ?? Buffer.alloc(0));
    expect(decoded.id).toBe(4242);
    expect(decoded.flag_aa).toBe(true);
    expect(decoded.answers).toMatchObject([{ type: 'A', data: '10.96.0.5', ttl: 5 }]);
  });

  it('says NXDOMAIN with the zone SOA, and FORMERR for garbage that looks like a query', () => {
    const missing = dnsPacket.decode(answerQuery(cluster, query('nope.default.svc.cluster.local', 'A'), 'udp') ?? Buffer.alloc(0));
    expect((missing as { rcode?: string }).rcode).toBe('NXDOMAIN');
    expect(missing.authorities?.[0]?.type).toBe('SOA');
    const garbage = Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([200, 1, 2])]);
    expect((dnsPacket.decode(answerQuery(cluster, garbage, 'udp') ?? Buffer.alloc(0)) as { rcode?: string }).rcode).toBe('FORMERR');
    expect(answerQuery(cluster, Buffer.from([1, 2, 3]), 'udp')).toBeNull();
  });

  it('truncates an answer too large for UDP so the client retries over TCP', () => {
    const many = [service('big', { clusterIP: 'None', ports: [{ port: 1 }] })].map(parseService).filter((view): view is ServiceView => view !== null);
    const endpoints = collectEndpoints([endpointSlice('big', Array.from({ length: 60 }, (_, index) => ({ ip: `192.0.2.${index + 1}` })), [{ port: 1 }])], []);
    const big = new DnsZone({ services: many, endpoints });
    const overUdp = dnsPacket.decode(answerQuery(big, query('big.default.svc.cluster.local', 'A'), 'udp') ?? Buffer.alloc(0));
    expect(overUdp.flag_tc).toBe(true);
    expect(overUdp.answers).toEqual([]);
    const overTcp = dnsPacket.decode(answerQuery(big, query('big.default.svc.cluster.local', 'A'), 'tcp') ?? Buffer.alloc(0));
    expect(overTcp.answers).toHaveLength(60);
  });
});
