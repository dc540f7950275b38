/**
 * The control plane's NATS bridge, in process on a real store with a real nats-server, spoken to
 * exactly as agents speak to it (ControlPlaneClient, and raw subscriptions for the published events).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneClient, isControlPlaneError } from '../../agent/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { configMapResource } from '../../control-plane/api/registry/kinds/config-map.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { leaseResource } from '../../control-plane/api/registry/kinds/lease.ts';
import { nodeResource } from '../../control-plane/api/registry/kinds/node.ts';
import { persistentVolumeClaimResource } from '../../control-plane/api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../../control-plane/api/registry/kinds/persistent-volume.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { secretResource } from '../../control-plane/api/registry/kinds/secret.ts';
import { decodeConfigChange, decodePodEvent, decodeReply, encodeMessage, readEmptyResult, Subjects, type ConfigChangeMessage, type PodEventMessage } from '../../control-plane/nats/index.ts';
import { BridgeHarness } from './bridge-harness.ts';
import { waitFor } from './helpers.ts';

let harness: BridgeHarness;
let connection: NatsConnection;
let subjects: Subjects;

beforeAll(async () => {
  harness = await BridgeHarness.start({ progressIntervalMs: 300 });
  connection = await connect({ servers: harness.nats.url });
  subjects = new Subjects(harness.natsOptions.clusterName);
});

afterAll(async () => {
  await connection.close();
  await harness.stop();
});

const agent = (nodeName: string) => new ControlPlaneClient(connection, subjects, nodeName);

function podOn(name: string, nodeName: string, extra: JsonObject = {}): JsonObject {
  return { metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'web', image: 'none', command: ['sleep', '100'] }] }, ...extra };
}

function collect<T>(subject: string, decode: (bytes: Uint8Array) => T): T[] {
  const seen: T[] = [];
  connection.subscribe(subject, { callback: (error, message) => {
    if (error === null) seen.push(decode(message.data));
  } });
  return seen;
}

describe('NATS bridge requests', () => {
  it('registers a node (then merges labels and status on re-registration), renews its lease and updates its status', async () => {
    const client = agent('worker-a');
    const node = { metadata: { name: 'worker-a', labels: { 'kubernetes.io/hostname': 'worker-a', zone: 'attic' } }, spec: { taints: [{ key: 'gpu', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2', memory: '1Gi', pods: '110' }, allocatable: { cpu: '2', memory: '1Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: '', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] } };
    expect((await client.registerNode(node)).created).toBe(true);
    const again = await client.registerNode({ ...node, metadata: { name: 'worker-a', labels: { zone: 'basement' } } });
    expect(again.created).toBe(false);
    const stored = await harness.client.get(nodeResource, undefined, 'worker-a');
    expect(stored?.['metadata']).toMatchObject({ labels: { 'kubernetes.io/hostname': 'worker-a', zone: 'basement' } });
    expect(stored?.['spec']).toMatchObject({ taints: [{ key: 'gpu', effect: 'NoSchedule' }] });
    await client.renewLease('2026-01-01T00:00:01.000000Z', 40);
    await client.renewLease('2026-01-01T00:00:02.000000Z', 40);
    const lease = await harness.client.get(leaseResource, 'kube-node-lease', 'worker-a');
    expect(lease?.['spec']).toMatchObject({ holderIdentity: 'worker-a', renewTime: '2026-01-01T00:00:02.000000Z', leaseDurationSeconds: 40 });
    await client.updateNodeStatus({ conditions: [{ type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: '', lastHeartbeatTime: '2026-01-01T00:00:05Z', lastTransitionTime: '2026-01-01T00:00:05Z' }] });
    const conditions = ((await harness.client.get(nodeResource, undefined, 'worker-a'))?.['status'] as JsonObject)['conditions'] as JsonObject[];
    // The agent's new condition is added; Ready (not in this report) is kept.
    expect(conditions.map((condition) => condition['type']).sort()).toEqual(['MemoryPressure', 'Ready']);
  });

  it('answers 404 for the status of a node that does not exist (the agent then registers again)', async () => {
    const failure = await agent('ghost').updateNodeStatus({ conditions: [] }).catch((error: unknown) => error);
    expect(isControlPlaneError(failure, 404)).toBe(true);
  });

  it('lists only the pods bound to the node, in pages at one revision', async () => {
    for (let index = 0; index < 130; index++) await harness.client.create(podResource, podOn(`many-${index}`, index % 2 === 0 ? 'worker-list' : 'worker-other'));
    await harness.client.create(podResource, podOn('unbound', ''));
    const { pods, revision } = await agent('worker-list').listPods();
    expect(pods).toHaveLength(65);
    expect(new Set(pods.map((pod) => (pod['spec'] as JsonObject)['nodeName']))).toEqual(new Set(['worker-list']));
    expect(revision).toBeGreaterThan(0);
  });

  it('reads ConfigMaps and Secrets decoded, and says when one is missing', async () => {
    await harness.client.create(configMapResource, { metadata: { name: 'settings', namespace: 'default' }, data: { color: 'blue' } });
    await harness.client.create(secretResource, { metadata: { name: 'creds', namespace: 'default' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    const client = agent('worker-a');
    expect(await client.getConfig('ConfigMap', 'default', 'settings')).toMatchObject({ found: true, data: { color: 'blue' } });
    expect(await client.getConfig('Secret', 'default', 'creds')).toMatchObject({ found: true, data: { password: 'hunter2' } });
    expect(await client.getConfig('ConfigMap', 'default', 'nope')).toMatchObject({ found: false, data: {} });
  });

  it('writes a batch of pod statuses: each pod on its own, a replaced pod is a conflict, host ports become the annotation', async () => {
    const first = await harness.client.create(podResource, podOn('status-a', 'worker-s'));
    await harness.client.create(podResource, podOn('status-b', 'worker-s'));
    const uidOf = (pod: JsonObject) => String((pod['metadata'] as JsonObject)['uid']);
    const status = { phase: 'Running', podIP: '10.0.0.7', hostIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }], containerStatuses: [] };
    const results = await agent('worker-s').writeStatuses([
      { namespace: 'default', name: 'status-a', uid: uidOf(first), status, hostPorts: { 8080: 31000 } },
      { namespace: 'default', name: 'status-b', uid: 'not-its-uid', status, hostPorts: {} },
      { namespace: 'default', name: 'status-c', uid: 'whatever', status, hostPorts: {} },
    ]);
    expect(results.map((result) => result.outcome)).toEqual(['updated', 'conflict', 'notFound']);
    const written = await harness.client.get(podResource, 'default', 'status-a');
    expect(written?.['status']).toMatchObject({ phase: 'Running', podIP: '10.0.0.7' });
    expect((written?.['metadata'] as JsonObject)['annotations']).toMatchObject({ 'flotilla.io/host-ports': '{"8080":31000}' });
    // PodScheduled (the scheduler's) is kept next to the agent's Ready.
    const again = await agent('worker-s').writeStatuses([{ namespace: 'default', name: 'status-a', uid: uidOf(first), status, hostPorts: { 8080: 31000 } }]);
    expect(again[0]?.outcome).toBe('unchanged');
    expect((await harness.client.get(podResource, 'default', 'status-b'))?.['status']).toMatchObject({ phase: 'Pending' });
  });

  it('confirms a graceful deletion (grace 0, uid precondition): the pod goes only if it is still the same pod', async () => {
    const pod = await harness.client.create(podResource, podOn('doomed', 'worker-d'));
    await harness.client.delete(podResource, 'default', 'doomed');
    const marked = await harness.client.get(podResource, 'default', 'doomed');
    expect((marked?.['metadata'] as JsonObject)['deletionTimestamp']).toBeDefined();
    expect((await agent('worker-d').confirmDeletion('default', 'doomed', 'another-uid')).outcome).toBe('conflict');
    expect(await harness.client.get(podResource, 'default', 'doomed')).not.toBeNull();
    expect((await agent('worker-d').confirmDeletion('default', 'doomed', String((pod['metadata'] as JsonObject)['uid']))).outcome).toBe('deleted');
    expect(await harness.client.get(podResource, 'default', 'doomed')).toBeNull();
    expect((await agent('worker-d').confirmDeletion('default', 'doomed', 'x')).outcome).toBe('notFound');
  });

  it('records events, and a repeat (same name) updates the count', async () => {
    const involvedObject = { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'status-a', uid: 'u', fieldPath: 'spec.containers{web}' };
    const event = { name: 'status-a.abc', namespace: 'default', involvedObject, type: 'Warning' as const, reason: 'BackOff', message: 'Back-off restarting failed container web', count: 1, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z' };
    expect(await agent('worker-s').recordEvents([event])).toEqual({ written: 1, failed: 0 });
    await agent('worker-s').recordEvents([{ ...event, count: 3, lastTimestamp: '2026-01-01T00:01:00Z' }]);
    const stored = await harness.client.get(eventResource, 'default', 'status-a.abc');
    expect(stored).toMatchObject({ reason: 'BackOff', count: 3, source: { component: 'kubelet', host: 'worker-s' }, involvedObject: { fieldPath: 'spec.containers{web}' } });
  });

  it('resolves a claim to its bound volume\'s directory, and lists the PersistentVolumes', async () => {
    await harness.client.create(persistentVolumeResource, { metadata: { name: 'pvc-data' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/volumes/pvc-data', type: 'DirectoryOrCreate' } } });
    const claim = await harness.client.create(persistentVolumeClaimResource, { metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const client = agent('worker-v');
    expect(await client.resolveVolume('default', 'data')).toMatchObject({ found: true, bound: false });
    expect(await client.resolveVolume('default', 'nope')).toMatchObject({ found: false });
    const boundClaim = await harness.client.update(persistentVolumeClaimResource, { ...claim, spec: { ...(claim['spec'] as JsonObject), volumeName: 'pvc-data' } });
    await harness.client.updateStatus(persistentVolumeClaimResource, { ...boundClaim, status: { phase: 'Bound' } });
    expect(await client.resolveVolume('default', 'data')).toEqual({ found: true, bound: true, volumeName: 'pvc-data', source: 'hostPath', path: '/data/volumes/pvc-data', hostPathType: 'DirectoryOrCreate' });
    expect(await client.listVolumes()).toEqual({ names: ['pvc-data'], complete: true });
  });

  it('refuses a message of another protocol version with a message that says so', async () => {
    const answer = await connection.request(subjects.operation('lease.renew'), encodeMessage({ version: 99, nodeName: 'x' }), { timeout: 2_000 });
    const reply = decodeReply(answer.data, 'lease.renew', readEmptyResult);
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe(400);
      expect(reply.error.message).toContain('protocol version 99');
    }
  });
});

describe('NATS bridge publishing (leader only)', () => {
  it('publishes each node\'s pod changes in order, numbered from 1 in one epoch, with progress when idle', async () => {
    const seen = collect<PodEventMessage>(subjects.nodePods('pub.node-1'), decodePodEvent);
    await connection.flush();
    await harness.client.create(podResource, podOn('pub-1', 'pub.node-1'));
    await harness.client.create(podResource, podOn('pub-elsewhere', 'pub.node-2'));
    await harness.client.delete(podResource, 'default', 'pub-1', { gracePeriodSeconds: 0 });
    const changes = await waitFor(() => {
      const found = seen.filter((message) => message.kind === 'change');
      return found.length >= 2 ? found : undefined;
    }, 10_000, 'two changes');
    expect(changes.map((message) => message.kind === 'change' ? message.type : '')).toEqual(['added', 'deleted']);
    await waitFor(() => seen.some((message) => message.kind === 'progress'), 5_000, 'a progress message');
    const epochs = new Set(seen.map((message) => message.epoch));
    expect(epochs.size).toBe(1);
    // Consecutive numbers from wherever this subscriber joined: nothing is skipped.
    const numbers = seen.map((message) => message.sequence);
    numbers.forEach((number, index) => {
      if (index > 0) expect(number).toBe((numbers[index - 1] ?? 0) + 1);
    });
    // The node name with a dot travels as one subject token.
    expect(subjects.nodePods('pub.node-1')).toBe('flotilla.test.node.pub_node-1.pods');
  });

  it('stops publishing when the replica stops leading, and starts a new epoch when it leads again', async () => {
    const seen = collect<PodEventMessage>(subjects.nodePods('pub-3'), decodePodEvent);
    await connection.flush();
    await harness.client.create(podResource, podOn('epoch-1', 'pub-3'));
    await waitFor(() => seen.some((message) => message.kind === 'change'), 10_000, 'the first change');
    const firstEpoch = seen[0]?.epoch;
    harness.leadership.set('follower');
    await waitFor(() => !harness.bridge.isPublishing, 5_000, 'the publisher to stop');
    const before = seen.length;
    await harness.client.create(podResource, podOn('epoch-2', 'pub-3'));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(seen.length).toBe(before);
    harness.leadership.set('leader');
    await harness.client.create(podResource, podOn('epoch-3', 'pub-3'));
    const next = await waitFor(() => seen.slice(before).find((message) => message.kind === 'change'), 10_000, 'a change from the new epoch');
    expect(next.epoch).not.toBe(firstEpoch);
    expect(next.sequence).toBe(1);
  });

  it('publishes ConfigMap and Secret change notices with names and revisions, never data', async () => {
    const seen = collect<ConfigChangeMessage>(subjects.configChanges(), decodeConfigChange);
    await connection.flush();
    await harness.client.create(secretResource, { metadata: { name: 'notice', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    const notice = await waitFor(() => seen.find((message) => message.kind === 'change'), 10_000, 'a notice');
    expect(notice).toMatchObject({ kind: 'change', objectKind: 'Secret', namespace: 'default', name: 'notice' });
    expect(JSON.stringify(notice)).not.toContain('s3cret');
    expect(JSON.stringify(notice)).not.toContain(Buffer.from('s3cret').toString('base64'));
  });
});

