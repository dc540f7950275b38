import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { namespaceResource } from '../../control-plane/api/registry/kinds/namespace.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { replicaSetResource } from '../../control-plane/api/registry/kinds/replica-set.ts';
import { serviceResource } from '../../control-plane/api/registry/kinds/service.ts';
import { endpointsResource } from '../../control-plane/api/registry/kinds/endpoints.ts';
import { nodeResource } from '../../control-plane/api/registry/kinds/node.ts';
import { conditionStatus, isBeingDeleted, isPodReady, nodeNameOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';
import { editObject } from './workload-test-helpers.ts';

let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function deployment(name: string, replicas: number, extra: { image?: string; cpu?: string; namespace?: string; strategy?: JsonObject } = {}): JsonObject {
  return {
    metadata: { name, namespace: extra.namespace ?? 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      ...(extra.strategy === undefined ? {} : { strategy: extra.strategy }),
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: extra.image ?? 'nginx:1', resources: { requests: { cpu: extra.cpu ?? '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

async function podsOf(h: ControlPlaneHarness, app: string, namespace = 'default'): Promise<JsonObject[]> {
  const { items } = await h.client.list(podResource, namespace);
  return items.filter((pod) => (pod['metadata'] as JsonObject)['labels'] !== undefined && ((pod['metadata'] as JsonObject)['labels'] as JsonObject)['app'] === app);
}

/** Pods not marked for deletion (what a controller counts; terminating pods wait for their agent). */
async function activePodsOf(h: ControlPlaneHarness, app: string): Promise<JsonObject[]> {
  return (await podsOf(h, app)).filter((pod) => !isBeingDeleted(pod));
}

async function readyCount(h: ControlPlaneHarness, app: string, image?: string): Promise<number> {
  return (await activePodsOf(h, app)).filter((pod) => isPodReady(pod) && (image === undefined || JSON.stringify(pod['spec']).includes(image))).length;
}

/** Read-modify-write of a Deployment's spec, retried when a controller wrote in between (409). */
async function editDeployment(h: ControlPlaneHarness, name: string, edit: (spec: JsonObject) => void): Promise<void> {
  await editObject(h.client, deploymentResource, 'default', name, (deployment) => edit(deployment['spec'] as JsonObject));
}

async function startWithNodes(count: number): Promise<ControlPlaneHarness> {
  const started = await ControlPlaneHarness.start();
  for (let index = 1; index <= count; index++) await started.addNode({ name: `node-${index}` });
  return started;
}

describe('controllers and scheduler against the real object layer', () => {
  it('a Deployment converges to N ready pods spread over the nodes, and scales up and down', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(deploymentResource, deployment('web', 6));
    await eventually(async () => (await readyCount(h, 'web')) === 6 || undefined);
    const perNode = new Map<string, number>();
    for (const pod of await podsOf(h, 'web')) perNode.set(nodeNameOf(pod), (perNode.get(nodeNameOf(pod)) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([2, 2, 2]);
    await eventually(async () => {
      const current = await h.client.get(deploymentResource, 'default', 'web');
      const status = (current?.['status'] ?? {}) as JsonObject;
      return status['availableReplicas'] === 6 && conditionStatus(status['conditions'], 'Available') === 'True' || undefined;
    });
    const scale = (replicas: number) => editDeployment(h, 'web', (spec) => {
      spec['replicas'] = replicas;
    });
    await scale(9);
    await eventually(async () => (await readyCount(h, 'web')) === 9 || undefined);
    await scale(2);
    await eventually(async () => (await podsOf(h, 'web')).length === 2 || undefined);
    const events = (await h.client.list(eventResource, 'default')).items.map((event) => String(event['reason']));
    expect(events).toContain('Scheduled');
    expect(events).toContain('SuccessfulCreate');
    expect(events).toContain('ScalingReplicaSet');
  });

  it('a rolling update replaces every pod without going below replicas - maxUnavailable', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(deploymentResource, deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await eventually(async () => (await readyCount(h, 'roll')) === 4 || undefined);
    await editDeployment(h, 'roll', (spec) => {
      ((((spec['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject)['image'] = 'nginx:2';
    });
    let lowest = 4;
    let highest = 0;
    await eventually(async () => {
      const pods = await activePodsOf(h, 'roll');
      lowest = Math.min(lowest, pods.filter(isPodReady).length);
      highest = Math.max(highest, pods.length);
      return (await readyCount(h, 'roll', 'nginx:2')) === 4 && (await podsOf(h, 'roll')).length === 4 || undefined;
    });
    expect(lowest).toBeGreaterThanOrEqual(3);
    expect(highest).toBeLessThanOrEqual(5);
    const sets = (await h.client.list(replicaSetResource, 'default')).items;
    expect(sets.length).toBe(2);
    const updated = await h.client.get(deploymentResource, 'default', 'roll');
    expect(((updated?.['metadata'] as JsonObject)['annotations'] as JsonObject)['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('pods of a node that stops renewing its lease are replaced on other nodes', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(deploymentResource, deployment('heal', 3));
    await eventually(async () => (await readyCount(h, 'heal')) === 3 || undefined);
    const victim = nodeNameOf((await podsOf(h, 'heal'))[0] ?? {});
    const startedMs = Date.now();
    h.killNode(victim);
    await eventually(async () => {
      const pods = await activePodsOf(h, 'heal');
      return pods.length === 3 && pods.every((pod) => nodeNameOf(pod) !== victim && isPodReady(pod)) || undefined;
    }, 15_000);
    expect(Date.now() - startedMs).toBeLessThan(10_000);
    // As in Kubernetes, the evicted pod stays Terminating until its node's agent confirms it stopped:
    // a node that comes back never runs it next to its replacement.
    const stranded = (await podsOf(h, 'heal')).filter((pod) => nodeNameOf(pod) === victim);
    expect(stranded.length).toBe(1);
    expect(stranded.every(isBeingDeleted)).toBe(true);
    const node = await h.client.get(nodeResource, undefined, victim);
    expect(JSON.stringify(node?.['spec'])).toContain('node.kubernetes.io/unreachable');
    expect(conditionStatus((node?.['status'] as JsonObject)['conditions'], 'Ready')).toBe('Unknown');
  });

  it('pods of a deleted node are removed after a short quarantine and replaced elsewhere', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(deploymentResource, deployment('retired', 2));
    await eventually(async () => (await readyCount(h, 'retired')) === 2 || undefined);
    const victim = nodeNameOf((await podsOf(h, 'retired'))[0] ?? {});
    h.killNode(victim);
    await h.client.delete(nodeResource, undefined, victim);
    await eventually(async () => {
      const pods = await podsOf(h, 'retired');
      return pods.length === 2 && pods.every((pod) => nodeNameOf(pod) !== victim && isPodReady(pod)) || undefined;
    }, 20_000);
  });

  it('an unschedulable pod gets PodScheduled=False and a FailedScheduling event saying why', async () => {
    const h = (harness = await ControlPlaneHarness.start());
    await h.addNode({ name: 'small-1', cpu: '1' });
    await h.addNode({ name: 'small-2', cpu: '1' });
    await h.addNode({ name: 'tainted', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await h.client.create(podResource, { metadata: { name: 'big', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'x', resources: { requests: { cpu: '2' } } }] } });
    const expected = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.';
    await eventually(async () => {
      const pod = await h.client.get(podResource, 'default', 'big');
      const condition = ((pod?.['status'] as JsonObject)['conditions'] as JsonObject[] | undefined)?.find((item) => item['type'] === 'PodScheduled');
      return condition?.['message'] === expected && condition['status'] === 'False' || undefined;
    });
    await eventually(async () => (await h.client.list(eventResource, 'default')).items.some((event) => event['reason'] === 'FailedScheduling' && event['message'] === expected) || undefined);
    // A bigger node arrives: the pending pod is retried and placed there.
    await h.addNode({ name: 'large', cpu: '8' });
    await eventually(async () => nodeNameOf((await h.client.get(podResource, 'default', 'big')) ?? {}) === 'large' || undefined);
  });

  it('deleting a Deployment garbage-collects its ReplicaSets and pods', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(deploymentResource, deployment('gone', 3));
    await eventually(async () => (await podsOf(h, 'gone')).length === 3 || undefined);
    await h.client.delete(deploymentResource, 'default', 'gone');
    await eventually(async () => (await h.client.list(replicaSetResource, 'default')).items.length === 0 && (await podsOf(h, 'gone')).length === 0 || undefined);
  });

  it('deleting a namespace empties it', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(namespaceResource, { metadata: { name: 'team' } });
    await h.client.create(deploymentResource, deployment('app', 2, { namespace: 'team' }));
    await h.client.create(serviceResource, { metadata: { name: 'app', namespace: 'team' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await eventually(async () => {
      const endpoints = await h.client.get(endpointsResource, 'team', 'app');
      return JSON.stringify(endpoints?.['subsets'] ?? []).split('"ip"').length - 1 === 2 || undefined;
    });
    await h.client.delete(namespaceResource, undefined, 'team');
    await eventually(async () => {
      const left = await Promise.all([podResource, replicaSetResource, deploymentResource, serviceResource, endpointsResource].map((kind) => h.client.list(kind, 'team')));
      return left.every((list) => list.items.length === 0) || undefined;
    });
  });

  it('the manager stops within its bound and restarts from a fresh list + watch', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(deploymentResource, deployment('again', 2));
    await eventually(async () => (await readyCount(h, 'again')) === 2 || undefined);
    const before = Date.now();
    expect(await h.manager.stop()).toBe(true);
    expect(Date.now() - before).toBeLessThan(2_500);
    await editDeployment(h, 'again', (spec) => {
      spec['replicas'] = 4;
    });
    h.manager.start();
    await eventually(async () => (await readyCount(h, 'again')) === 4 || undefined);
  });
});
