import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { controllerRevisionResource } from '../../control-plane/api/registry/kinds/controller-revision.ts';
import { daemonSetResource } from '../../control-plane/api/registry/kinds/daemon-set.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { nodeResource } from '../../control-plane/api/registry/kinds/node.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { controllerOf, isBeingDeleted, isPodReady, labelsOfObject, nameOf, nodeNameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { revisionPatch, templateHash } from '../../control-plane/controllers/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';
import { PodEventLog, containerImage, editObject, eventsAbout } from './workload-test-helpers.ts';

let harness: ControlPlaneHarness | undefined;
let log: PodEventLog | undefined;
afterEach(async () => {
  await log?.stop();
  log = undefined;
  await harness?.stop();
  harness = undefined;
});

async function startWithNodes(count: number): Promise<ControlPlaneHarness> {
  const started = await ControlPlaneHarness.start();
  for (let index = 1; index <= count; index++) await started.addNode({ name: `node-${index}` });
  return started;
}

function daemonSet(name: string, spec: JsonObject = {}, podSpec: JsonObject = {}): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'agent:1', resources: { requests: { cpu: '10m' } } }], ...podSpec } },
      ...spec,
    },
  };
}

async function podsOf(h: ControlPlaneHarness, set: string): Promise<JsonObject[]> {
  const { items } = await h.client.list(podResource, 'default');
  return items.filter((pod) => controllerOf(pod)?.kind === 'DaemonSet' && controllerOf(pod)?.name === set).sort((left, right) => (nodeNameOf(left) < nodeNameOf(right) ? -1 : 1));
}

async function statusOf(h: ControlPlaneHarness, name: string): Promise<JsonObject> {
  return ((await h.client.get(daemonSetResource, 'default', name))?.['status'] ?? {}) as JsonObject;
}

/** One ready, live pod running `image` on exactly `nodes`, and a status that says so. */
async function runsOn(h: ControlPlaneHarness, name: string, nodes: readonly string[], image = 'agent:1'): Promise<boolean> {
  const pods = (await podsOf(h, name)).filter((pod) => !isBeingDeleted(pod));
  const status = await statusOf(h, name);
  const set = await h.client.get(daemonSetResource, 'default', name);
  return pods.map(nodeNameOf).join(',') === [...nodes].sort().join(',') && pods.every((pod) => isPodReady(pod) && containerImage(pod) === image) &&
    status['desiredNumberScheduled'] === nodes.length && status['numberAvailable'] === nodes.length && status['updatedNumberScheduled'] === nodes.length &&
    status['observedGeneration'] === (set?.['metadata'] as JsonObject)['generation'];
}

