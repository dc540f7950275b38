import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePortRange, serviceIpRange } from '../../control-plane/api/allocation/allocation-ranges.ts';
import { assignServiceAllocations, heldByService } from '../../control-plane/api/allocation/service-allocation.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { ApiHarness } from './harness.ts';

type Json = Record<string, unknown>;

function service(name: string, spec: Json = {}): Json {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

describe('Service cluster IPs and node ports: allocated once, never twice', () => {
  let harness: ApiHarness;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await harness.fetch(path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: JSON.parse(response.body) as Json };
  };
  const spec = (body: Json) => body['spec'] as Json;
  const base = '/api/v1/namespaces/default/services';

  beforeAll(async () => {
    harness = await ApiHarness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('gives concurrent creates distinct cluster IPs inside 10.96.0.0/12', async () => {
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => call('POST', base, service(`many-${i}`))));
    expect(created.map((answer) => answer.status)).toEqual(created.map(() => 201));
    const ips = created.map((answer) => String(spec(answer.body)['clusterIP']));
    expect(new Set(ips).size).toBe(ips.length);
    for (const ip of ips) expect(serviceIpRange.parse(ip)).not.toBeNull();
    expect(spec(created[0]?.body ?? {})['clusterIPs']).toEqual([ips[0]]);
  });

  it('refuses a cluster IP or node port that is taken, or outside its range, with 422', async () => {
    const first = await call('POST', base, service('fixed', { type: 'NodePort', clusterIP: '10.96.7.7', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(first.status).toBe(201);
    const sameIp = await call('POST', base, service('same-ip', { clusterIP: '10.96.7.7' }));
    expect([sameIp.status, sameIp.body['message']]).toEqual([422, expect.stringContaining('spec.clusterIP: Invalid value: "10.96.7.7": provided IP is already allocated')]);
    const samePort = await call('POST', base, service('same-port', { type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] }));
    expect([samePort.status, samePort.body['message']]).toEqual([422, expect.stringContaining('spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated')]);
    const outside = await call('POST', base, service('outside', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }));
    expect([outside.status, outside.body['message']]).toEqual([422, expect.stringContaining('provided port is not in the valid range. The range of valid ports is 30000-32767')]);
    const foreignIp = await call('POST', base, service('foreign', { clusterIP: '192.168.1.10' }));
    expect([foreignIp.status, foreignIp.body['message']]).toEqual([422, expect.stringContaining('The range of valid IPs is 10.96.0.0/12')]);
    // Nothing was half-written by the refused creates.
    expect((await call('GET', `${base}/same-port`)).status).toBe(404);
  });

  it('frees what a deleted Service held, and what a type change drops', async () => {
    expect((await call('DELETE', `${base}/fixed`)).status).toBe(200);
    expect((await call('POST', base, service('reuse', { type: 'NodePort', clusterIP: '10.96.7.7', ports: [{ port: 80, nodePort: 30080 }] }))).status).toBe(201);
    const current = (await call('GET', `${base}/reuse`)).body;
    const asClusterIp = await call('PUT', `${base}/reuse`, { ...current, spec: { ...spec(current), type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } });
    expect(asClusterIp.status).toBe(200);
    expect((spec(asClusterIp.body)['ports'] as Json[])[0]?.['nodePort']).toBeUndefined();
    expect(spec(asClusterIp.body)['clusterIP']).toBe('10.96.7.7');
    expect((await call('POST', base, service('port-again', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).status).toBe(201);
  });

  it('keeps node ports through an update that leaves them out, and picks new ones for new ports', async () => {
    const created = await call('POST', base, service('keeper', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] }));
    const nodePort = (spec(created.body)['ports'] as Json[])[0]?.['nodePort'];
    expect(nodePortRange.parse(nodePort)).not.toBeNull();
    const updated = await call('PUT', `${base}/keeper`, { ...created.body, spec: { ...spec(created.body), ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } });
    expect(updated.status).toBe(200);
    const ports = spec(updated.body)['ports'] as Json[];
    expect(ports[0]?.['nodePort']).toBe(nodePort);
    expect(nodePortRange.parse(ports[1]?.['nodePort'])).not.toBeNull();
    expect(ports[1]?.['nodePort']).not.toBe(nodePort);
  });

  it('a headless or ExternalName Service holds nothing', async () => {
    const headless = await call('POST', base, service('headless', { clusterIP: 'None' }));
    expect([headless.status, spec(headless.body)['clusterIP']]).toEqual([201, 'None']);
    const external = await call('POST', base, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { type: 'ExternalName', externalName: 'nas.home.lan' } });
    expect(external.status).toBe(201);
    expect(spec(external.body)['clusterIP']).toBeUndefined();
  });
});

describe('assignServiceAllocations (pure)', () => {
  const picker = (values: number[]) => () => values.shift() ?? null;

  it('holds exactly the values it assigned, for any mix of ports and types', () => {
    fc.assert(
      fc.property(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 5 }), (type, ports) => {
        const object: JsonObject = { spec: { type, ports: ports.map((port) => ({ port, protocol: 'TCP' })) } };
        let next = 30000;
        const claims = assignServiceAllocations(object, null, (range) => (range === nodePortRange ? next++ : serviceIpRange.first + 5));
        expect(new Set(claims.map((claim) => claim.key))).toEqual(new Set(heldByService(object)));
        expect(claims.length).toBe(1 + (type === 'ClusterIP' ? 0 : ports.length));
      }),
    );
  });

  it('says which values were asked for and which were picked', () => {
    const object: JsonObject = { spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30001 }, { port: 81 }] } };
    const claims = assignServiceAllocations(object, null, picker([30002]));
    expect(claims.map((claim) => [claim.field, claim.value, claim.picked])).toEqual([
      ['spec.clusterIP', '10.96.0.10', false],
      ['spec.ports[0].nodePort', 30001, false],
      ['spec.ports[1].nodePort', 30002, true],
    ]);
  });
});
