import { describe, expect, it } from 'vitest';
import { parseLinkedService, resolveEnv, serviceAddressingFor, serviceLinkVariables, type Container, type LinkedService } from '../../agent/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { proxyPortsAnnotation as protocolAnnotation } from '../../control-plane/nats/index.ts';
import { proxyPortsAnnotation } from '../../proxy/index.ts';
import { lookups, makePod } from './helpers.ts';

function service(namespace: string, name: string, spec: JsonObject, proxyPorts?: Record<string, number>): JsonObject {
  return {
    metadata: { namespace, name, ...(proxyPorts === undefined ? {} : { annotations: { 'flotilla.io/proxy-ports': JSON.stringify(proxyPorts) } }) },
    spec,
  };
}

const parsed = (objects: JsonObject[]): LinkedService[] => objects.map(parseLinkedService).filter((item): item is LinkedService => item !== null);

const redis = service('shop', 'redis-primary', { clusterIP: '10.96.0.11', ports: [{ port: 6379, protocol: 'TCP' }, { name: 'metrics', port: 9121, protocol: 'TCP' }] }, { '6379/TCP': 20111, '9121/TCP': 20112 });
const kubernetes = service('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }, { '443/TCP': 20443 });
const headless = service('shop', 'db', { clusterIP: 'None', ports: [{ port: 5432 }] });
const external = service('shop', 'mail', { type: 'ExternalName', externalName: 'mail.example.com' });
const elsewhere = service('other', 'web', { clusterIP: '10.96.0.12', ports: [{ port: 80 }] }, { '80/TCP': 20080 });

describe('Service environment variables (kubelet\'s enableServiceLinks)', () => {
  it('as root: the cluster IP and service port, with Kubernetes\' names (upper case, - → _), Docker links for every port', () => {
    const variables = serviceLinkVariables(parsed([redis, kubernetes, headless, external, elsewhere]), 'shop', true, { kind: 'cluster-ip' });
    expect(Object.fromEntries(variables)).toEqual({
      REDIS_PRIMARY_SERVICE_HOST: '10.96.0.11',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_METRICS: '9121',
      REDIS_PRIMARY_PORT: 'tcp://10.96.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.96.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.0.11',
      REDIS_PRIMARY_PORT_9121_TCP: 'tcp://10.96.0.11:9121',
      REDIS_PRIMARY_PORT_9121_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_9121_TCP_PORT: '9121',
      REDIS_PRIMARY_PORT_9121_TCP_ADDR: '10.96.0.11',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
  });

  it('without root: the node address and the recorded proxy port (names keep the service port); unrecorded Services are left out', () => {
    const unrecorded = service('shop', 'new', { clusterIP: '10.96.0.13', ports: [{ port: 80 }] });
    const variables = serviceLinkVariables(parsed([redis, unrecorded]), 'shop', true, { kind: 'proxy-ports', host: '192.168.1.21' });
    expect(variables.get('REDIS_PRIMARY_SERVICE_HOST')).toBe('192.168.1.21');
    expect(variables.get('REDIS_PRIMARY_SERVICE_PORT')).toBe('20111');
    expect(variables.get('REDIS_PRIMARY_SERVICE_PORT_METRICS')).toBe('20112');
    expect(variables.get('REDIS_PRIMARY_PORT')).toBe('tcp://192.168.1.21:20111');
    expect(variables.get('REDIS_PRIMARY_PORT_9121_TCP_ADDR')).toBe('192.168.1.21');
    expect(variables.get('REDIS_PRIMARY_PORT_9121_TCP_PORT')).toBe('20112');
    expect([...variables.keys()].some((name) => name.startsWith('NEW_'))).toBe(false);
  });

  it('enableServiceLinks: false keeps only the master service (kubernetes in default), and a namespace\'s own kubernetes wins', () => {
    const off = serviceLinkVariables(parsed([redis, kubernetes]), 'shop', false, { kind: 'cluster-ip' });
    expect([...off.keys()].every((name) => name.startsWith('KUBERNETES_'))).toBe(true);
    expect(off.size).toBe(8);
    const own = service('shop', 'kubernetes', { clusterIP: '10.96.0.99', ports: [{ port: 80 }] });
    expect(serviceLinkVariables(parsed([kubernetes, own]), 'shop', true, { kind: 'cluster-ip' }).get('KUBERNETES_SERVICE_HOST')).toBe('10.96.0.99');
  });

  it('resolveEnv: the pod\'s own variables win, $(VAR) expands against Service variables, and enableServiceLinks is read from the pod', () => {
    const container: Container = { name: 'app', command: ['true'], env: [{ name: 'REDIS_PRIMARY_SERVICE_PORT', value: 'mine' }, { name: 'REDIS_URL', value: 'redis://$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_PORT_6379_TCP_PORT)' }] };
    const withServices = { ...lookups(), serviceVariables: (namespace: string, enabled: boolean) => serviceLinkVariables(parsed([redis, kubernetes]), namespace, enabled, { kind: 'cluster-ip' }) };
    const pod = { ...makePod({ containers: [container] }), metadata: { name: 'app', namespace: 'shop', uid: 'u1' } };
    const resolved = resolveEnv(container, pod, withServices);
    if (!resolved.ok) throw new Error(resolved.message);
    expect(resolved.env.get('REDIS_PRIMARY_SERVICE_PORT')).toBe('mine');
    expect(resolved.env.get('REDIS_URL')).toBe('redis://10.96.0.11:6379');
    expect(resolved.env.get('REDIS_PRIMARY_SERVICE_HOST')).toBe('10.96.0.11');
    const unlinked = resolveEnv(container, { ...pod, spec: { ...pod.spec, enableServiceLinks: false } }, withServices);
    if (!unlinked.ok) throw new Error(unlinked.message);
    expect(unlinked.env.get('REDIS_PRIMARY_SERVICE_HOST')).toBeUndefined();
    expect(unlinked.env.get('REDIS_URL')).toBe('redis://$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_PORT_6379_TCP_PORT)');
    expect(unlinked.env.get('KUBERNETES_SERVICE_HOST')).toBe('10.96.0.1');
  });

  it('a separate proxy\'s addressing follows its listen mode; the proxy-ports annotation name is the proxy\'s', () => {
    expect(serviceAddressingFor('auto', '10.0.0.5', true)).toEqual({ kind: 'cluster-ip' });
    expect(serviceAddressingFor('auto', '10.0.0.5', false)).toEqual({ kind: 'proxy-ports', host: '10.0.0.5' });
    expect(serviceAddressingFor('ports', '10.0.0.5', true)).toEqual({ kind: 'proxy-ports', host: '10.0.0.5' });
    expect(protocolAnnotation).toBe(proxyPortsAnnotation);
  });
});
