import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseService, planLoadBalancerIngress, planProxyPorts, type ServiceView } from '../../proxy/index.ts';
import { service } from './builders.ts';

function views(...objects: ReturnType<typeof service>[]): ServiceView[] {
  return objects.map(parseService).filter((view): view is ServiceView => view !== null);
}

const range = { first: 20_000, last: 20_009 };

describe('proxy port assignment', () => {
  it('assigns every TCP/UDP port of every non-headless service once, and nothing when all are recorded', () => {
    const planned = planProxyPorts(views(service('a', { ports: [{ name: 'x', port: 80 }, { name: 'y', port: 53, protocol: 'UDP' }] }), service('h', { clusterIP: 'None' }), service('e', { type: 'ExternalName', externalName: 'x.org' })), range);
    expect(planned.map((assignment) => Object.keys(assignment.ports))).toEqual([['53/UDP', '80/TCP']]);
    const recorded = views(service('a', { annotations: { 'flotilla.io/proxy-ports': JSON.stringify(planned[0]?.ports) }, ports: [{ name: 'x', port: 80 }, { name: 'y', port: 53, protocol: 'UDP' }] }));
    expect(planProxyPorts(recorded, range)).toEqual([]);
  });

  it('keeps a recorded port, and moves the later service (by namespace/name) off a port two claim', () => {
    const planned = planProxyPorts(views(
      service('b', { annotations: { 'flotilla.io/proxy-ports': '{"80/TCP":20003}' } }),
      service('a', { annotations: { 'flotilla.io/proxy-ports': '{"80/TCP":20003}' } }),
    ), range);
    expect(planned).toHaveLength(1);
    expect(planned[0]?.serviceKey).toBe('default/b');
    expect(planned[0]?.ports['80/TCP']).not.toBe(20003);
  });

  it('never gives one port to two services and stays in range (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 10 }), fc.array(fc.integer({ min: 19_990, max: 20_020 }), { maxLength: 10 }), (names, recordedPorts) => {
      const services = views(...names.map((name, index) => service(name, recordedPorts[index] === undefined ? {} : { annotations: { 'flotilla.io/proxy-ports': `{"80/TCP":${recordedPorts[index]}}` } })));
      const planned = new Map(planProxyPorts(services, range).map((assignment) => [assignment.serviceKey, assignment.ports['80/TCP']]));
      const final = services.map((view) => planned.get(view.key) ?? view.proxyPorts.get('80/TCP'));
      for (const port of final) expect(port === undefined || (port >= range.first && port <= range.last)).toBe(true);
      const assigned = final.filter((port) => port !== undefined);
      expect(new Set(assigned).size).toBe(assigned.length);
      expect(assigned.length).toBe(Math.min(services.length, 10));
    }));
  });
});

describe('load balancer status', () => {
  it('adds this node once and keeps the list sorted', () => {
    expect(planLoadBalancerIngress([], '192.0.2.2')).toEqual(['192.0.2.2']);
    expect(planLoadBalancerIngress(['192.0.2.3'], '192.0.2.2')).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(planLoadBalancerIngress(['192.0.2.2'], '192.0.2.2')).toBeNull();
  });
});
