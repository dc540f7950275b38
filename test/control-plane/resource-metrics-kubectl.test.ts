import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './harness.ts';

let harness: ApiHarness;

beforeAll(async () => {
  harness = await ApiHarness.start();
  const node = await harness.fetch('/api/v1/nodes', { method: 'POST', body: JSON.stringify({ metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } }), headers: { 'Content-Type': 'application/json' } });
  expect(node.status).toBe(201);
  const created = JSON.parse(node.body) as { metadata: Record<string, unknown> };
  const status = { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] };
  const written = await harness.fetch('/api/v1/nodes/node-1/status', { method: 'PUT', body: JSON.stringify({ ...created, status }), headers: { 'Content-Type': 'application/json' } });
  expect(written.status).toBe(200);
  await harness.kubectlOk(['apply', '-f', '-'], { input: podYaml('web-1', 'web') + '---\n' + podYaml('db-1', 'db') });
}, 60_000);

afterAll(async () => {
  await harness.stop();
});

function podYaml(name: string, app: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: ${app}}}
spec:
  containers: [{name: main, image: nginx}, {name: sidecar, image: busybox}]
`;
}

/** What a node agent writes: one PodMetrics per pod it runs, one NodeMetrics for itself. */
function metricsYaml(timestamp: string): string {
  return `apiVersion: metrics.k8s.io/v1beta1
kind: PodMetrics
metadata: {name: web-1, namespace: default, labels: {app: web}}
timestamp: "${timestamp}"
window: 15s
containers:
- {name: main, usage: {cpu: 250m, memory: 64Mi}}
- {name: sidecar, usage: {cpu: "5000000n", memory: 8Mi}}
---
apiVersion: metrics.k8s.io/v1beta1
kind: PodMetrics
metadata: {name: db-1, namespace: default, labels: {app: db}}
timestamp: "${timestamp}"
window: 15s
containers:
- {name: main, usage: {cpu: "1", memory: 1Gi}}
- {name: sidecar, usage: {cpu: 0, memory: 0}}
---
apiVersion: metrics.k8s.io/v1beta1
kind: NodeMetrics
metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
timestamp: "${timestamp}"
window: 15s
usage: {cpu: 500m, memory: 1Gi}
`;
}

/** kubectl's columns, whitespace-normalized. */
function rows(output: string): string[][] {
  return output.trim().split('\n').map((line) => line.trim().split(/\s+/));
}

describe('kubectl top against PodMetrics and NodeMetrics', () => {
  it('says "metrics not available yet" before any agent wrote metrics', async () => {
    const result = await harness.kubectl(['top', 'node']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('metrics not available yet');
    const pods = await harness.kubectl(['top', 'pod']);
    expect(pods.code).not.toBe(0);
    expect(pods.stderr).toContain('metrics not available yet');
  });

  it('lists pod usage summed over containers, per container, by label and across namespaces', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: metricsYaml(new Date().toISOString()) });
    expect(rows(await harness.kubectlOk(['top', 'pod', '--sort-by=cpu']))).toEqual([
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['db-1', '1000m', '1024Mi'],
      ['web-1', '255m', '72Mi'],
    ]);
    expect(rows(await harness.kubectlOk(['top', 'pod', 'web-1', '--containers']))).toEqual([
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'main', '250m', '64Mi'],
      ['web-1', 'sidecar', '5m', '8Mi'],
    ]);
    expect(rows(await harness.kubectlOk(['top', 'pod', '-l', 'app=web']))).toEqual([['NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['web-1', '255m', '72Mi']]);
    expect(rows(await harness.kubectlOk(['top', 'pod', '-A', '--sort-by=memory']))[1]).toEqual(['default', 'db-1', '1000m', '1024Mi']);
  });

  it('lists node usage against the node\'s allocatable', async () => {
    expect(rows(await harness.kubectlOk(['top', 'node']))).toEqual([
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['node-1', '500m', '12%', '1024Mi', '12%'],
    ]);
  });

  it('answers a pod without metrics as Kubernetes does', async () => {
    const missing = await harness.kubectl(['top', 'pod', 'nothing-here']);
    expect(missing.code).not.toBe(0);
    // metrics-server's wording: the resource is pods.metrics.k8s.io.
    expect(missing.stderr).toContain('Error from server (NotFound): pods.metrics.k8s.io "nothing-here" not found');
  });

  it('serves the metrics kinds in discovery and as tables', async () => {
    const resources = await harness.kubectlOk(['api-resources', '--api-group=metrics.k8s.io', '--no-headers']);
    expect(rows(resources).map((row) => [row[0], row[row.length - 1]])).toEqual([['nodes', 'NodeMetrics'], ['pods', 'PodMetrics']]);
    expect(rows(await harness.kubectlOk(['get', 'podmetrics', 'web-1']))).toEqual([['NAME', 'CPU', 'MEMORY', 'WINDOW', 'AGE'], ['web-1', '250m,5000000n', '64Mi,8Mi', '15s', expect.stringMatching(/^\d+s$/)]]);
    const invalid = await harness.kubectl(['apply', '-f', '-'], { input: 'apiVersion: metrics.k8s.io/v1beta1\nkind: NodeMetrics\nmetadata: {name: bad}\nwindow: soon\n' });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('window');
  });
});
