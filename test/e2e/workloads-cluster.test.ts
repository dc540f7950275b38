/**
 * The scheduler and controllers in real `flotilla server` processes (running on the Raft
 * leader), driven by the installed kubectl, with simulated nodes speaking the Kubernetes API as
 * kubelets do (test/e2e/rest-fake-nodes.ts): rollouts, rollbacks, a pod that fits nowhere, and
 * the loss of a node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClusterHarness, eventually } from './api-cluster-harness.ts';
import { RestFakeNodes } from './rest-fake-nodes.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1", resources: {requests: {cpu: 100m, memory: 64Mi}}}]
`;

describe('workloads on 3 real replicas with simulated nodes', () => {
  let harness: ApiClusterHarness;
  let nodes: RestFakeNodes;
  const kubectl = (...args: string[]) => harness.kubectlOk(args, { timeoutMs: 90_000 });

  beforeAll(async () => {
    harness = await ApiClusterHarness.start();
    nodes = new RestFakeNodes(harness.endpoints);
    for (const name of ['node-a', 'node-b', 'node-c']) await nodes.add(name);
    nodes.start();
  }, 90_000);

  afterAll(async () => {
    await nodes?.stop();
    await harness?.stop();
  });

  it('kubectl rollout status, history, undo and restart', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: deployment });
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('deployment "web" successfully rolled out');
    await kubectl('set', 'image', 'deployment/web', 'web=nginx:2');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    expect(await kubectl('rollout', 'history', 'deployment/web', '--revision=1')).toContain('nginx:1');
    expect(await kubectl('rollout', 'undo', 'deployment/web')).toContain('deployment.apps/web rolled back');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    expect(await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('nginx:1');
    await eventually('3 ready pods of nginx:1 and no other', 30_000, async () => {
      const images = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}')).trim().split(' ');
      return images.length === 3 && images.every((image) => image === 'nginx:1') ? true : null;
    });
    expect(await kubectl('rollout', 'restart', 'deployment/web')).toContain('deployment.apps/web restarted');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    expect(await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations}')).toContain('kubectl.kubernetes.io/restartedAt');
    // Revision 1 became 3 on undo, restart made 4: the history shows the live ones.
    expect(await kubectl('rollout', 'history', 'deployment/web')).toMatch(/^4\s/m);
  }, 240_000);

  it('kubectl describe pod says why a pod fits nowhere', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec:\n  containers: [{name: c, image: busybox, resources: {requests: {cpu: "64"}}}]\n',
    });
    const described = await eventually('the FailedScheduling event', 30_000, async () => {
      const output = await kubectl('describe', 'pod', 'huge');
      return output.includes('FailedScheduling') ? output : null;
    });
    expect(described).toMatch(/Status:\s+Pending/);
    expect(described).toMatch(/PodScheduled\s+False/);
    expect(described).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    await kubectl('delete', 'pod', 'huge');
  }, 60_000);

  it('a node that stops renewing its lease: its pods are replaced on the others within 10 s', async () => {
    const placed = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}');
    const victim = placed.trim().split('\n')[0] ?? '';
    expect(victim).toMatch(/^node-/);
    const lostMs = Date.now();
    nodes.kill(victim);
    await eventually('3 ready replacements elsewhere', 30_000, async () => {
      const pods = JSON.parse(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')) as {
        items: Array<{ metadata: { deletionTimestamp?: string }; spec: { nodeName?: string }; status: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      const active = pods.items.filter((pod) => pod.metadata.deletionTimestamp === undefined);
      const ready = active.filter((pod) => pod.spec.nodeName !== victim && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return active.length === 3 && ready.length === 3 ? true : null;
    });
    // The homelab defaults: silent for 4 s → unreachable; pods tolerate that for 2 s; then replaced.
    // Timing is a benchmark's business; the figure is printed, not asserted.
    console.info(`node loss → 3 ready replacements in ${Date.now() - lostMs} ms`);
    expect(await kubectl('get', 'node', victim)).toMatch(new RegExp(`${victim}\\s+NotReady`));
    expect(await kubectl('describe', 'node', victim)).toContain('node.kubernetes.io/unreachable');
    // The evicted pod waits for its node to confirm it stopped (never two copies): Terminating.
    expect(await kubectl('get', 'pods', '-l', 'app=web', '--field-selector', `spec.nodeName=${victim}`)).toContain('Terminating');
  }, 60_000);
});
