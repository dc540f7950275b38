import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapDefaultStorageClass } from '../../control-plane/api/bootstrap.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { persistentVolumeClaimResource } from '../../control-plane/api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../../control-plane/api/registry/kinds/persistent-volume.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { annotationsOf, findCondition, nodeNameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';

let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function startWithNodes(count: number): Promise<ControlPlaneHarness> {
  const started = (harness = await ControlPlaneHarness.start());
  await bootstrapDefaultStorageClass(started.client.context);
  for (let index = 1; index <= count; index++) await started.addNode({ name: `node-${index}` });
  return started;
}

function claim(name: string, extra: JsonObject = {}): JsonObject {
  return { metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra } };
}

function podUsing(name: string, claimName: string): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

async function getClaim(h: ControlPlaneHarness, name: string): Promise<JsonObject | null> {
  return h.client.get(persistentVolumeClaimResource, 'default', name);
}

async function scheduledNode(h: ControlPlaneHarness, name: string): Promise<string | undefined> {
  const pod = await h.client.get(podResource, 'default', name);
  return pod === null || nodeNameOf(pod) === '' ? undefined : nodeNameOf(pod);
}

describe('persistent volumes, the local-path provisioner and the scheduler', () => {
  it('gives a claim without a class the default local-path class, provisions its volume on the node of its first pod and binds both', async () => {
    const h = await startWithNodes(3);
    await h.client.create(persistentVolumeClaimResource, claim('data'));
    const waiting = await eventually(async () => {
      const current = await getClaim(h, 'data');
      return current?.['spec'] !== undefined && (current['spec'] as JsonObject)['storageClassName'] === 'local-path' ? current : undefined;
    });
    expect((waiting['status'] as JsonObject)['phase']).toBe('Pending');
    await eventually(async () => {
      const { items } = await h.client.list(eventResource, 'default');
      return items.some((event) => event['reason'] === 'WaitForFirstConsumer') || undefined;
    });
    expect((await h.client.list(persistentVolumeResource)).items).toEqual([]);

    await h.client.create(podResource, podUsing('app', 'data'));
    const node = await eventually(() => scheduledNode(h, 'app'));
    const bound = await eventually(async () => {
      const current = await getClaim(h, 'data');
      return current !== null && (current['status'] as JsonObject | undefined)?.['phase'] === 'Bound' ? current : undefined;
    });
    const annotations = annotationsOf(bound);
    expect(annotations['volume.kubernetes.io/selected-node']).toBe(node);
    expect(annotations['pv.kubernetes.io/bind-completed']).toBe('yes');
    expect(annotations['volume.kubernetes.io/storage-provisioner']).toBe('flotilla.io/local-path');
    const volumeName = (bound['spec'] as JsonObject)['volumeName'];
    expect(volumeName).toBe(`pvc-${uidOf(bound)}`);
    expect((bound['status'] as JsonObject)['capacity']).toEqual({ storage: '1Gi' });

    const volume = await eventually(async () => {
      const current = await h.client.get(persistentVolumeResource, undefined, String(volumeName));
      return current !== null && (current['status'] as JsonObject | undefined)?.['phase'] === 'Bound' ? current : undefined;
    });
    const spec = volume['spec'] as JsonObject;
    expect(spec['hostPath']).toEqual({ path: `/var/lib/flotilla/volumes/${String(volumeName)}`, type: 'DirectoryOrCreate' });
    expect(spec['nodeAffinity']).toEqual({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
    expect(spec).toMatchObject({ storageClassName: 'local-path', persistentVolumeReclaimPolicy: 'Delete', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    expect(spec['claimRef']).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: uidOf(bound) });
    expect(annotationsOf(volume)['pv.kubernetes.io/provisioned-by']).toBe('flotilla.io/local-path');

    // A second consumer of the claim can only go where the volume is.
    await h.client.create(podResource, podUsing('second', 'data'));
    expect(await eventually(() => scheduledNode(h, 'second'))).toBe(node);

    // Protection: a claim deleted while pods use it only turns Terminating, and its volume stays Bound.
    expect((bound['metadata'] as JsonObject)['finalizers']).toEqual(['kubernetes.io/pvc-protection']);
    await h.client.delete(persistentVolumeClaimResource, 'default', 'data');
    const terminating = await getClaim(h, 'data');
    expect((terminating?.['metadata'] as JsonObject | undefined)?.['deletionTimestamp']).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await getClaim(h, 'data')).not.toBeNull();
    expect(((await h.client.get(persistentVolumeResource, undefined, String(volumeName)))?.['status'] as JsonObject | undefined)?.['phase']).toBe('Bound');

    // reclaimPolicy Delete: once no pod uses the claim it goes, and so does the volume's object.
    await h.client.delete(podResource, 'default', 'app');
    await h.client.delete(podResource, 'default', 'second');
    await eventually(async () => (await getClaim(h, 'data')) === null || undefined);
    await eventually(async () => (await h.client.get(persistentVolumeResource, undefined, String(volumeName))) === null || undefined);
  });

  it('keeps a pod whose claim does not exist Pending with Kubernetes\' message, and schedules it once the claim appears', async () => {
    const h = await startWithNodes(2);
    await h.client.create(podResource, podUsing('waiting', 'later'));
    const expected = '0/2 nodes are available: persistentvolumeclaim "later" not found.';
    let message: unknown;
    // The first attempt may have seen one node only; the node's arrival retries the pod.
    await eventually(async () => {
      const pod = await h.client.get(podResource, 'default', 'waiting');
      const condition = findCondition((pod?.['status'] as JsonObject | undefined)?.['conditions'], 'PodScheduled');
      message = condition?.['message'];
      return condition?.['status'] === 'False' && message === expected;
    }, 15_000, async () => `PodScheduled message ${JSON.stringify(message)}`);
    expect(await scheduledNode(h, 'waiting')).toBeUndefined();
    await h.client.create(persistentVolumeClaimResource, claim('later'));
    await eventually(() => scheduledNode(h, 'waiting'));
    await eventually(async () => ((await getClaim(h, 'later'))?.['status'] as JsonObject | undefined)?.['phase'] === 'Bound' || undefined);
  });

  it('binds an Immediate claim to the smallest matching static volume and sends its pod to the volume\'s node', async () => {
    const h = await startWithNodes(3);
    const localVolume = (name: string, size: string, node: string): JsonObject => ({
      metadata: { name, labels: { tier: 'fast' } },
      spec: {
        capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: '', persistentVolumeReclaimPolicy: 'Retain',
        local: { path: `/mnt/${name}` },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      },
    });
    await h.client.create(persistentVolumeResource, localVolume('big', '10Gi', 'node-1'));
    await h.client.create(persistentVolumeResource, localVolume('small', '2Gi', 'node-2'));
    await h.client.create(persistentVolumeResource, localVolume('tiny', '512Mi', 'node-3'));
    // Kubernetes binds only Available volumes; the controller makes new ones Available first.
    await eventually(async () => (await h.client.list(persistentVolumeResource)).items.every((volume) => (volume['status'] as JsonObject | undefined)?.['phase'] === 'Available') || undefined);
    await h.client.create(persistentVolumeClaimResource, claim('static', { storageClassName: '', selector: { matchLabels: { tier: 'fast' } } }));
    const bound = await eventually(async () => {
      const current = await getClaim(h, 'static');
      return current !== null && (current['status'] as JsonObject | undefined)?.['phase'] === 'Bound' ? current : undefined;
    });
    expect((bound['spec'] as JsonObject)['volumeName']).toBe('small');
    expect(annotationsOf(bound)['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    await eventually(async () => ((await h.client.get(persistentVolumeResource, undefined, 'small'))?.['status'] as JsonObject | undefined)?.['phase'] === 'Bound' || undefined);
    await h.client.create(podResource, podUsing('pinned', 'static'));
    expect(await eventually(() => scheduledNode(h, 'pinned'))).toBe('node-2');

    // Retain: the claim's deletion leaves the volume Released, with its claimRef, for an operator to decide.
    await h.client.delete(podResource, 'default', 'pinned');
    await h.client.delete(persistentVolumeClaimResource, 'default', 'static');
    await eventually(async () => ((await h.client.get(persistentVolumeResource, undefined, 'small'))?.['status'] as JsonObject | undefined)?.['phase'] === 'Released' || undefined);
  });
});