const setImage = (image: string) => (set: JsonObject) => {
  (((((set['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject)['image'] = image;
};

/** The nodes that had no ready, live pod at some point of the history (the most at once). */
function mostNodesWithoutReadyPod(history: PodEventLog, nodes: readonly string[]): number {
  let most = 0;
  const live = new Map(history.initial.map((event) => [event.name, event]));
  for (const event of history.events) {
    if (event.type === 'deleted') live.delete(event.name);
    else live.set(event.name, event);
    const covered = new Set([...live.values()].filter((pod) => pod.runningAndReady && !pod.terminating).map((pod) => pod.node));
    most = Math.max(most, nodes.filter((node) => !covered.has(node)).length);
  }
  return most;
}

describe('DaemonSet controller against the real object layer', () => {
  it('runs one pod per node, pinned by a metadata.name node affinity and placed by the scheduler, with the daemon tolerations and its status', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(daemonSetResource, daemonSet('logs'));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2', 'node-3']));
    const set = await h.client.get(daemonSetResource, 'default', 'logs');
    for (const pod of await podsOf(h, 'logs')) {
      const terms = (pod['spec'] as JsonObject)['affinity'] as JsonObject;
      expect(terms).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeNameOf(pod)] }] }] } } });
      const tolerations = ((pod['spec'] as JsonObject)['tolerations'] as JsonObject[]).map((toleration) => `${String(toleration['key'])}:${String(toleration['effect'])}`);
      expect(tolerations).toEqual(expect.arrayContaining(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']));
      expect(controllerOf(pod)).toMatchObject({ kind: 'DaemonSet', name: 'logs', uid: uidOf(set ?? {}), controller: true });
    }
    expect(await statusOf(h, 'logs')).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3, numberMisscheduled: 0, numberUnavailable: 0, observedGeneration: 1 });
    const revisions = (await h.client.list(controllerRevisionResource, 'default')).items;
    expect(revisions).toHaveLength(1);
    const hash = labelsOfObject(revisions[0] ?? {})['controller-revision-hash'];
    expect(nameOf(revisions[0] ?? {})).toBe(`logs-${hash ?? ''}`);
    for (const pod of await podsOf(h, 'logs')) expect(labelsOfObject(pod)['controller-revision-hash']).toBe(hash);
    await h.manager.events?.flushed();
    const events = await eventsAbout(h.client, set ?? {});
    expect(events.filter((event) => event.startsWith('SuccessfulCreate: Created pod: logs-'))).toHaveLength(3);
  });

  it('follows node selectors, labels, taints and new nodes; cordoned nodes keep their daemon', async () => {
    const h = (harness = await ControlPlaneHarness.start());
    await h.addNode({ name: 'ssd-1', labels: { disk: 'ssd' } });
    await h.addNode({ name: 'ssd-2', labels: { disk: 'ssd' } });
    await h.addNode({ name: 'hdd-1' });
    await h.addNode({ name: 'gpu-1', labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await h.client.create(daemonSetResource, daemonSet('cache', {}, { nodeSelector: { disk: 'ssd' } }));
    await eventually(() => runsOn(h, 'cache', ['ssd-1', 'ssd-2']));
    await editObject(h.client, nodeResource, '', 'hdd-1', (node) => {
      ((node['metadata'] as JsonObject)['labels'] as JsonObject)['disk'] = 'ssd';
    });
    await h.addNode({ name: 'ssd-3', labels: { disk: 'ssd' } });
    await eventually(() => runsOn(h, 'cache', ['ssd-1', 'ssd-2', 'hdd-1', 'ssd-3']));
    await editObject(h.client, nodeResource, '', 'ssd-1', (node) => {
      delete ((node['metadata'] as JsonObject)['labels'] as JsonObject)['disk'];
    });
    await editObject(h.client, nodeResource, '', 'ssd-2', (node) => {
      node['spec'] = { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] };
    });
    await eventually(() => runsOn(h, 'cache', ['ssd-2', 'hdd-1', 'ssd-3']));
    await editObject(h.client, nodeResource, '', 'ssd-3', (node) => {
      node['spec'] = { taints: [{ key: 'evict', value: 'now', effect: 'NoExecute' }] };
    });
    await eventually(() => runsOn(h, 'cache', ['ssd-2', 'hdd-1']));
    // The status is written after the pods change: wait for it to catch up.
    await eventually(async () => {
      const status = await statusOf(h, 'cache');
      return status['numberMisscheduled'] === 0 && status['numberUnavailable'] === 0 && status['desiredNumberScheduled'] === 2;
    });
  });

  it('a RollingUpdate with maxUnavailable 1 never leaves more than one node without a ready daemon, and records a second revision', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(daemonSetResource, daemonSet('logs'));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2', 'node-3']));
    log = await PodEventLog.start(h.client);
    await editObject(h.client, daemonSetResource, 'default', 'logs', setImage('agent:2'));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2', 'node-3'], 'agent:2'));
    expect(mostNodesWithoutReadyPod(log, ['node-1', 'node-2', 'node-3'])).toBe(1);
    // Each node's replacement was created only after its old pod was gone (no surge).
    const live = new Map(log.initial.map((event) => [event.name, event]));
    for (const event of log.events) {
      if (event.type === 'added') expect([...live.values()].some((pod) => pod.node === event.node), `a second pod on ${event.node}`).toBe(false);
      if (event.type === 'deleted') live.delete(event.name);
      else live.set(event.name, event);
    }
    const revisions = (await h.client.list(controllerRevisionResource, 'default')).items.map((revision) => revision['revision']).sort();
    expect(revisions).toEqual([1, 2]);
  });

  it('maxSurge 1 with maxUnavailable 0 starts each new pod beside the old one: every node keeps a ready daemon', async () => {
    const h = (harness = await startWithNodes(3));
    await h.client.create(daemonSetResource, daemonSet('logs', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2', 'node-3']));
    log = await PodEventLog.start(h.client);
    await editObject(h.client, daemonSetResource, 'default', 'logs', setImage('agent:2'));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2', 'node-3'], 'agent:2'));
    expect(mostNodesWithoutReadyPod(log, ['node-1', 'node-2', 'node-3'])).toBe(0);
    let mostLive = 0;
    const live = new Set(log.initial.map((event) => event.name));
    for (const event of log.events) {
      if (event.type === 'deleted' || event.terminating) live.delete(event.name);
      else live.add(event.name);
      mostLive = Math.max(mostLive, live.size);
    }
    expect(mostLive).toBe(4);
  });

  it('OnDelete keeps old pods until one is deleted; its replacement has the new template', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(daemonSetResource, daemonSet('logs', { updateStrategy: { type: 'OnDelete' } }));
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2']));
    await editObject(h.client, daemonSetResource, 'default', 'logs', setImage('agent:2'));
    await eventually(async () => (await statusOf(h, 'logs'))['observedGeneration'] === 2 && (await statusOf(h, 'logs'))['updatedNumberScheduled'] === 0);
    const victim = (await podsOf(h, 'logs'))[0] ?? {};
    await h.client.delete(podResource, 'default', nameOf(victim));
    await eventually(async () => {
      const pods = (await podsOf(h, 'logs')).filter((pod) => !isBeingDeleted(pod) && isPodReady(pod));
      return pods.map((pod) => `${nodeNameOf(pod)}=${containerImage(pod)}`).join(',') === 'node-1=agent:2,node-2=agent:1' && (await statusOf(h, 'logs'))['updatedNumberScheduled'] === 1;
    });
  });

  it('a daemon survives its node going unreachable (an ordinary pod there is evicted), and no new daemon goes there meanwhile', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(daemonSetResource, daemonSet('logs'));
    await h.client.create(deploymentResource, {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1', resources: { requests: { cpu: '10m' } } }], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] } },
      },
    });
    await eventually(() => runsOn(h, 'logs', ['node-1', 'node-2']));
    const daemonOnNode2 = (await podsOf(h, 'logs')).find((pod) => nodeNameOf(pod) === 'node-2') ?? {};
    const webOnNode2 = async () => (await h.client.list(podResource, 'default')).items.find((pod) => labelsOfObject(pod)['app'] === 'web' && nodeNameOf(pod) === 'node-2');
    await eventually(async () => (await webOnNode2()) !== undefined);
    const evictedUid = uidOf((await webOnNode2()) ?? {});
    h.killNode('node-2');
    // The Deployment's pod there is evicted (marked for deletion, never confirmed by the silent node).
    await eventually(async () => (await h.client.list(podResource, 'default')).items.some((pod) => uidOf(pod) === evictedUid && isBeingDeleted(pod)), 20_000);
    const daemon = await h.client.get(podResource, 'default', nameOf(daemonOnNode2));
    expect(uidOf(daemon ?? {})).toBe(uidOf(daemonOnNode2));
    expect(isBeingDeleted(daemon ?? {})).toBe(false);
    // The unreachable NoSchedule taint is not a daemon toleration: the node is out of the desired set, its pod misscheduled.
    await eventually(async () => {
      const status = await statusOf(h, 'logs');
      return status['desiredNumberScheduled'] === 1 && status['numberMisscheduled'] === 1;
    });
    expect((await podsOf(h, 'logs')).filter((pod) => nodeNameOf(pod) === 'node-2')).toHaveLength(1);
  });

  it('a ControllerRevision name taken by other data bumps collisionCount; pods carry the new hash', async () => {
    const h = (harness = await ControlPlaneHarness.start({ startControllers: false }));
    await h.addNode({ name: 'node-1' });
    const created = await h.client.create(daemonSetResource, daemonSet('logs'));
    const template = (created['spec'] as JsonObject)['template'] as JsonObject;
    await h.client.create(controllerRevisionResource, { metadata: { name: `logs-${templateHash(template, 0)}`, namespace: 'default' }, data: revisionPatch({ other: true }), revision: 1 });
    h.manager.start();
    await eventually(() => runsOn(h, 'logs', ['node-1']));
    expect(await statusOf(h, 'logs')).toMatchObject({ collisionCount: 1 });
    expect(labelsOfObject((await podsOf(h, 'logs'))[0] ?? {})['controller-revision-hash']).toBe(templateHash(template, 1));
  });

  it('a failed daemon pod is deleted and replaced, with a FailedDaemonPod warning', async () => {
    const h = (harness = await startWithNodes(1));
    await h.client.create(daemonSetResource, daemonSet('logs'));
    await eventually(() => runsOn(h, 'logs', ['node-1']));
    const failed = (await podsOf(h, 'logs'))[0] ?? {};
    await h.finishPod('default', nameOf(failed), 1);
    await eventually(async () => {
      const pods = await podsOf(h, 'logs');
      return pods.length === 1 && uidOf(pods[0] ?? {}) !== uidOf(failed) && isPodReady(pods[0] ?? {});
    });
    await h.manager.events?.flushed();
    const set = await h.client.get(daemonSetResource, 'default', 'logs');
    expect(await eventsAbout(h.client, set ?? {})).toEqual(expect.arrayContaining([
      `FailedDaemonPod: Found failed daemon pod default/${nameOf(failed)} on node node-1, will try to kill it`,
      `SuccessfulDelete: Deleted pod: ${nameOf(failed)}`,
    ]));
  });
});
