import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { ApiClusterHarness } from './api-cluster-harness.ts';


/** @kubernetes/client-node with the kubeconfig `flotilla kubeconfig` wrote, against 3 real replicas. */
describe('@kubernetes/client-node against 3 real replicas', () => {
  let harness: ApiClusterHarness;
  let config: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    harness = await ApiClusterHarness.start();
    config = new k8s.KubeConfig();
    config.loadFromFile(harness.kubeconfig);
    core = config.makeApiClient(k8s.CoreV1Api);
  }, 90_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('creates, lists and patches', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-node', labels: { app: 'x' } }, data: { a: '1' } } });
    expect(created.metadata?.uid).toMatch(/-/);
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=x' });
    expect(list.items.map((item) => item.metadata?.name)).toEqual(['from-node']);
    const patched = await core.patchNamespacedConfigMap(
      { name: 'from-node', namespace: 'default', body: { data: { b: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const deployment = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    });
    expect(deployment.spec?.replicas).toBe(1);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'd', namespace: 'default' });
    expect(scale.status?.selector).toBe('app=d');
  });

  it('runs an informer (list + watch) that sees adds, updates and deletes', async () => {
    const informer = k8s.makeInformer(config, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (object) => seen.push(`add:${object.metadata?.name}`));
    informer.on('update', (object) => seen.push(`update:${object.metadata?.name}`));
    informer.on('delete', (object) => seen.push(`delete:${object.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'informed' }, data: {} } });
      await core.patchNamespacedConfigMap({ name: 'informed', namespace: 'default', body: { data: { x: '1' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'informed', namespace: 'default' });
      const deadline = Date.now() + 10_000;
      while (!seen.includes('delete:informed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toContain('add:from-node');
      expect(seen.filter((event) => event.endsWith(':informed'))).toEqual(['add:informed', 'update:informed', 'delete:informed']);
      expect(informer.list('default').map((item) => item.metadata?.name)).toEqual(['from-node']);
    } finally {
      await informer.stop();
    }
  });
});
