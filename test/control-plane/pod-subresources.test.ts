import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './harness.ts';

const pod = (name: string, nodeName?: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { ...(nodeName === undefined ? {} : { nodeName }), containers: [{ name: 'app', image: 'busybox:1.36' }] },
});

describe('pods/binding, pods/log, pods/exec', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    harness = await ApiHarness.start();
    for (const [name, node] of [['waiting', undefined], ['placed', 'node-a']] as const) {
      const created = await harness.fetch('/api/v1/namespaces/default/pods', { method: 'POST', body: pod(name, node), headers: { 'Content-Type': 'application/json' } });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await harness.stop();
  });

  const bind = (name: string, node: string) =>
    harness.fetch(`/api/v1/namespaces/default/pods/${name}/binding`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } }),
    });

  it('binds an unbound pod once; a second binding is a 409', async () => {
    expect((await bind('waiting', 'node-b')).status).toBe(201);
    expect(await harness.kubectlOk(['get', 'pod', 'waiting', '-o', 'jsonpath={.spec.nodeName}'])).toBe('node-b');
    // As Kubernetes' Binding, and the scheduler's own (the same code): PodScheduled=True in the same write.
    expect(await harness.kubectlOk(['get', 'pod', 'waiting', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}'])).toBe('True');
    const again = await bind('waiting', 'node-c');
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('already assigned to node "node-b"') });
    expect((await bind('missing', 'node-b')).status).toBe(404);
    const invalid = await harness.fetch('/api/v1/namespaces/default/pods/placed/binding', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"kind":"Binding","target":{}}' });
    expect(invalid.status).toBe(422);
  });

  it('lists the subresources in discovery', async () => {
    const resources = (JSON.parse((await harness.fetch('/api/v1')).body) as { resources: Array<{ name: string }> }).resources.map((resource) => resource.name);
    expect(resources).toEqual(expect.arrayContaining(['pods/binding', 'pods/log', 'pods/exec', 'pods/attach', 'pods/portforward']));
  });

  it('answers kubectl logs and exec with a 503 naming the node until an agent serves it', async () => {
    const logs = await harness.kubectl(['logs', 'placed']);
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain('no agent serves node node-a yet');
    const exec = await harness.kubectl(['exec', 'placed', '--', 'true'], { timeoutMs: 20_000 });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toMatch(/no agent serves node node-a yet|503/);
    const raw = await harness.fetch('/api/v1/namespaces/default/pods/placed/log');
    expect([raw.status, JSON.parse(raw.body).reason]).toEqual([503, 'ServiceUnavailable']);
    expect((await harness.fetch('/api/v1/namespaces/default/pods/nothing/log')).status).toBe(404);
  });
});
