import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { containerPortFor, hostPortOf, resolveServicePorts, serviceSelectorOf } from '../../control-plane/controllers/endpoint-ports.ts';
import { endpointFor, planEndpointSlices, sliceLabelsFor, type ExistingSlice, type SliceContent } from '../../control-plane/controllers/endpoint-slice-plan.ts';
import { planEndpoints } from '../../control-plane/controllers/endpoints-controller.ts';

const service = (extra: JsonObject = {}): JsonObject => ({
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', 'kubernetes.io/service-name': 'forged' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});

function pod(name: string, extra: { ready?: boolean; terminating?: boolean; ip?: string; phase?: string; hostPorts?: JsonObject; node?: string } = {}): JsonObject {
  return {
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' },
      ...(extra.terminating === true ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
      ...(extra.hostPorts === undefined ? {} : { annotations: { 'flotilla.io/host-ports': JSON.stringify(extra.hostPorts) } }),
    },
    spec: { nodeName: extra.node ?? 'node-1', containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }] },
    status: { phase: extra.phase ?? 'Running', podIP: extra.ip ?? '10.0.0.1', conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }] },
  };
}

const noZone = () => undefined;
const names = (content: SliceContent) => content.endpoints.map((endpoint) => (endpoint['targetRef'] as JsonObject)['name']);

describe('shared endpoint ports (Kubernetes FindPort + host ports)', () => {
  it('resolves numbers, names with the protocol, sidecar ports, and the host-port annotation', () => {
    const target = pod('a', { hostPorts: { 8080: 31000 } });
    expect(containerPortFor({ port: 80, targetPort: 9000 }, target)).toBe(9000);
    expect(containerPortFor({ port: 80 }, target)).toBe(80);
    expect(containerPortFor({ port: 80, targetPort: '7070' }, target)).toBe(7070);
    expect(containerPortFor({ port: 53, targetPort: 'dns', protocol: 'UDP' }, target)).toBe(53);
    expect(containerPortFor({ port: 53, targetPort: 'dns', protocol: 'TCP' }, target)).toBeUndefined();
    const sidecar = { ...target, spec: { containers: [], initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'http', containerPort: 15001 }] }, { name: 'setup', ports: [{ name: 'http', containerPort: 1 }] }] } };
    expect(containerPortFor({ port: 80, targetPort: 'http' }, sidecar)).toBe(15001);
    expect(hostPortOf(target, 8080)).toBe(31000);
    expect(hostPortOf(target, 53)).toBe(53);
    expect(hostPortOf({ metadata: { annotations: { 'flotilla.io/host-ports': 'not json' } } }, 80)).toBe(80);
    expect(resolveServicePorts(service(), target)).toEqual([{ name: 'http', protocol: 'TCP', port: 31000, appProtocol: undefined }]);
    expect(serviceSelectorOf({ spec: { selector: {} } })).toBeUndefined();
  });

  it('the Endpoints controller still resolves ports the same way', () => {
    const subsets = planEndpoints(service(), [pod('a', { hostPorts: { 8080: 31000 } }), pod('b', { ready: false })]);
    expect(subsets).toEqual([
      { ports: [{ port: 31000, protocol: 'TCP', name: 'http' }], addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' }, nodeName: 'node-1' }] },
      { ports: [{ port: 8080, protocol: 'TCP', name: 'http' }], notReadyAddresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' }, nodeName: 'node-1' }] },
    ]);
  });
});

