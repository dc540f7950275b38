import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { daemonSetResource } from '../../control-plane/api/registry/kinds/daemon-set.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { statefulSetResource } from '../../control-plane/api/registry/kinds/stateful-set.ts';
import { startApiServer, type ApiServer } from '../../control-plane/api/server.ts';
import { controllerOf, isBeingDeleted, isPodReady } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';
import { runProcess } from './harness.ts';
import { containerImage } from './workload-test-helpers.ts';

/** The installed kubectl (v1.32) driving StatefulSet and DaemonSet rollouts through a real API server on the controllers' store. */

let harness: ControlPlaneHarness | undefined;
let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<{ h: ControlPlaneHarness; kubectl: (...args: string[]) => Promise<string> }> {
  const h = (harness = await ControlPlaneHarness.start());
  for (const name of ['node-1', 'node-2']) await h.addNode({ name });
  const api = (server = await startApiServer({ dataDir: join(h.directory, 'api'), objectStore: h.objectStore, env: h.env, logger: silentLogger }));
  const kubectl = async (...args: string[]) => {
    const result = await runProcess('kubectl', ['--kubeconfig', api.kubeconfigPath, '--cache-dir', join(h.directory, 'kube-cache'), ...args], {
      env: { ...process.env, HOME: h.directory, KUBECONFIG: api.kubeconfigPath }, timeoutMs: 60_000,
    });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  return { h, kubectl };
}

async function imagesOf(h: ControlPlaneHarness, kind: string, name: string): Promise<string[]> {
  const { items } = await h.client.list(podResource, 'default');
  return items.filter((pod) => controllerOf(pod)?.kind === kind && controllerOf(pod)?.name === name && !isBeingDeleted(pod) && isPodReady(pod)).map((pod) => containerImage(pod)).sort();
}

const statefulSetManifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: main
        image: postgres:16
`;

const daemonSetManifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
  namespace: default
spec:
  selector:
    matchLabels: {app: logs}
  template:
    metadata:
      labels: {app: logs}
    spec:
      containers:
      - name: main
        image: agent:1
`;

describe('kubectl rollout against the StatefulSet and DaemonSet controllers', () => {
  it('StatefulSet: rollout status, set image, rollout history (with --revision) and rollout undo', async () => {
    const { h, kubectl } = await start();
    await applyManifest(h, kubectl, statefulSetManifest);
    expect(await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s')).toContain('partitioned roll out complete: 2 new pods have been updated');
    expect(await kubectl('get', 'statefulset', 'db', '--no-headers')).toMatch(/^db\s+2\/2\s/);
    await kubectl('set', 'image', 'statefulset/db', 'main=postgres:17');
    expect(await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s')).toContain('partitioned roll out complete: 2 new pods have been updated');
    expect(await imagesOf(h, 'StatefulSet', 'db')).toEqual(['postgres:17', 'postgres:17']);
    const history = await kubectl('rollout', 'history', 'statefulset/db');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await kubectl('rollout', 'history', 'statefulset/db', '--revision=1')).toContain('postgres:16');
    expect(await kubectl('rollout', 'undo', 'statefulset/db')).toContain('statefulset.apps/db rolled back');
    await eventually(async () => (await imagesOf(h, 'StatefulSet', 'db')).join(',') === 'postgres:16,postgres:16' || undefined, 30_000);
    expect(await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s')).toContain('roll out complete');
    // The rolled-back template's revision took the next number: 2 and 3 remain, no copy was made.
    expect(await kubectl('rollout', 'history', 'statefulset/db')).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    const status = (await h.client.get(statefulSetResource, 'default', 'db'))?.['status'] as JsonObject;
    expect(status['currentRevision']).toBe(status['updateRevision']);
  });

  it('DaemonSet: rollout status, set image, rollout history and rollout undo --to-revision', async () => {
    const { h, kubectl } = await start();
    await applyManifest(h, kubectl, daemonSetManifest);
    expect(await kubectl('rollout', 'status', 'daemonset/logs', '--timeout=60s')).toContain('daemon set "logs" successfully rolled out');
    expect(await kubectl('get', 'daemonset', 'logs', '--no-headers')).toMatch(/^logs\s+2\s+2\s+2\s+2\s+2\s/);
    await kubectl('set', 'image', 'daemonset/logs', 'main=agent:2');
    expect(await kubectl('rollout', 'status', 'daemonset/logs', '--timeout=60s')).toContain('successfully rolled out');
    expect(await imagesOf(h, 'DaemonSet', 'logs')).toEqual(['agent:2', 'agent:2']);
    expect(await kubectl('rollout', 'history', 'daemonset/logs')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await kubectl('rollout', 'undo', 'daemonset/logs', '--to-revision=1')).toContain('daemonset.apps/logs rolled back');
    await eventually(async () => (await imagesOf(h, 'DaemonSet', 'logs')).join(',') === 'agent:1,agent:1' || undefined, 30_000);
    expect(await kubectl('rollout', 'status', 'daemonset/logs', '--timeout=60s')).toContain('successfully rolled out');
    const status = (await h.client.get(daemonSetResource, 'default', 'logs'))?.['status'] as JsonObject;
    expect(status).toMatchObject({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 });
  });
});

/** kubectl apply -f of the manifest, written to the harness's directory. */
async function applyManifest(h: ControlPlaneHarness, kubectl: (...args: string[]) => Promise<string>, manifest: string): Promise<void> {
  const file = join(h.directory, 'manifest.yaml');
  await writeFile(file, manifest);
  await kubectl('apply', '-f', file);
}
