/**
 * A real `flotilla agent` process against the control plane's NATS bridge (in process, on a real
 * store, with a real nats-server), running real processes (test/fixtures/http-server.mjs).
 * Pods are bound to the node by the test (no scheduler here; test/e2e has the whole cluster).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSameProcessAlive, readProcessStat } from '../../agent/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { configMapResource } from '../../control-plane/api/registry/kinds/config-map.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { leaseResource } from '../../control-plane/api/registry/kinds/lease.ts';
import { nodeResource } from '../../control-plane/api/registry/kinds/node.ts';
import { nodeMetricsResource } from '../../control-plane/api/registry/kinds/node-metrics.ts';
import { podMetricsResource } from '../../control-plane/api/registry/kinds/pod-metrics.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { AgentProcess } from './agent-process.ts';
import { BridgeHarness } from './bridge-harness.ts';
import { fixtureServer, httpGet, node, waitFor } from './helpers.ts';

const nodeName = 'worker-1';
let harness: BridgeHarness;
let agent: AgentProcess;

beforeAll(async () => {
  harness = await BridgeHarness.start({ progressIntervalMs: 1_000 });
  agent = await AgentProcess.create(harness.directory, nodeName, harness.natsOptions, ['--usage-report-interval', '1']);
  agent.start();
});

afterAll(async () => {
  // Pods first (the agent stops their processes), then the agent, then the control plane.
  const { items } = await harness.client.list(podResource);
  for (const pod of items) await harness.client.delete(podResource, 'default', String((pod['metadata'] as JsonObject)['name']), { gracePeriodSeconds: 0 }).catch(() => undefined);
  await waitFor(async () => (await agent.process.isRunning() ? await runningContainerCount() === 0 : true), 20_000, 'containers to stop').catch(() => undefined);
  await agent.stop();
  await harness.stop();
});

async function pod(name: string): Promise<JsonObject | null> {
  return harness.client.get(podResource, 'default', name);
}

function statusOf(object: JsonObject | null): JsonObject {
  return (object?.['status'] as JsonObject | undefined) ?? {};
}

function containerStatus(object: JsonObject | null, index = 0): JsonObject {
  return ((statusOf(object)['containerStatuses'] as JsonObject[] | undefined) ?? [])[index] ?? {};
}

function condition(object: JsonObject | null, type: string): string | undefined {
  return ((statusOf(object)['conditions'] as JsonObject[] | undefined) ?? []).find((entry) => entry['type'] === type)?.['status'] as string | undefined;
}

function hostPortOf(object: JsonObject | null, containerPort = 8080): number {
  const annotation = ((object?.['metadata'] as JsonObject)['annotations'] as Record<string, string> | undefined)?.['flotilla.io/host-ports'] ?? '{}';
  return Number((JSON.parse(annotation) as Record<string, number>)[String(containerPort)] ?? 0);
}

async function runningContainerCount(): Promise<number> {
  const { items } = await harness.client.list(podResource);
  return items.filter((item) => containerStatus(item)['state'] !== undefined && (containerStatus(item)['state'] as JsonObject)['running'] !== undefined).length;
}

async function waitForPod(name: string, check: (object: JsonObject) => boolean, what: string, timeoutMs = 30_000): Promise<JsonObject> {
  return waitFor(async () => {
    const object = await pod(name);
    return object !== null && check(object) ? object : undefined;
  }, timeoutMs, `${name}: ${what}`);
}

const web = (extra: JsonObject = {}): JsonObject => ({
  name: 'web', image: 'fixture', command: [node, fixtureServer], ports: [{ name: 'http', containerPort: 8080 }],
  readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 }, ...extra,
});

async function createPod(name: string, spec: JsonObject): Promise<JsonObject> {
  return harness.client.create(podResource, { metadata: { name, namespace: 'default' }, spec: { nodeName, terminationGracePeriodSeconds: 5, ...spec } });
}

describe('flotilla agent on a real NATS', () => {
  it('registers its node, Ready with capacity, labels, addresses and node info, and renews its lease every second', async () => {
    const registered = await waitFor(() => harness.client.get(nodeResource, undefined, nodeName).then((object) => object ?? undefined), 30_000, 'the node');
    expect((registered['metadata'] as JsonObject)['labels']).toMatchObject({ 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' });
    const status = registered['status'] as JsonObject;
    expect(status['capacity']).toMatchObject({ pods: '110' });
    expect(Number((status['capacity'] as JsonObject)['cpu'])).toBeGreaterThan(0);
    expect(status['addresses']).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect((status['conditions'] as JsonObject[]).map((entry) => `${String(entry['type'])}=${String(entry['status'])}`).sort()).toEqual(['DiskPressure=False', 'MemoryPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(status['nodeInfo']).toMatchObject({ operatingSystem: 'linux', kubeletVersion: expect.stringContaining('flotilla') as unknown as string });
    const renewTime = async () => String(((await harness.client.get(leaseResource, 'kube-node-lease', nodeName))?.['spec'] as JsonObject | undefined)?.['renewTime'] ?? '');
    const first = await waitFor(async () => (await renewTime()) || undefined, 10_000, 'the lease');
    await waitFor(async () => (await renewTime()) > first, 5_000, 'a renewal');
  });

  it('runs a pod: Running and Ready, its port mapped and announced, env and a configMap volume from the ConfigMap, updated when it changes', async () => {
    await harness.client.create(configMapResource, { metadata: { name: 'settings', namespace: 'default' }, data: { color: 'blue' } });
    await createPod('web', {
      containers: [web({ env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } }], volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] })],
      volumes: [{ name: 'config', configMap: { name: 'settings' } }],
    });
    const ready = await waitForPod('web', (object) => condition(object, 'Ready') === 'True', 'Ready');
    expect(statusOf(ready)).toMatchObject({ phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1' });
    expect(containerStatus(ready)).toMatchObject({ name: 'web', ready: true, restartCount: 0 });
    const port = hostPortOf(await waitForPod('web', (object) => hostPortOf(object) > 0, 'host ports annotated'));
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(env['COLOR']).toBe('blue');
    expect((await httpGet(port, '/file?path=etc/config/color')).body).toBe('blue');
    const settings = await harness.client.get(configMapResource, 'default', 'settings');
    await harness.client.update(configMapResource, { ...(settings ?? {}), data: { color: 'green' } });
    await waitFor(async () => (await httpGet(port, '/file?path=etc/config/color')).body === 'green', 20_000, 'the volume to follow the ConfigMap');
  });

  it('streams logs: tail, follow, and the previous instance', async () => {
    const object = await pod('web');
    const target = { namespace: 'default', name: 'web', uid: String((object?.['metadata'] as JsonObject)['uid']), nodeName, container: 'web' };
    const read = async (options: { follow: boolean; previous: boolean; tailLines: number }, limit = Infinity): Promise<string> => {
      const stream = await harness.bridge.podStreams.openLogs(target, options, new AbortController().signal);
      let text = '';
      for await (const chunk of stream) {
        text += new TextDecoder().decode(chunk);
        if (text.split('\n').length > limit) break;
      }
      stream.cancel();
      return text;
    };
    const all = await read({ follow: false, previous: false, tailLines: -1 });
    expect(all).toMatch(/^listening \d+\n/);
    expect(await read({ follow: false, previous: false, tailLines: 1 })).toMatch(/^env [^\n]*\n$/);
    const port = hostPortOf(object);
    const following = read({ follow: true, previous: false, tailLines: 0 }, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await httpGet(port, '/log?lines=3&size=20');
    expect((await following).split('\n').filter((line) => line !== '')).toHaveLength(3);
    const previous = await harness.bridge.podStreams.openLogs(target, { follow: false, previous: true, tailLines: -1 }, new AbortController().signal).catch((error: unknown) => error);
    expect(String(previous)).toContain('previous terminated container "web" in pod "web" not found');
  });

  it('reports node and pod usage as metrics.k8s.io NodeMetrics and PodMetrics (owned by the pod)', async () => {
    const podMetrics = await waitFor(() => harness.client.get(podMetricsResource, 'default', 'web').then((object) => object ?? undefined), 20_000, 'PodMetrics of web');
    const containers = podMetrics['containers'] as JsonObject[];
    expect(containers.map((container) => container['name'])).toEqual(['web']);
    expect(String((containers[0]?.['usage'] as JsonObject)['cpu'])).toMatch(/^\d+n$/);
    expect(Number(String((containers[0]?.['usage'] as JsonObject)['memory']).replace('Ki', ''))).toBeGreaterThan(1_000);
    expect((podMetrics['metadata'] as JsonObject)['ownerReferences']).toMatchObject([{ kind: 'Pod', name: 'web' }]);
    const nodeMetrics = await harness.client.get(nodeMetricsResource, undefined, nodeName);
    expect(String((nodeMetrics?.['usage'] as JsonObject)['memory'])).toMatch(/^\d+Ki$/);
    expect(nodeMetrics?.['window']).toMatch(/^\d+s$/);
    expect(nodeMetrics?.['metadata']).toMatchObject({ labels: { 'kubernetes.io/hostname': nodeName }, ownerReferences: [{ kind: 'Node', name: nodeName }] });
  });

  it('runs exec sessions in a container: stdin in, stdout and stderr out, the exit code back', async () => {
    const object = await pod('web');
    const target = { namespace: 'default', name: 'web', uid: String((object?.['metadata'] as JsonObject)['uid']), nodeName, container: 'web' };
    const session = await harness.bridge.podStreams.openExec(target, { command: ['sh', '-c', 'read line; echo "got $line"; echo "to stderr" >&2; echo "$COLOR"; exit 3'], stdin: true, tty: false }, new AbortController().signal);
    await session.writeStdin(new TextEncoder().encode('hello\n'));
    session.closeStdin();
    const output: Record<string, string> = { stdout: '', stderr: '' };
    for await (const chunk of session.output) output[chunk.channel] += new TextDecoder().decode(chunk.data);
    // The environment is the container's, fixed when it started (the ConfigMap's later change reached the volume only).
    expect(output).toEqual({ stdout: 'got hello\nblue\n', stderr: 'to stderr\n' });
    expect(await session.result).toEqual({ exitCode: 3, error: '' });
    const missing = await harness.bridge.podStreams.openExec({ ...target, container: 'nope' }, { command: ['true'], stdin: false, tty: false }, new AbortController().signal).catch((error: unknown) => error);
    expect(String(missing)).toContain('container nope is not running in pod web');
  });

  it('restarts a container whose liveness probe fails and backs off a crashing one, visible in the pod status and as events', async () => {
    await createPod('flaky', { containers: [web({ livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 } })] });
    const running = await waitForPod('flaky', (object) => condition(object, 'Ready') === 'True' && hostPortOf(object) > 0, 'Ready');
    await httpGet(hostPortOf(running), '/sick');
    const restarted = await waitForPod('flaky', (object) => Number(containerStatus(object)['restartCount']) >= 1, 'a restart');
    expect((containerStatus(restarted)['lastState'] as JsonObject)['terminated']).toBeDefined();
    await createPod('crasher', { restartPolicy: 'Always', containers: [{ name: 'crash', image: 'none', command: ['sh', '-c', 'echo crashing; exit 3'] }] });
    const backingOff = await waitForPod('crasher', (object) => ((containerStatus(object)['state'] as JsonObject | undefined)?.['waiting'] as JsonObject | undefined)?.['reason'] === 'CrashLoopBackOff', 'CrashLoopBackOff');
    expect(Number(containerStatus(backingOff)['restartCount'])).toBeGreaterThanOrEqual(1);
    expect(((containerStatus(backingOff)['lastState'] as JsonObject)['terminated'] as JsonObject)['exitCode']).toBe(3);
    const reasons = await waitFor(async () => {
      const { items } = await harness.client.list(eventResource, 'default');
      const found = new Set(items.filter((event) => (event['source'] as JsonObject | undefined)?.['component'] === 'kubelet').map((event) => String(event['reason'])));
      return ['Started', 'Killing', 'Unhealthy', 'BackOff'].every((reason) => found.has(reason)) ? found : undefined;
    }, 15_000, 'kubelet events');
    expect([...reasons]).toEqual(expect.arrayContaining(['Created', 'Started', 'Killing', 'Unhealthy', 'BackOff']));
  });

  it('keeps containers running across an agent restart: re-adopted, not restarted, status still written', async () => {
    const before = await pod('web');
    const port = hostPortOf(before);
    const pidFile = `${agent.dataDir}/pods/${String((before?.['metadata'] as JsonObject)['uid'])}/containers/web/state.json`;
    const { pid, startTicks } = JSON.parse(await readFile(pidFile, 'utf8')) as { pid: number; startTicks: string };
    await agent.stop();
    expect(agent.process.exitCode()).toBe(0);
    expect(await isSameProcessAlive({ pid, startTicks })).toBe(true);
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    agent.start();
    // A status change made after the restart reaches the API: the new agent supervises the old process.
    await waitFor(async () => (await readFile(`${agent.dataDir}/agent.pid`, 'utf8').catch(() => '')) !== '', 20_000, 'the new agent');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await httpGet(port, '/sick');
    await waitForPod('web', (object) => condition(object, 'Ready') === 'False', 'not ready after /sick', 20_000);
    const after = await pod('web');
    expect(containerStatus(after)['restartCount']).toBe(0);
    expect(await isSameProcessAlive({ pid, startTicks })).toBe(true);
    expect(await readProcessStat(pid)).toBeDefined();
  });

  it('survives a NATS restart: pods keep running, the agent reconnects, status writes resume', async () => {
    await createPod('steady', { containers: [web({ readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 } })] });
    const started = await waitForPod('steady', (object) => hostPortOf(object) > 0 && statusOf(object)['phase'] === 'Running', 'Running');
    const port = hostPortOf(started);
    await waitFor(() => httpGet(port, '/healthz').then((answer) => answer.status === 200, () => false), 10_000, 'the server to listen');
    expect(condition(await pod('steady'), 'Ready')).toBe('False');
    await harness.nats.stop('SIGKILL');
    await httpGet(port, '/ready/on');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    expect(condition(await pod('steady'), 'Ready')).toBe('False');
    await harness.nats.start();
    await waitForPod('steady', (object) => condition(object, 'Ready') === 'True', 'Ready after NATS came back', 30_000);
  });

  it('keeps pods running while the control plane is away, and reconciles when it is back', async () => {
    const port = hostPortOf(await pod('steady'));
    const restart = harness.restartBridge(4_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await httpGet(port, '/ready/off');
    await restart;
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    await waitForPod('steady', (object) => condition(object, 'Ready') === 'False', 'the change made while away written', 30_000);
    expect(containerStatus(await pod('steady'))['restartCount']).toBe(0);
  });

  it('stops a pod deleted gracefully (SIGTERM, then the deletion is confirmed) and removes its files', async () => {
    const object = await pod('steady');
    const uid = String((object?.['metadata'] as JsonObject)['uid']);
    const port = hostPortOf(object);
    await harness.client.delete(podResource, 'default', 'steady');
    expect(((await pod('steady'))?.['metadata'] as JsonObject)['deletionTimestamp']).toBeDefined();
    await waitFor(async () => (await pod('steady')) === null, 20_000, 'the agent to confirm the deletion');
    await expect(httpGet(port, '/healthz')).rejects.toThrow();
    await waitFor(async () => (await readFile(`${agent.dataDir}/pods/${uid}/containers/web/state.json`).then(() => false, () => true)), 10_000, 'the pod files to go');
  });
});