describe('EndpointSlice endpoints', () => {
  it('conditions as Kubernetes: ready, not ready, terminating (serving = readiness), publishNotReadyAddresses', () => {
    const conditions = (target: JsonObject, extra: JsonObject = {}) => endpointFor(service(extra), target, noZone)['conditions'];
    expect(conditions(pod('a'))).toEqual({ ready: true, serving: true, terminating: false });
    expect(conditions(pod('a', { ready: false }))).toEqual({ ready: false, serving: false, terminating: false });
    expect(conditions(pod('a', { terminating: true }))).toEqual({ ready: false, serving: true, terminating: true });
    expect(conditions(pod('a', { terminating: true, ready: false }))).toEqual({ ready: false, serving: false, terminating: true });
    expect(conditions(pod('a', { ready: false }), { publishNotReadyAddresses: true })).toEqual({ ready: true, serving: false, terminating: false });
  });

  it('address, targetRef, nodeName, zone, and hostname only for pods of the Service subdomain', () => {
    const withHost = { ...pod('a'), spec: { ...(pod('a')['spec'] as JsonObject), hostname: 'a-0', subdomain: 'web' } };
    expect(endpointFor(service(), withHost, () => 'zone-a')).toEqual({
      addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' }, nodeName: 'node-1', zone: 'zone-a', hostname: 'a-0',
    });
    expect(endpointFor(service(), { ...withHost, spec: { ...(withHost['spec'] as JsonObject), subdomain: 'other' } }, noZone)['hostname']).toBeUndefined();
  });

  it('labels: the Service labels, the service name and our manager name (reserved keys cannot be forged), headless', () => {
    expect(sliceLabelsFor(service())).toEqual({ app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(sliceLabelsFor(service({ clusterIP: 'None' }))['service.kubernetes.io/headless']).toBe('');
  });
});

describe('EndpointSlice plan', () => {
  const existing = (name: string, content: SliceContent, labels = sliceLabelsFor(service())): ExistingSlice => ({ name, addressType: 'IPv4', labels, ...content });

  it('one slice for a few pods; finished pods, pods without an IPv4 address left out; terminating ones kept', () => {
    const pods = [pod('a'), pod('b', { terminating: true }), pod('c', { phase: 'Succeeded' }), pod('d', { ip: '' }), pod('e', { ip: 'fd00::1' })];
    const plan = planEndpointSlices(service(), pods, [], noZone);
    expect(plan.create).toHaveLength(1);
    expect(names(plan.create[0] as SliceContent)).toEqual(['a', 'b']);
    expect((plan.create[0] as SliceContent).ports).toEqual([{ name: 'http', protocol: 'TCP', port: 8080 }]);
  });

  it('at most 100 endpoints per slice; pods with other host ports get slices of their own mapping', () => {
    const pods = Array.from({ length: 250 }, (_, index) => pod(`p${String(index).padStart(3, '0')}`));
    const plan = planEndpointSlices(service(), [...pods, pod('mapped', { hostPorts: { 8080: 31000 } })], [], noZone);
    expect(plan.create.map((slice) => slice.endpoints.length)).toEqual([1, 100, 100, 50]);
    expect((plan.create[0] as SliceContent).ports).toEqual([{ name: 'http', protocol: 'TCP', port: 31000 }]);
  });

  it('keeps endpoints in their slice, updates only what changed, fills free room before creating', () => {
    const first = planEndpointSlices(service(), [pod('a'), pod('b')], [], noZone).create[0] as SliceContent;
    const unchanged = planEndpointSlices(service(), [pod('a'), pod('b')], [existing('web-1', first)], noZone);
    expect(unchanged).toMatchObject({ create: [], update: [], deleteNames: [] });
    const grown = planEndpointSlices(service(), [pod('a'), pod('b', { ready: false }), pod('c')], [existing('web-1', first)], noZone);
    expect(grown.create).toEqual([]);
    expect(grown.update.map((slice) => [slice.name, names(slice)])).toEqual([['web-1', ['a', 'b', 'c']]]);
    expect(((grown.update[0]?.endpoints[1] as JsonObject)['conditions'] as JsonObject)['ready']).toBe(false);
    const relabeled = planEndpointSlices(service(), [pod('a'), pod('b')], [existing('web-1', first, { old: 'x' })], noZone);
    expect(relabeled.update.map((slice) => slice.name)).toEqual(['web-1']);
  });

  it('an emptied slice goes, slices of a mapping no longer wanted go, and a Service without endpoints keeps one placeholder', () => {
    const first = planEndpointSlices(service(), [pod('a')], [], noZone).create[0] as SliceContent;
    const empty = planEndpointSlices(service(), [], [existing('web-1', first)], noZone);
    expect(empty.deleteNames).toEqual(['web-1']);
    expect(empty.create).toEqual([{ ports: [], endpoints: [] }]);
    const placeholder = planEndpointSlices(service(), [], [existing('web-2', { ports: [], endpoints: [] })], noZone);
    expect(placeholder).toMatchObject({ create: [], update: [], deleteNames: [] });
    const moved = planEndpointSlices(service(), [pod('a', { hostPorts: { 8080: 31000 } })], [existing('web-1', first), existing('web-2', { ports: [], endpoints: [] })], noZone);
    expect([...moved.deleteNames].sort()).toEqual(['web-1', 'web-2']);
    expect(moved.create).toHaveLength(1);
  });

  it('every wanted endpoint ends up in exactly one slice of at most the maximum, whatever existed (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 40 }), fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 12 }), { maxLength: 5 }), fc.integer({ min: 1, max: 10 }), (wanted, slices, slicesMax) => {
      const pods = wanted.map((index) => pod(`p${index}`));
      const template = planEndpointSlices(service(), Array.from({ length: 61 }, (_, index) => pod(`p${index}`)), [], noZone, 1000).create[0] as SliceContent;
      const byName = new Map(template.endpoints.map((endpoint) => [String((endpoint['targetRef'] as JsonObject)['name']), endpoint]));
      const current = slices.map((members, position) => existing(`s${position}`, { ports: template.ports, endpoints: members.map((index) => byName.get(`p${index}`) as JsonObject) }));
      const plan = planEndpointSlices(service(), pods, current, noZone, slicesMax);
      const after = new Map(current.map((slice) => [slice.name, slice.endpoints as JsonObject[]]));
      for (const name of plan.deleteNames) after.delete(name);
      for (const slice of plan.update) after.set(slice.name, [...slice.endpoints]);
      plan.create.forEach((slice, index) => after.set(`new-${index}`, [...slice.endpoints]));
      const placed = [...after.values()].flatMap((endpoints) => endpoints.map((endpoint) => String((endpoint['targetRef'] as JsonObject)['name'])));
      expect([...placed].sort()).toEqual(wanted.map((index) => `p${index}`).sort());
      for (const slice of [...plan.update, ...plan.create]) expect(slice.endpoints.length).toBeLessThanOrEqual(Math.max(slicesMax, 12));
      for (const slice of plan.create) expect(slice.endpoints.length).toBeLessThanOrEqual(slicesMax);
      if (wanted.length === 0) expect(after.size).toBe(1);
    }));
  });
});
