import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClusterHarness, eventually } from './api-cluster-harness.ts';

/** The installed kubectl (v1.32) against 3 real `flotilla server` replicas (controllers on the leader). */
const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
stringData:
  password: hunter2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: fast}, {name: LEVEL, value: "1"}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  ingressClassName: flotilla
  rules:
  - host: shop.home.lan
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
`;

describe('kubectl against 3 real replicas', () => {
  let harness: ApiClusterHarness;
  const kubectl = (...args: string[]) => harness.kubectlOk(args);

  beforeAll(async () => {
    harness = await ApiClusterHarness.start();
  }, 90_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('applies a multi-document manifest, then an edited one (client-side apply)', async () => {
    expect(await harness.kubectlOk(['apply', '-f', '-'], { input: manifest })).toBe(
      'namespace/shop created\nconfigmap/settings created\nsecret/creds created\ndeployment.apps/web created\nservice/web created\ningress.networking.k8s.io/web created\n',
    );
    const edited = manifest.replace('replicas: 2', 'replicas: 3').replace('color: blue', 'color: red').replace('{name: LEVEL, value: "1"}', '{name: LEVEL, value: "2"}');
    const output = await harness.kubectlOk(['apply', '-f', '-'], { input: edited });
    expect(output).toContain('configmap/settings configured');
    expect(output).toContain('deployment.apps/web configured');
    expect(output).toContain('service/web unchanged');
    expect(output).toContain('ingress.networking.k8s.io/web unchanged');
    expect(await kubectl('get', 'cm', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.color}')).toBe('red');
    const env = await kubectl('get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas} {.metadata.generation} {.spec.template.spec.containers[0].env}');
    expect(env).toBe('3 2 [{"name":"MODE","value":"fast"},{"name":"LEVEL","value":"2"}]');
    expect(await kubectl('get', 'secret', 'creds', '-n', 'shop', '-o', 'jsonpath={.data.password}')).toBe(Buffer.from('hunter2').toString('base64'));
  });

  it('applies server-side', async () => {
    const output = await harness.kubectlOk(['apply', '--server-side', '-f', '-'], { input: manifest.replace('color: blue', 'color: green') });
    expect(output).toContain('configmap/settings serverside-applied');
    expect(await kubectl('get', 'cm', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.color}')).toBe('green');
  });

  it('gets tables, yaml, json, name, jsonpath, wide, by label and across namespaces', async () => {
    const table = await kubectl('get', 'deploy', '-n', 'shop');
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    // No node runs pods here: the controllers made them (UP-TO-DATE), none is ready.
    expect(table).toMatch(/web\s+0\/2\s+\d\s+0\s+\d+s/);
    const services = await kubectl('get', 'svc', '-n', 'shop');
    expect(services.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(services).toMatch(/web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP/);
    expect(await kubectl('get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml')).toContain('kind: Deployment');
    expect(JSON.parse(await kubectl('get', 'cm', '-n', 'shop', '-o', 'json'))).toMatchObject({ kind: 'List', items: [{ metadata: { name: 'settings' } }] });
    expect(await kubectl('get', 'cm,secret', '-n', 'shop', '-o', 'name')).toBe('configmap/settings\nsecret/creds\n');
    expect(await kubectl('get', 'deploy', '-n', 'shop', '-o', 'wide')).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR[\s\S]*web\s+nginx:1\.25\s+app=web/);
    expect(await kubectl('get', 'deploy,svc', '-n', 'shop', '-l', 'app=web', '-o', 'name')).toBe('deployment.apps/web\n');
    const all = await kubectl('get', 'cm', '-A');
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/);
    expect(all).toMatch(/shop\s+settings\s+1/);
    expect(await kubectl('get', 'ns')).toMatch(/kube-system\s+Active/);
    expect(await kubectl('get', 'ingress', '-n', 'shop')).toMatch(/web\s+flotilla\s+shop\.home\.lan/);
  });

  it('creates, labels, annotates, patches (merge, json, strategic) and scales', async () => {
    expect(await kubectl('create', 'configmap', 'flags', '--from-literal=a=1', '--from-literal=b=2')).toBe('configmap/flags created\n');
    expect(await kubectl('create', 'secret', 'generic', 'token', '--from-literal=t=x')).toBe('secret/token created\n');
    expect(await kubectl('label', 'cm', 'flags', 'tier=gold')).toBe('configmap/flags labeled\n');
    expect(await kubectl('annotate', 'cm', 'flags', 'owner=me')).toBe('configmap/flags annotated\n');
    expect(await kubectl('get', 'cm', '-l', 'tier=gold', '-o', 'name')).toBe('configmap/flags\n');
    await kubectl('patch', 'cm', 'flags', '--type', 'merge', '-p', '{"data":{"c":"3"}}');
    await kubectl('patch', 'cm', 'flags', '--type', 'json', '-p', '[{"op":"remove","path":"/data/a"}]');
    expect(await kubectl('get', 'cm', 'flags', '-o', 'jsonpath={.data}')).toBe('{"b":"2","c":"3"}');
    await kubectl('patch', 'deploy', 'web', '-n', 'shop', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}');
    expect(await kubectl('get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}')).toBe('nginx:1.27 MODE');
    expect(await kubectl('scale', 'deployment', 'web', '-n', 'shop', '--replicas=5')).toBe('deployment.apps/web scaled\n');
    expect(await kubectl('get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}')).toBe('5');
  });

  it('edits with a scripted EDITOR, describes, waits for a condition and explains', async () => {
    const editor = join(harness.directory, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/b: \\"2\\"/b: \\"edited\\"/" "$1"\n');
    await chmod(editor, 0o755);
    const edit = await harness.kubectl(['edit', 'cm', 'flags'], { env: { EDITOR: editor } });
    expect(edit.stdout).toContain('configmap/flags edited');
    expect(await kubectl('get', 'cm', 'flags', '-o', 'jsonpath={.data.b}')).toBe('edited');
    expect(await kubectl('describe', 'deploy', 'web', '-n', 'shop')).toMatch(/Replicas:\s+5 desired/);
    await harness.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n' });
    await kubectl('patch', 'pod', 'p', '--subresource=status', '--type', 'merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}');
    expect(await kubectl('wait', '--for=condition=Ready', 'pod/p', '--timeout=10s')).toBe('pod/p condition met\n');
    expect(await kubectl('explain', 'deployment.spec.replicas')).toContain('Number of desired pods');
  });

  it('creates with the typed commands that send protobuf, and honours server dry runs', async () => {
    expect(await kubectl('create', 'deployment', 'api', '--image=nginx:1', '--replicas=0', '--port=8080')).toBe('deployment.apps/api created\n');
    expect(await kubectl('get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}')).toBe('0 8080');
    expect(await kubectl('create', 'service', 'clusterip', 'api', '--tcp=80:8080')).toBe('service/api created\n');
    expect(await kubectl('get', 'svc', 'api', '-o', 'jsonpath={.spec.ports[0].targetPort}')).toBe('8080');
    expect(await kubectl('create', 'namespace', 'extra')).toBe('namespace/extra created\n');
    expect(await kubectl('create', 'serviceaccount', 'robot')).toBe('serviceaccount/robot created\n');
    expect(await kubectl('delete', 'ns', 'extra', '--dry-run=server')).toContain('(server dry run)');
    expect(await kubectl('get', 'ns', 'extra', '-o', 'name')).toBe('namespace/extra\n');
  });

  it('lists api-resources and says who the user is', async () => {
    const resources = await kubectl('api-resources');
    expect(resources).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(resources).toMatch(/leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/);
    expect(await kubectl('auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}')).toBe('flotilla-admin');
  });

  it('sees a change with get -w', async () => {
    const watching = harness.kubectl(['get', 'cm', '-w'], { timeoutMs: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await kubectl('create', 'configmap', 'watched-change', '--from-literal=x=1');
    const output = await watching;
    expect(output.stdout).toMatch(/^NAME\s+DATA\s+AGE/);
    expect(output.stdout).toMatch(/flags\s+2/);
    expect(output.stdout).toMatch(/watched-change\s+1/);
  });

  it('reports errors as kubectl users expect them', async () => {
    const invalid = await harness.kubectl(['create', 'configmap', 'Bad_Name', '--from-literal=a=b']);
    expect(invalid.stderr).toContain('is invalid: metadata.name: Invalid value: "Bad_Name"');
    const unknown = await harness.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u}\ndataa: {a: b}\n' });
    expect(unknown.stderr).toContain('strict decoding error: unknown field "dataa"');
    expect((await harness.kubectl(['apply', '--validate=false', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u}\ndataa: {a: b}\n' })).code).toBe(0);
    expect((await harness.kubectl(['get', 'cm', 'missing'])).stderr).toContain('configmaps "missing" not found');
    expect((await harness.kubectl(['get', 'widgets'])).stderr).toContain('the server doesn\'t have a resource type "widgets"');
  });

  it('deletes with a cascade: background and foreground remove the dependents, orphan keeps them', async () => {
    const replicaSetsOf = async (app: string) => (await kubectl('get', 'rs', '-l', `app=${app}`, '-o', 'name')).trim();
    for (const app of ['orphaned', 'foreground', 'background']) {
      await kubectl('create', 'deployment', app, '--image=nginx:1', '--replicas=1');
      await eventually(`${app}'s ReplicaSet`, 20_000, async () => ((await replicaSetsOf(app)) !== '' ? true : null));
    }
    await kubectl('delete', 'deployment', 'orphaned', '--cascade=orphan');
    const kept = await replicaSetsOf('orphaned');
    expect(kept).toMatch(/^replicaset\.apps\/orphaned-/);
    await eventually('the orphan to lose its owner', 20_000, async () => ((await kubectl('get', kept, '-o', 'jsonpath={.metadata.ownerReferences}')) === '' ? true : null));
    // Foreground: kubectl returns once the Deployment is gone, which is after its ReplicaSet.
    await kubectl('delete', 'deployment', 'foreground', '--cascade=foreground');
    expect(await replicaSetsOf('foreground')).toBe('');
    await kubectl('delete', 'deployment', 'background');
    await eventually('the garbage collector', 20_000, async () => ((await replicaSetsOf('background')) === '' ? true : null));
    await kubectl('delete', kept);
  });

  it('a pod on a node terminates gracefully; --force removes it at once', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata: {name: far-away}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: placed}\nspec:\n  nodeName: far-away\n  containers: [{name: c, image: busybox}]\n' });
    expect(await kubectl('delete', 'pod', 'placed', '--wait=false')).toBe('pod "placed" deleted\n');
    // Its node's agent has to stop it first (none runs here), so it stays, Terminating, for its grace period.
    expect(await kubectl('get', 'pod', 'placed', '-o', 'jsonpath={.metadata.deletionGracePeriodSeconds}')).toBe('30');
    expect(await kubectl('get', 'pod', 'placed')).toMatch(/placed\s+0\/1\s+Terminating/);
    expect((await harness.kubectl(['delete', 'pod', 'placed', '--grace-period=0', '--force'])).code).toBe(0);
    expect((await harness.kubectl(['get', 'pod', 'placed'])).stderr).toContain('pods "placed" not found');
    await kubectl('delete', 'node', 'far-away');
  });

  it('deletes objects and whole manifests', async () => {
    expect(await kubectl('delete', 'cm', 'flags')).toBe('configmap "flags" deleted\n');
    // The Namespace goes last: deleted first, the namespace controller could empty it before kubectl gets to its objects.
    const documents = manifest.split('---\n');
    const reordered = [...documents.slice(1), documents[0]].join('---\n');
    const output = await harness.kubectlOk(['delete', '-f', '-'], { input: reordered, timeoutMs: 60_000 });
    expect(output).toContain('deployment.apps "web" deleted');
    expect(output).toContain('namespace "shop" deleted');
    // kubectl waited for the namespace to be emptied and removed by the namespace controller.
    expect((await harness.kubectl(['get', 'ns', 'shop'])).stderr).toContain('namespaces "shop" not found');
    expect((await harness.kubectl(['get', 'deploy', 'web', '-n', 'shop'])).code).not.toBe(0);
  });
});
