import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { endpointSliceResource } from '../../control-plane/api/registry/kinds/endpoint-slice.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { serviceResource } from '../../control-plane/api/registry/kinds/service.ts';
import { isPodReady, labelsOfObject, nameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';
import { editObject } from './workload-test-helpers.ts';

let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** The fake agents renew leases between pod updates: with many pods a pass outlasts the tests' 1 s node grace, so larger tests get a longer one. */
const patientNodeTimings = { nodeMonitorPeriodMs: 200, nodeMonitorGracePeriodMs: 30_000, defaultTolerationSeconds: 30 };

async function startWithNodes(count: number, patient = false): Promise<ControlPlaneHarness> {
  const started = await ControlPlaneHarness.start(patient ? { nodeTimings: patientNodeTimings } : {});
  for (let index = 1; index <= count; index++) await started.addNode({ name: `node-${index}`, pods: '200', labels: { 'topology.kubernetes.io/zone': `zone-${index}` } });
  return started;
}

const container = { name: 'main', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] };

function deployment(name: string, replicas: number): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
  };
}

function service(name: string, selector: JsonObject | undefined): JsonObject {
  return { metadata: { name, namespace: 'default', labels: { team: 'a' } }, spec: { ...(selector === undefined ? {} : { selector }), ports: [{ name: 'web', port: 80, targetPort: 'http' }] } };
}

async function slicesOf(h: ControlPlaneHarness, serviceName: string): Promise<JsonObject[]> {
  return (await h.client.list(endpointSliceResource, 'default')).items.filter((slice) => labelsOfObject(slice)['kubernetes.io/service-name'] === serviceName);
}

const endpointsIn = (slices: readonly JsonObject[]) => slices.flatMap((slice) => (slice['endpoints'] ?? []) as JsonObject[]);
const podNameOf = (endpoint: JsonObject) => String((endpoint['targetRef'] as JsonObject)['name']);

