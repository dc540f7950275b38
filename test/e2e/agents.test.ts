/**
 * The whole cluster on real processes: 3 `flotilla server` replicas (scheduler and controllers on
 * the Raft leader) serving agents through a 3-server NATS cluster (routes), 2 real `flotilla agent`
 * processes running real processes (test/fixtures/http-server.mjs), driven by the installed kubectl.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../agent/agent-process.ts';
import { fixtureServer, httpGet, node } from '../agent/helpers.ts';
import type { NatsServerProcess } from '../agent/nats-server-process.ts';
import { AgentCluster, podViews, readyPodViews, type PodView } from './agent-cluster.ts';
import { type ApiClusterHarness, eventually, sleep } from './api-cluster-harness.ts';

const manifest = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: fixture
        command: [${JSON.stringify(node)}, ${JSON.stringify(fixtureServer)}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
        livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

describe('agents through NATS on a real cluster', () => {
  let cluster: AgentCluster;
  let harness: ApiClusterHarness;
  let nats: NatsServerProcess[];
  let agents: AgentProcess[];
  let directory: string;

  const kubectl = (...args: string[]) => harness.kubectlOk(args);
  const pods = (): Promise<PodView[]> => podViews(harness, 'app=web');
  const readyPods = (count: number, where?: (pod: PodView) => boolean): Promise<PodView[]> => readyPodViews(harness, 'app=web', count, where);

  async function nodeReady(name: string): Promise<string> {
    return kubectl('get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
  }

  beforeAll(async () => {
    const usage = ['--usage-report-interval', '2'];
    cluster = await AgentCluster.start({ natsServers: 3, agents: [{ nodeName: 'node-a', extraArgs: usage }, { nodeName: 'node-b', extraArgs: usage }] });
    ({ harness, nats, agents, directory } = cluster);
  }, 120_000);

  afterAll(async () => {
    await harness?.kubectl(['delete', 'deployment', 'web', '--wait=false']).catch(() => undefined);
    await eventually('the web pods to go', 30_000, async () => ((await pods()).length === 0 ? true : null)).catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  it('registers both nodes, Ready, with their leases renewed', async () => {
    for (const name of ['node-a', 'node-b']) expect(await eventually(`${name} Ready`, 60_000, async () => ((await nodeReady(name)) === 'True' ? 'True' : null))).toBe('True');
    const lease = async () => kubectl('get', 'lease', 'node-a', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}');
    const first = await lease();
    await eventually('a lease renewal', 10_000, async () => ((await lease()) > first ? true : null));
    expect(await kubectl('get', 'nodes')).toMatch(/node-a\s+Ready/);
  }, 120_000);

  it('runs a Deployment: its pods are scheduled, Running and Ready, and the Service endpoints point at their host ports', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: manifest(2) });
    const ready = await readyPods(2);
    for (const pod of ready) expect((await httpGet(pod.hostPort, '/healthz')).status).toBe(200);
    const endpoints = await eventually('endpoints', 30_000, async () => {
      const subsets = JSON.parse(await kubectl('get', 'endpoints', 'web', '-o', 'jsonpath={.subsets}') || '[]') as Array<{ addresses?: unknown[]; ports?: Array<{ port: number }> }>;
      const addresses = subsets.reduce((sum, subset) => sum + (subset.addresses?.length ?? 0), 0);
      return addresses === 2 ? subsets : null;
    });
    const ports = endpoints.flatMap((subset) => subset.ports?.map((port) => port.port) ?? []).sort();
    expect(ports).toEqual(ready.map((pod) => pod.hostPort).sort());
  }, 120_000);

  it('reports usage for kubectl top (pods and nodes)', async () => {
    const [pod] = await readyPods(2);
    if (pod === undefined) throw new Error('no pod');
    const top = await eventually('kubectl top pod', 30_000, async () => {
      const output = await kubectl('top', 'pod', pod.name);
      return output.includes(pod.name) ? output : null;
    });
    expect(top).toMatch(new RegExp(`${pod.name}\\s+\\d+m\\s+\\d+Mi`));
    const nodes = await eventually('kubectl top node', 30_000, async () => {
      const output = await kubectl('top', 'node');
      return output.includes('node-a') && output.includes('node-b') ? output : null;
    });
    expect(nodes).toMatch(/node-a\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    // The metrics carry their owners' labels, so selectors work.
    const selected = await eventually('kubectl top pod -l', 30_000, async () => {
      const output = await kubectl('top', 'pod', '-l', 'app=web', '--no-headers');
      return output.trim().split('\n').length === 2 ? output : null;
    });
    expect(selected).toContain(pod.name);
    expect(await kubectl('top', 'node', '-l', 'kubernetes.io/hostname=node-b', '--no-headers')).toMatch(/^node-b\s/);
  }, 120_000);

  it('serves kubectl logs through the agents: plain, --tail, -f, and --previous after a liveness restart', async () => {
    const [pod] = await readyPods(2);
    if (pod === undefined) throw new Error('no pod');
    expect(await kubectl('logs', pod.name)).toMatch(/^listening \d+\nenv /);
    expect((await kubectl('logs', pod.name, '--tail=1')).startsWith('env ')).toBe(true);
    const follower = spawn('kubectl', ['--kubeconfig', harness.kubeconfig, 'logs', '-f', '--tail=0', pod.name], { env: { ...process.env, HOME: directory } });
    let followed = '';
    follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    await sleep(1_500);
    await httpGet(pod.hostPort, '/log?lines=2&size=24');
    await eventually('followed lines', 15_000, async () => (followed.split('\n').filter((line) => line.startsWith('0000000')).length === 2 ? true : null));
    follower.kill('SIGINT');
    const restartsBefore = pod.restarts;
    await httpGet(pod.hostPort, '/sick');
    await eventually('a liveness restart', 30_000, async () => ((await pods()).find((candidate) => candidate.name === pod.name && candidate.restarts > restartsBefore) ?? null));
    expect(await kubectl('logs', pod.name, '--previous')).toContain('got SIGTERM');
    const missing = await harness.kubectl(['logs', pod.name, '-c', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod');
  }, 120_000);

  it('serves kubectl exec over WebSocket: output, stderr, exit code, stdin, and clear errors', async () => {
    const [pod] = await readyPods(2);
    if (pod === undefined) throw new Error('no pod');
    const run = await harness.kubectl(['exec', pod.name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(run.stdout).toBe('out\n');
    expect(run.stderr).toContain('err\n');
    expect(run.stderr).toContain('command terminated with exit code 3');
    expect(run.code).toBe(3);
    expect(await harness.kubectlOk(['exec', '-i', pod.name, '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'through stdin\n' })).toBe('THROUGH STDIN\n');
    expect(await kubectl('exec', pod.name, '-c', 'web', '--', 'printenv', 'HOSTNAME')).toBe(`${pod.name}\n`);
    const wrong = await harness.kubectl(['exec', pod.name, '-c', 'nope', '--', 'true']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('container nope is not valid for pod');
  }, 120_000);

  it('runs a pod with a local-path PersistentVolumeClaim: provisioned on its node, in the agent\'s volumes directory', async () => {
    const claimAndPod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: writer
    image: none
    command: [sh, -c, 'echo persisted > "$FLOTILLA_VOLUME_DATA/note"; exec sleep 3600']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;
    await harness.kubectlOk(['apply', '-f', '-'], { input: claimAndPod });
    const nodeName = await eventually('the writer running', 60_000, async () => {
      const [phase, node] = (await kubectl('get', 'pod', 'writer', '-o', 'jsonpath={.status.phase} {.spec.nodeName}')).split(' ');
      return phase === 'Running' ? node : null;
    });
    const volume = await kubectl('get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}');
    expect(await kubectl('get', 'pv', volume, '-o', 'jsonpath={.spec.hostPath.path}')).toBe(join(directory, `agent-${String(nodeName)}`, 'volumes', volume));
    const note = await eventually('the note', 20_000, async () => (await readFile(join(directory, `agent-${String(nodeName)}`, 'volumes', volume, 'note'), 'utf8')) || null);
    expect(note).toBe('persisted\n');
    await kubectl('delete', 'pod', 'writer', '--wait=false');
  }, 120_000);

  it('keeps working when one NATS server of three dies: a scale-up still runs', async () => {
    await nats[0]?.stop('SIGKILL');
    await kubectl('scale', 'deployment', 'web', '--replicas=3');
    await readyPods(3);
    for (const name of ['node-a', 'node-b']) expect(await nodeReady(name)).toBe('True');
    await nats[0]?.start();
  }, 120_000);

  it('replaces the pods of a dead agent on the other node, and the agent back stops the evicted ones', async () => {
    const agentA = agents[0];
    if (agentA === undefined) throw new Error('no agent');
    const before = await readyPods(3);
    const onA = before.filter((pod) => pod.nodeName === 'node-a');
    await agentA.kill();
    await eventually('node-a not ready', 30_000, async () => ((await nodeReady('node-a')) !== 'True' ? true : null));
    const stranded = onA[0];
    if (stranded !== undefined) {
      // Nobody answers for node-a now: a clear 503 (through kubectl's SPDY fallback for exec, too).
      for (const args of [['logs', stranded.name], ['exec', stranded.name, '--', 'true']]) {
        const refused = await harness.kubectl(args);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('no agent answers for node node-a');
      }
    }
    const replaced = await readyPods(3, (pod) => pod.nodeName === 'node-b');
    expect(replaced.every((pod) => pod.nodeName === 'node-b')).toBe(true);
    agentA.start();
    await eventually('node-a Ready again', 60_000, async () => ((await nodeReady('node-a')) === 'True' ? true : null));
    // The pods evicted from node-a were waiting for their node to confirm: it stops them and they go.
    await eventually('the evicted pods to go', 60_000, async () => {
      const names = new Set((await pods()).map((pod) => pod.name));
      return onA.every((pod) => !names.has(pod.name)) ? true : null;
    });
    for (const pod of onA) await expect(httpGet(pod.hostPort, '/healthz')).rejects.toThrow();
  }, 180_000);
});
