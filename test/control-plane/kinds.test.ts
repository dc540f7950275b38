import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './harness.ts';

/** The kinds beyond the first twelve, applied with the installed kubectl as typical manifests write them. */
const manifest = `apiVersion: v1
kind: PersistentVolume
metadata: {name: data-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local
  hostPath: {path: /tmp/data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: local
  resources: {requests: {storage: 1Gi}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 8080}]
endpoints:
- addresses: [10.0.0.1]
  conditions: {ready: true}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: ControllerRevision
metadata:
  name: agent-1
  namespace: default
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: 00000000-0000-4000-8000-000000000001, controller: true}]
data: {spec: {template: {}}}
revision: 1
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox:1.36, command: [sh, -c, 'echo done']}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: default}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: backup, image: busybox:1.36}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: flotilla}
spec: {controller: flotilla.dev/proxy}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  ingressClassName: flotilla
  rules:
  - host: shop.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
  maxReplicas: 5
`;

describe('the rest of the kinds, with kubectl', () => {
  let harness: ApiHarness;
  const kubectl = (...args: string[]) => harness.kubectlOk(args);
  const rows = (text: string) => text.trim().split('\n').map((line) => line.trim().split(/\s{2,}/));

  beforeAll(async () => {
    harness = await ApiHarness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('applies one manifest of every new kind', async () => {
    const output = await harness.kubectlOk(['apply', '-f', '-'], { input: manifest });
    expect(output.trim().split('\n')).toEqual([
      'persistentvolume/data-pv created',
      'persistentvolumeclaim/data created',
      'endpointslice.discovery.k8s.io/web-abc created',
      'statefulset.apps/db created',
      'daemonset.apps/agent created',
      'controllerrevision.apps/agent-1 created',
      'job.batch/migrate created',
      'cronjob.batch/backup created',
      'ingressclass.networking.k8s.io/flotilla created',
      'ingress.networking.k8s.io/web created',
      'horizontalpodautoscaler.autoscaling/db created',
    ]);
    expect((await harness.kubectlOk(['apply', '-f', '-'], { input: manifest })).trim().split('\n').every((line) => line.endsWith('unchanged'))).toBe(true);
  });

  it('shows kubectl\'s columns', async () => {
    // The empty CLAIM cell collapses in the split.
    expect(rows(await kubectl('get', 'pv'))[1]?.slice(0, 7)).toEqual(['data-pv', '1Gi', 'RWO', 'Retain', 'Pending', 'local', '<unset>']);
    expect(rows(await kubectl('get', 'pvc'))[0]).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    expect(rows(await kubectl('get', 'endpointslices'))[1]?.slice(0, 4)).toEqual(['web-abc', 'IPv4', '8080', '10.0.0.1']);
    expect(rows(await kubectl('get', 'sts'))[1]?.slice(0, 2)).toEqual(['db', '0/2']);
    expect(rows(await kubectl('get', 'ds'))[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(rows(await kubectl('get', 'ds'))[1]?.[6]).toBe('kubernetes.io/os=linux');
    expect(rows(await kubectl('get', 'controllerrevisions'))[1]?.slice(0, 3)).toEqual(['agent-1', 'daemonset.apps/agent', '1']);
    expect(rows(await kubectl('get', 'jobs'))[1]?.slice(0, 3)).toEqual(['migrate', 'Running', '0/1']);
    expect(rows(await kubectl('get', 'cj'))[1]?.slice(0, 5)).toEqual(['backup', '*/5 * * * *', '<none>', 'False', '0']);
    expect(rows(await kubectl('get', 'ing'))[1]?.slice(0, 4)).toEqual(['web', 'flotilla', 'shop.example', '80']);
    expect(rows(await kubectl('get', 'ingressclass'))[1]?.slice(0, 3)).toEqual(['flotilla', 'flotilla.dev/proxy', '<none>']);
    expect(rows(await kubectl('get', 'hpa'))[1]?.slice(0, 5)).toEqual(['db', 'StatefulSet/db', 'cpu: <unknown>/80%', '1', '5']);
  });

  it('defaults like Kubernetes: job selector from its uid, statefulset strategy, hpa metric', async () => {
    const job = JSON.parse(await kubectl('get', 'job', 'migrate', '-o', 'json')) as { metadata: { uid: string }; spec: Record<string, unknown> & { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } };
    expect(job.spec.selector.matchLabels).toEqual({ 'batch.kubernetes.io/controller-uid': job.metadata.uid });
    expect(job.spec.template.metadata.labels['job-name']).toBe('migrate');
    expect([job.spec['completions'], job.spec['parallelism'], job.spec['backoffLimit'], job.spec['completionMode']]).toEqual([1, 1, 6, 'NonIndexed']);
    expect(await kubectl('get', 'sts', 'db', '-o', 'jsonpath={.spec.updateStrategy.type} {.spec.podManagementPolicy}')).toBe('RollingUpdate OrderedReady');
    expect(await kubectl('get', 'ds', 'agent', '-o', 'jsonpath={.spec.updateStrategy.rollingUpdate.maxUnavailable}')).toBe('1');
  });

  it('scales a StatefulSet through its scale subresource', async () => {
    expect(await kubectl('scale', 'sts', 'db', '--replicas=4')).toBe('statefulset.apps/db scaled\n');
    expect(await kubectl('get', 'sts', 'db', '-o', 'jsonpath={.spec.replicas}')).toBe('4');
  });

  it('refuses what Kubernetes refuses, saying what to fix', async () => {
    const job = await harness.kubectl(['create', 'job', 'bad', '--image=busybox', '--dry-run=client', '-o', 'yaml']);
    const alwaysJob = job.stdout.replace('restartPolicy: Never', 'restartPolicy: Always');
    const refused = await harness.kubectl(['apply', '-f', '-'], { input: alwaysJob });
    expect(refused.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const badCron = await harness.kubectl(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=every minute']);
    expect(badCron.code).not.toBe(0);
    expect(badCron.stderr).toContain('spec.schedule');
    expect(await kubectl('create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *')).toBe('cronjob.batch/nightly created\n');
    expect(await kubectl('create', 'job', 'once', '--from=cronjob/nightly')).toBe('job.batch/once created\n');
    const badIngress = await harness.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad}\nspec:\n  rules: [{http: {paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]}}]\n',
    });
    expect(badIngress.stderr).toMatch(/pathType/);
  });

  it('lists them in api-resources and explains them', async () => {
    const resources = await kubectl('api-resources', '--no-headers');
    for (const name of ['persistentvolumes', 'persistentvolumeclaims', 'endpointslices', 'statefulsets', 'daemonsets', 'controllerrevisions', 'jobs', 'cronjobs', 'ingresses', 'ingressclasses', 'horizontalpodautoscalers']) {
      expect(resources).toContain(name);
    }
    expect(await kubectl('explain', 'cronjob.spec.schedule')).toContain('The schedule in Cron format.');
  });
});