describe('EndpointSlice controller against the real object layer', () => {
  it('a selector Service gets a managed slice of its ready pods: labels, owner, ports by name, conditions, nodes, zones', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(deploymentResource, deployment('web', 3));
    const created = await h.client.create(serviceResource, service('web', { app: 'web' }));
    const slices = await eventually(async () => {
      const found = await slicesOf(h, 'web');
      const endpoints = endpointsIn(found);
      return endpoints.length === 3 && endpoints.every((endpoint) => (endpoint['conditions'] as JsonObject)['ready'] === true) ? found : undefined;
    });
    expect(slices).toHaveLength(1);
    const slice = slices[0] ?? {};
    expect(nameOf(slice).startsWith('web-')).toBe(true);
    expect(slice['addressType']).toBe('IPv4');
    expect(labelsOfObject(slice)).toEqual({ team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect((slice['metadata'] as JsonObject)['ownerReferences']).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: uidOf(created), controller: true, blockOwnerDeletion: true }]);
    expect(slice['ports']).toEqual([{ name: 'web', protocol: 'TCP', port: 8080 }]);
    const pods = (await h.client.list(podResource, 'default')).items;
    for (const endpoint of endpointsIn(slices)) {
      const source = pods.find((item) => nameOf(item) === podNameOf(endpoint)) ?? {};
      expect(endpoint['addresses']).toEqual(['127.0.0.1']);
      expect(endpoint['conditions']).toEqual({ ready: true, serving: true, terminating: false });
      expect((endpoint['targetRef'] as JsonObject)['uid']).toBe(uidOf(source));
      expect(endpoint['nodeName']).toBe((source['spec'] as JsonObject)['nodeName']);
      expect(endpoint['zone']).toBe(`zone-${String(endpoint['nodeName']).slice('node-'.length)}`);
    }
  });

  it('host-port annotations give a pod its own port mapping; a terminating pod is ready=false, serving, terminating', async () => {
    const h = (harness = await startWithNodes(1));
    await h.client.create(serviceResource, service('api', { app: 'api' }));
    const make = (name: string, metadata: JsonObject) => h.client.create(podResource, { metadata: { name, namespace: 'default', labels: { app: 'api' }, ...metadata }, spec: { containers: [container] } });
    await make('plain', {});
    await make('mapped', { annotations: { 'flotilla.io/host-ports': JSON.stringify({ 8080: 31080 }) } });
    await make('held', { finalizers: ['test.flotilla.io/hold'] });
    await eventually(async () => endpointsIn(await slicesOf(h, 'api')).filter((endpoint) => (endpoint['conditions'] as JsonObject)['ready'] === true).length === 3 || undefined);
    const byPort = new Map((await slicesOf(h, 'api')).map((slice) => [JSON.stringify(slice['ports']), endpointsIn([slice]).map(podNameOf).sort()]));
    expect(byPort.get(JSON.stringify([{ name: 'web', protocol: 'TCP', port: 31080 }]))).toEqual(['mapped']);
    expect(byPort.get(JSON.stringify([{ name: 'web', protocol: 'TCP', port: 8080 }]))).toEqual(['held', 'plain']);
    // Deleted, the held pod stays (finalizer) with its deletionTimestamp: terminating.
    await h.client.delete(podResource, 'default', 'held');
    await eventually(async () => {
      const held = endpointsIn(await slicesOf(h, 'api')).find((endpoint) => podNameOf(endpoint) === 'held');
      return JSON.stringify(held?.['conditions']) === JSON.stringify({ ready: false, serving: true, terminating: true }) || undefined;
    });
    await editObject(h.client, podResource, 'default', 'held', (pod) => {
      (pod['metadata'] as JsonObject)['finalizers'] = [];
    });
    await eventually(async () => endpointsIn(await slicesOf(h, 'api')).every((endpoint) => podNameOf(endpoint) !== 'held') || undefined);
  });

  it('more than 100 pods are spread over slices of at most 100 endpoints', async () => {
    const h = (harness = await startWithNodes(2, true));
    await h.client.create(deploymentResource, deployment('many', 130));
    await h.client.create(serviceResource, service('many', { app: 'many' }));
    const slices = await eventually(async () => {
      const found = await slicesOf(h, 'many');
      return endpointsIn(found).length === 130 ? found : undefined;
    }, 40_000, async () => {
      const pods = (await h.client.list(podResource, 'default')).items;
      const found = await slicesOf(h, 'many');
      const events = (await h.client.list(eventResource, 'default')).items.map((event) => `${String(event['reason'])}:${String(event['message'])}`).slice(0, 5);
      return `pods ${pods.length} ready ${pods.filter(isPodReady).length} bound ${pods.filter((pod) => (pod['spec'] as JsonObject)['nodeName'] !== undefined).length} slices ${found.map((slice) => ((slice['endpoints'] ?? []) as JsonObject[]).length).join(',')} ${JSON.stringify(events)} ${JSON.stringify(pods[0]?.['status'])}`;
    });
    expect(slices.length).toBeGreaterThanOrEqual(2);
    for (const slice of slices) expect(((slice['endpoints'] ?? []) as JsonObject[]).length).toBeLessThanOrEqual(100);
    expect(new Set(endpointsIn(slices).map(podNameOf)).size).toBe(130);
  });

  it('no selector: no managed slices; no pods: one empty placeholder; the Service deleted: its slices go', async () => {
    const h = (harness = await startWithNodes(1));
    await h.client.create(serviceResource, service('external', undefined));
    await h.client.create(serviceResource, service('lonely', { app: 'nobody' }));
    const placeholder = await eventually(async () => (await slicesOf(h, 'lonely'))[0]);
    expect(placeholder['endpoints'] ?? []).toEqual([]);
    expect(placeholder['ports'] ?? []).toEqual([]);
    expect(await slicesOf(h, 'external')).toEqual([]);
    // A matching pod replaces the placeholder's emptiness (same slice, now with the endpoint and ports).
    await h.client.create(podResource, { metadata: { name: 'someone', namespace: 'default', labels: { app: 'nobody' } }, spec: { containers: [container] } });
    await eventually(async () => {
      const found = await slicesOf(h, 'lonely');
      return found.length === 1 && endpointsIn(found).length === 1 && (await h.client.list(podResource, 'default')).items.some(isPodReady) || undefined;
    });
    await h.client.delete(serviceResource, 'default', 'lonely');
    await eventually(async () => (await slicesOf(h, 'lonely')).length === 0 || undefined);
  });
});
