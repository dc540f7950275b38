/**
 * The Kubernetes API on 3 real `flotilla server` replicas (each with --api-listen), driven by the
 * installed kubectl: any replica serves it with one kubeconfig (shared CA and token from the
 * replicated store), reads are linearizable across replicas, watches follow writes made
 * elsewhere, and kill -9 of the leader loses no accepted write nor any watch event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentLeader, type ProcessCluster } from '../../chaos/cluster/index.ts';
import { apiRequest, ResumingWatch, type ApiEndpoint } from './api-cluster-client.ts';
import { ApiClusterHarness, eventually, sleep } from './api-cluster-harness.ts';
/** Writes made while the leader is killed: a few before the kill, the rest after. */
const failoverWrites = 30;
const killAfterWrites = 8;

const manifest = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop}
stringData: {password: hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`;

describe('Kubernetes API on 3 real replicas', () => {
  let harness: ApiClusterHarness;
  let cluster: ProcessCluster;
  let kubeconfig: string;
  let endpoints: readonly ApiEndpoint[];
  const contexts = ['flotilla', 'flotilla-2', 'flotilla-3'];
  const kubectl = (context: string, args: readonly string[], input?: string) => harness.kubectlOk(args, { context, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    harness = await ApiClusterHarness.start();
    ({ cluster, kubeconfig, endpoints } = harness);
  }, 90_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('every replica serves the same CA and token: one kubeconfig, three contexts', async () => {
    for (const member of cluster.members) {
      expect(await readFile(join(member.dataDir, 'api', 'pki', 'ca.crt'), 'utf8')).toBe(endpoints[0]?.ca);
    }
    for (const context of contexts) expect(await kubectl(context, ['get', 'ns', 'default', '-o', 'name'])).toBe('namespace/default\n');
  });

  it('kubectl apply on replica 1 is seen at once by get on replica 2', async () => {
    expect(await kubectl('flotilla', ['apply', '-f', '-'], manifest)).toBe(
      'namespace/shop created\nconfigmap/settings created\nsecret/creds created\ndeployment.apps/web created\nservice/web created\n',
    );
    const names = await kubectl('flotilla-2', ['get', 'cm,secret,deploy,svc', '-n', 'shop', '-o', 'name']);
    expect(names.split('\n')).toEqual(expect.arrayContaining(['configmap/settings', 'secret/creds', 'deployment.apps/web', 'service/web']));
    expect(await kubectl('flotilla-2', ['get', 'cm', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.color}'])).toBe('blue');
  });

  it('kubectl get -w on replica 3 sees a change made on replica 1', async () => {
    const watcher = spawn('kubectl', ['--kubeconfig', kubeconfig, '--context', 'flotilla-3', 'get', 'cm', '-n', 'shop', '-w', '-o', 'name'], {
      env: { ...process.env, HOME: cluster.directory },
    });
    try {
      let output = '';
      watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually('the initial list', 15_000, async () => (output.includes('configmap/settings') ? true : null));
      await kubectl('flotilla', ['create', 'configmap', 'late', '-n', 'shop', '--from-literal=k=v']);
      await eventually('the watch event', 15_000, async () => (output.includes('configmap/late') ? true : null));
    } finally {
      stopChild(watcher);
    }
  });

  it('kill -9 of the leader: kubectl keeps working through another replica, no accepted write or watch event is lost', async () => {
    const leaderName = await eventually('a leader', 15_000, () => currentLeader(cluster));
    const leaderIndex = cluster.members.findIndex((member) => member.name === leaderName);
    const survivors = [0, 1, 2].filter((index) => index !== leaderIndex);
    const writerIndex = survivors[0] ?? 0;
    const writer = endpoints[writerIndex] as ApiEndpoint;
    await kubectl(contexts[writerIndex] ?? 'flotilla', ['create', 'namespace', 'fail']);
    const start = JSON.parse((await apiRequest(writer, 'GET', '/api/v1/namespaces/fail/configmaps')).body) as { metadata: { resourceVersion: string } };
    // The watch starts on the leader (it will die) and must resume elsewhere from its last resourceVersion.
    const order = [leaderIndex, ...survivors].map((index) => endpoints[index] as ApiEndpoint);
    const watch = new ResumingWatch(order, '/api/v1/namespaces/fail/configmaps', start.metadata.resourceVersion);
    watch.start();
    const accepted: string[] = [];
    try {
      for (let i = 0; i < failoverWrites; i++) {
        if (i === killAfterWrites) await cluster.member(leaderName).process.kill();
        accepted.push(await createWithRetry(writer, `cm-${i}`));
      }
      const listed = await kubectl(contexts[survivors[1] ?? 0] ?? 'flotilla', ['get', 'cm', '-n', 'fail', '-o', 'name']);
      for (const name of accepted) expect(listed).toContain(`configmap/${name}\n`);
      await eventually('every write in the watch', 20_000, async () => (watch.events.length >= accepted.length ? true : null));
      const seen = watch.events.map((event) => event.object.metadata?.name);
      expect(seen).toEqual(accepted);
      const versions = watch.events.map((event) => Number(event.object.metadata?.resourceVersion));
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
      expect(watch.resumes).toBeGreaterThanOrEqual(1);
      // kubectl through a survivor still writes and reads after the failover.
      await kubectl(contexts[survivors[1] ?? 0] ?? 'flotilla', ['label', 'cm', 'cm-0', '-n', 'fail', 'after=failover']);
      expect(await kubectl(contexts[writerIndex] ?? 'flotilla', ['get', 'cm', '-n', 'fail', '-l', 'after=failover', '-o', 'name'])).toBe('configmap/cm-0\n');
    } finally {
      watch.stop();
    }
  }, 90_000);

  it('the scheduler and controllers follow the leadership: after the kill, the new leader runs them', async () => {
    const leaderName = await eventually('a leader', 15_000, () => currentLeader(cluster));
    const context = contexts[cluster.members.findIndex((member) => member.name === leaderName)] ?? 'flotilla';
    await kubectl(context, ['create', 'deployment', 'after-failover', '--image=nginx:1', '--replicas=2']);
    await eventually('2 pods made by the new leader\'s controllers', 20_000, async () => {
      const pods = (await kubectl(context, ['get', 'pods', '-l', 'app=after-failover', '-o', 'name'])).trim().split('\n').filter((line) => line !== '');
      return pods.length === 2 ? true : null;
    });
    // No node exists: the scheduler (also on the leader) says so on each pod.
    await eventually('the scheduler\'s verdict', 20_000, async () =>
      (await kubectl(context, ['get', 'events', '--field-selector', 'reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}'])).includes('0/0 nodes are available') ? true : null);
  }, 60_000);
});

/**
 * Creates a ConfigMap, retrying while the cluster elects a new leader. A 409 on a retry means an
 * earlier attempt whose answer was lost did apply: the write is accepted (and must not be lost).
 */
async function createWithRetry(endpoint: ApiEndpoint, name: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; ; attempt++) {
    const answer = await apiRequest(endpoint, 'POST', '/api/v1/namespaces/fail/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } }).catch(
      (error: unknown) => ({ status: 0, body: String(error) }),
    );
    if (answer.status === 201 || (answer.status === 409 && attempt > 0)) return name;
    if (Date.now() > deadline) throw new Error(`create ${name} kept failing: ${answer.status} ${answer.body}`);
    await sleep(100);
  }
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
}
