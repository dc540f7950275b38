/**
 * The agent's runtimes through the whole cluster, driven by kubectl: a pod with
 * `runtimeClassName: oci` runs a locally built image (env, port, configMap volume, logs, exec),
 * a missing image waits as ErrImageNeverPull, and — the agent being root — a process-runtime pod
 * gets its limits enforced (reported in its status) and is OOMKilled past its memory limit.
 * Real processes: 3 `flotilla server` replicas, nats-server, one `flotilla agent`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectHostIsolation, detectOciTools } from '../../agent/index.ts';
import { getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import { AgentProcess } from '../agent/agent-process.ts';
import { httpGet } from '../agent/helpers.ts';
import { NatsServerProcess } from '../agent/nats-server-process.ts';
import { buildTestImage } from '../agent/oci-test-image.ts';
import { ApiClusterHarness, eventually } from './api-cluster-harness.ts';

const tools = await detectOciTools();
const isolation = await detectHostIsolation();
const noOci = tools.ok ? '' : ` (OCI skipped: ${tools.reason})`;
const noCgroups = isolation.cgroups === undefined ? ` (limits skipped: ${isolation.notes.join('; ')})` : '';

const ociPod = (image: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {color: blue}
---
apiVersion: v1
kind: Pod
metadata: {name: imaged, namespace: default}
spec:
  runtimeClassName: oci
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: ${image}
    imagePullPolicy: Never
    env: [{name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color}}}]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
    volumeMounts: [{name: config, mountPath: /etc/config}]
  volumes: [{name: config, configMap: {name: settings}}]
`;

const missingImagePod = `apiVersion: v1
kind: Pod
metadata: {name: missing-image, namespace: default}
spec:
  runtimeClassName: oci
  containers: [{name: app, image: localhost/flotilla-not-here:1, imagePullPolicy: Never}]
`;

const limitedPods = `apiVersion: v1
kind: Pod
metadata: {name: limited, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: none, command: [sleep, '600'], resources: {limits: {cpu: 500m, memory: 64Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: hog, namespace: default}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: none, command: [sh, -c, 'head -c 512m /dev/zero | tail > /dev/null'], resources: {limits: {memory: 32Mi}}}
`;

describe(`agent runtimes through kubectl${noOci}${noCgroups}`, () => {
  let harness: ApiClusterHarness;
  let nats: NatsServerProcess;
  let agent: AgentProcess;
  let image = '';

  const kubectl = (...args: string[]) => harness.kubectlOk(args);
  const pod = async (name: string): Promise<JsonObject> => JSON.parse(await kubectl('get', 'pod', name, '-o', 'json')) as JsonObject;
  const firstStatus = (object: JsonObject): JsonObject | undefined => objectsIn(getPath(object, ['status', 'containerStatuses']))[0];

  beforeAll(async () => {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-runtimes-e2e-'));
    if (tools.ok) image = await buildTestImage(tools.tools.podman);
    nats = await NatsServerProcess.start(directory);
    harness = await ApiClusterHarness.start({ extraArgs: ['--nats', nats.url, '--cluster-name', 'runtimes'] });
    agent = await AgentProcess.create(directory, 'node-r', { servers: [nats.url], clusterName: 'runtimes' });
    agent.start();
    await eventually('node-r Ready', 60_000, async () => ((await kubectl('get', 'node', 'node-r', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True' ? true : null));
  }, 180_000);

  afterAll(async () => {
    await harness?.kubectl(['delete', 'pod', '--all', '--wait=false']).catch(() => undefined);
    await eventually('the pods to go', 30_000, async () => ((await kubectl('get', 'pods', '-o', 'name')).trim() === '' ? true : null)).catch(() => undefined);
    await agent?.stop();
    await harness?.stop();
    await nats?.stop();
  }, 120_000);

  it.skipIf(!tools.ok)('runs an image with runtimeClassName oci: Running and Ready on its host port, env, configMap volume, logs and exec through kubectl', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: ociPod(image) });
    const running = await eventually('imaged Ready', 60_000, async () => {
      const object = await pod('imaged');
      return firstStatus(object)?.['ready'] === true ? object : null;
    });
    const status = firstStatus(running);
    expect(String(status?.['containerID'])).toMatch(/^oci:\/\//);
    expect(String(status?.['imageID'])).toMatch(/^sha256:/);
    const hostPorts = JSON.parse(String(getPath(running, ['metadata', 'annotations', 'flotilla.io/host-ports']) ?? '{}')) as Record<string, number>;
    const port = hostPorts['8080'] ?? 0;
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(env).toMatchObject({ COLOR: 'blue', PORT: String(port), HOSTNAME: 'imaged' });
    expect(await kubectl('logs', 'imaged', '--tail=2')).toMatch(new RegExp(`^listening ${port}\\n`));
    expect(await kubectl('exec', 'imaged', '--', 'cat', '/etc/config/color')).toBe('blue');
    const failed = await harness.kubectl(['exec', 'imaged', '--', 'sh', '-c', 'exit 4']);
    expect(failed.code).toBe(4);
  }, 120_000);

  it.skipIf(!tools.ok)('keeps a pod whose image is not on the node waiting as ErrImageNeverPull, saying why', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: missingImagePod });
    const waiting = await eventually('ErrImageNeverPull', 60_000, async () => {
      const state = firstStatus(await pod('missing-image'))?.['state'] as JsonObject | undefined;
      const reason = getPath(state ?? {}, ['waiting', 'reason']);
      return reason === 'ErrImageNeverPull' ? state : null;
    });
    expect(String(getPath(waiting, ['waiting', 'message']))).toContain('not in this node\'s local image store');
  }, 120_000);

  it.skipIf(isolation.cgroups === undefined)('enforces a process pod\'s limits as root: reported in its status, and OOMKilled past its memory limit', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: limitedPods });
    const limited = await eventually('limited running', 60_000, async () => {
      const status = firstStatus(await pod('limited'));
      return status?.['resources'] === undefined ? null : status;
    });
    expect(limited['resources']).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '500m' } });
    const terminated = await eventually('hog OOMKilled', 60_000, async () => {
      const state = firstStatus(await pod('hog'))?.['state'] as JsonObject | undefined;
      return getPath(state ?? {}, ['terminated', 'reason']) === undefined ? null : getPath(state ?? {}, ['terminated']) as JsonObject;
    });
    expect(terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(await kubectl('get', 'pod', 'hog', '-o', 'jsonpath={.status.phase}')).toBe('Failed');
  }, 120_000);
});
