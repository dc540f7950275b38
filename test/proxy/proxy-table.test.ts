import { describe, expect, it } from 'vitest';
import { planEndpoints } from '../../control-plane/controllers/endpoints-controller.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { collectEndpoints, computeProxyTable, parseService, type ListenMode, type ProxyTable, type ServiceView } from '../../proxy/index.ts';
import { endpointSlice, endpointsObject, service } from './builders.ts';

const node = { nodeAddress: '192.0.2.10', listenAddress: '0.0.0.0' };

function tableOf(services: JsonObject[], slices: JsonObject[], endpoints: JsonObject[] = [], mode: ListenMode = 'cluster-ip'): ProxyTable {
  const views = services.map(parseService).filter((view): view is ServiceView => view !== null);
  return computeProxyTable({ services: views, endpoints: collectEndpoints(slices, endpoints), node, mode });
}

function listenersOf(table: ProxyTable): string[] {
  return table.listeners.map((listener) => `${listener.role} ${listener.key} -> ${listener.target.backends.map((backend) => backend.key).join(',')}`);
}

describe('proxy table', () => {
  it('gives a ClusterIP service one listener per port on its cluster IP, with ready endpoints only', () => {
    const table = tableOf(
      [service('web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] })],
      [endpointSlice('web', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: false }, { ip: '10.0.0.3', terminating: true, ready: false }], [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }])],
    );
    expect(listenersOf(table)).toEqual([
      'cluster-ip TCP/10.96.0.5:80 -> 10.0.0.1:8080',
      'cluster-ip UDP/10.96.0.5:53 -> 10.0.0.1:5353',
    ]);
    expect(table.clusterAddresses).toEqual(['10.96.0.5']);
  });

  it('listens on the node port on every address for NodePort and on the node address for LoadBalancer', () => {
    const table = tableOf(
      [
        service('np', { type: 'NodePort', clusterIP: '10.96.0.6', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
        service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.7', ports: [{ port: 443, targetPort: 8443, nodePort: 30443 }] }),
      ],
      [endpointSlice('np', [{ ip: '10.0.0.1' }], [{ port: 8080 }]), endpointSlice('lb', [{ ip: '10.0.0.2' }], [{ port: 8443 }])],
    );
    expect(listenersOf(table).sort()).toEqual([
      'cluster-ip TCP/10.96.0.6:80 -> 10.0.0.1:8080',
      'cluster-ip TCP/10.96.0.7:443 -> 10.0.0.2:8443',
      'load-balancer TCP/192.0.2.10:443 -> 10.0.0.2:8443',
      'node-port TCP/0.0.0.0:30080 -> 10.0.0.1:8080',
      'node-port TCP/0.0.0.0:30443 -> 10.0.0.2:8443',
    ]);
  });

  it('gives headless and ExternalName services no listener', () => {
    const table = tableOf(
      [service('db', { clusterIP: 'None', ports: [{ port: 5432 }] }), service('ext', { type: 'ExternalName', externalName: 'example.org' })],
      [endpointSlice('db', [{ ip: '10.0.0.1' }], [{ port: 5432 }])],
    );
    expect(table.listeners).toEqual([]);
    expect(table.clusterAddresses).toEqual([]);
  });

  it('in ports mode listens on the recorded proxy port only, and not before it is recorded', () => {
    const recorded = service('web', { clusterIP: '10.96.0.5', annotations: { 'flotilla.io/proxy-ports': '{"80/TCP":20080}' } });
    const unrecorded = service('api', { clusterIP: '10.96.0.9' });
    const table = tableOf([recorded, unrecorded], [endpointSlice('web', [{ ip: '127.0.0.1' }], [{ port: 8080 }])], [], 'ports');
    expect(listenersOf(table)).toEqual(['proxy-port TCP/0.0.0.0:20080 -> 127.0.0.1:8080']);
    expect(table.clusterAddresses).toEqual([]);
  });

  it('resolves ports by name, by number for unnamed endpoint ports, and by the only port', () => {
    const table = tableOf(
      [
        service('named', { clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090 }] }),
        service('numbered', { clusterIP: '10.96.0.2', ports: [{ name: 'a', port: 81, targetPort: 7001 }, { name: 'b', port: 82, targetPort: 7002 }] }),
        service('single', { clusterIP: '10.96.0.3', ports: [{ port: 83, targetPort: 'web' }] }),
      ],
      [endpointSlice('named', [{ ip: '10.0.0.1' }], [{ name: 'metrics', port: 31000 }, { name: 'http', port: 31001 }])],
      [endpointsObject('numbered', ['10.0.0.2'], [], [{ port: 7002 }, { port: 7001 }]), endpointsObject('single', ['10.0.0.3'], [], [{ port: 31555 }])],
    );
    expect(listenersOf(table).sort()).toEqual([
      'cluster-ip TCP/10.96.0.1:80 -> 10.0.0.1:31001',
      'cluster-ip TCP/10.96.0.1:9090 -> 10.0.0.1:31000',
      'cluster-ip TCP/10.96.0.2:81 -> 10.0.0.2:7001',
      'cluster-ip TCP/10.96.0.2:82 -> 10.0.0.2:7002',
      'cluster-ip TCP/10.96.0.3:83 -> 10.0.0.3:31555',
    ]);
  });

  it('forwards to hostIP:hostPort when the pod has the flotilla.io/host-ports annotation (via the endpoints controller)', () => {
    const svc = service('web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    const pod: JsonObject = {
      metadata: { name: 'web-1', namespace: 'default', uid: 'u1', annotations: { 'flotilla.io/host-ports': '{"8080":41234}' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: '192.0.2.20', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const endpoints: JsonObject = { metadata: { name: 'web', namespace: 'default' }, subsets: planEndpoints(svc, [pod]) };
    expect(listenersOf(tableOf([svc], [], [endpoints]))).toEqual(['cluster-ip TCP/10.96.0.5:80 -> 192.0.2.20:41234']);
  });

  it('prefers EndpointSlices over Endpoints and merges several slices', () => {
    const table = tableOf(
      [service('web', { clusterIP: '10.96.0.5' })],
      [endpointSlice('web', [{ ip: '10.0.0.1' }], [{ port: 8080 }], { sliceName: 'a' }), endpointSlice('web', [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], [{ port: 8080 }], { sliceName: 'b' })],
      [endpointsObject('web', ['10.9.9.9'], [], [{ port: 8080 }])],
    );
    expect(listenersOf(table)).toEqual(['cluster-ip TCP/10.96.0.5:80 -> 10.0.0.1:8080,10.0.0.2:8080']);
  });

  it('gives a contested node port to the first service by namespace/name and reports the other', () => {
    const table = tableOf(
      [service('b', { type: 'NodePort', clusterIP: '10.96.0.2', ports: [{ port: 80, nodePort: 30001 }] }), service('a', { type: 'NodePort', clusterIP: '10.96.0.1', ports: [{ port: 80, nodePort: 30001 }] })],
      [],
    );
    const nodePorts = table.listeners.filter((listener) => listener.role === 'node-port');
    expect(nodePorts.map((listener) => listener.target.serviceKey)).toEqual(['default/a']);
    expect(table.problems.map((problem) => problem.serviceKey)).toEqual(['default/b']);
  });

  it('reads ClientIP affinity and the balancing annotation into the target', () => {
    const table = tableOf([service('web', { clusterIP: '10.96.0.5', affinitySeconds: 30, annotations: { 'flotilla.io/load-balancing': 'least-connections' } })], []);
    const target = table.listeners[0]?.target;
    expect(target?.affinity).toEqual({ kind: 'ClientIP', timeoutSeconds: 30 });
    expect(target?.balancing).toBe('least-connections');
  });
});
