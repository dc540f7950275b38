/**
 * Services end to end on real processes: a real nats-server, 3 real `flotilla server` replicas
 * (--api-listen, --nats), 2 real `flotilla agent --proxy` processes (node-a on 127.0.0.1, node-b on
 * 127.0.0.2, so both nodes' proxies share this host) running real pods (test/fixtures/http-server.mjs),
 * driven by the installed kubectl. One cluster for the whole file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flotillaBin } from '../../chaos/cluster/index.ts';
import { findFreePorts } from '../../common/index.ts';
import { fixtureServer, node } from '../agent/helpers.ts';
import { AgentCluster, podViews, readyPodViews, type PodView } from './agent-cluster.ts';
import { eventually, sleep, type ApiClusterHarness } from './api-cluster-harness.ts';
import { requestBackend, TrafficLoop, type TrafficSample } from './traffic-loop.ts';

const nodeAddresses = { 'node-a': '127.0.0.1', 'node-b': '127.0.0.2' } as const;
const addresses = Object.values(nodeAddresses);

const webManifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: web
        image: fixture
        command: [${JSON.stringify(node)}, ${JSON.stringify(fixtureServer)}]
        # Keeps serving for a while after SIGTERM: the time the endpoint removal takes to reach every proxy.
        env: [{name: TERM_DELAY_MS, value: "3000"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

const otherManifest = `apiVersion: v1
kind: Pod
metadata: {name: other, namespace: default, labels: {app: other}}
spec:
  enableServiceLinks: false
  terminationGracePeriodSeconds: 1
  containers:
  - name: other
    image: fixture
    command: [${JSON.stringify(node)}, ${JSON.stringify(fixtureServer)}]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: default}
spec:
  selector: {app: other}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: default}
spec:
  ingressClassName: flotilla
  rules:
  - host: shop.test
    http: {paths: [{path: /env, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
  - host: api.test
    http: {paths: [{path: /env, pathType: Exact, backend: {service: {name: other, port: {number: 80}}}}]}
`;

describe('Services through flotilla agent --proxy on a real cluster', () => {
  let cluster: AgentCluster;
  let harness: ApiClusterHarness;
  let httpPort = 0;
  let dnsPort = 0;
  let proxyPort = 0;

  const kubectl = (...args: string[]) => harness.kubectlOk(args);
  const webPods = (count = 2): Promise<PodView[]> => readyPodViews(harness, 'app=web', count);

  beforeAll(async () => {
    [httpPort = 0, dnsPort = 0] = await findFreePorts(2);
    const proxyFlags = ['--proxy', '--listen-mode', 'ports', '--http-port', String(httpPort), '--https-port', '0', '--dns-port', String(dnsPort), '--usage-report-interval', '60'];
    cluster = await AgentCluster.start({
      natsServers: 1, prefix: 'flotilla-service-proxy-e2e-',
      agents: Object.entries(nodeAddresses).map(([nodeName, nodeIp]) => ({ nodeName, nodeIp, extraArgs: proxyFlags })),
    });
    harness = cluster.harness;
    await harness.kubectlOk(['apply', '-f', '-'], { input: webManifest });
    await webPods();
    proxyPort = await eventually('the proxy-ports annotation', 30_000, async () => {
      const text = await kubectl('get', 'service', 'web', '-o', 'jsonpath={.metadata.annotations.flotilla\\.io/proxy-ports}');
      return text.trim() === '' ? null : (JSON.parse(text) as Record<string, number>)['80/TCP'];
    });
  }, 150_000);

  afterAll(async () => {
    await harness?.kubectl(['delete', 'deployment', 'web', '--wait=false']).catch(() => undefined);
    await harness?.kubectl(['delete', 'pod', 'other', '--wait=false']).catch(() => undefined);
    await eventually('the pods to go', 30_000, async () => ((await podViews(harness, 'app in (web, other)')).length === 0 ? true : null)).catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  it('serves the Service on every node: its proxy port, its NodePort, and DNS for web.default.svc.cluster.local', async () => {
    const pods = await webPods();
    const names = new Set(pods.map((pod) => pod.name));
    const nodePort = Number(await kubectl('get', 'service', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
    const clusterIP = (await kubectl('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    for (const address of addresses) {
      // Both pods answer through each node's proxy (round robin).
      const seen = await eventually(`both pods through ${address}:${proxyPort}`, 30_000, async () => {
        const backends = new Set<string>();
        for (let attempt = 0; attempt < 8; attempt++) backends.add((await requestBackend(address, proxyPort)).backend);
        return [...names].every((name) => backends.has(name)) ? backends : null;
      });
      expect(seen.size).toBe(2);
      const viaNodePort = await eventually(`the NodePort on ${address}`, 15_000, async () => {
        const sample = await requestBackend(address, nodePort);
        return sample.ok ? sample : null;
      });
      expect(names.has(viaNodePort.backend)).toBe(true);
      const resolver = new Resolver({ timeout: 2_000, tries: 2 });
      resolver.setServers([`${address}:${dnsPort}`]);
      expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual([clusterIP]);
    }
  }, 120_000);

  it('rolls the Deployment with zero failed requests through the proxy of each node (readiness, then drain)', async () => {
    const before = new Set((await webPods()).map((pod) => pod.name));
    const loops = addresses.map((address) => new TrafficLoop(address, proxyPort, 2));
    await sleep(500);
    await kubectl('set', 'env', 'deployment/web', 'ROLLOUT=2');
    await harness.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const after = await eventually('only the new pods left', 60_000, async () => {
      const pods = await podViews(harness, 'app=web');
      return pods.length === 2 && pods.every((pod) => !before.has(pod.name) && pod.ready) ? pods : null;
    });
    await sleep(1_000);
    const samples = (await Promise.all(loops.map((loop) => loop.stop()))).flat();
    const failures = samples.filter((sample) => !sample.ok);
    console.info(`rolling update: ${samples.length} requests through 2 proxies, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(samples.length).toBeGreaterThan(100);
    // Traffic reached the new pods.
    const served = new Set(samples.map((sample) => sample.backend));
    for (const pod of after) expect(served.has(pod.name)).toBe(true);
  }, 180_000);

  it('gives containers the Service variables, pointing where their node\'s proxy serves (node address, proxy port)', async () => {
    const pods = await webPods();
    for (const pod of pods) {
      const address = nodeAddresses[pod.nodeName as keyof typeof nodeAddresses];
      const environment = JSON.parse(await kubectl('exec', pod.name, '--', node, '-e', 'console.log(JSON.stringify(process.env))')) as Record<string, string>;
      expect(environment).toMatchObject({
        WEB_SERVICE_HOST: address,
        WEB_SERVICE_PORT: String(proxyPort),
        WEB_SERVICE_PORT_HTTP: String(proxyPort),
        WEB_PORT: `tcp://${address}:${proxyPort}`,
        WEB_PORT_80_TCP: `tcp://${address}:${proxyPort}`,
        WEB_PORT_80_TCP_PROTO: 'tcp',
        WEB_PORT_80_TCP_PORT: String(proxyPort),
        WEB_PORT_80_TCP_ADDR: address,
      });
      // The variables work from inside the container.
      const status = await kubectl('exec', pod.name, '--', node, '-e', 'fetch(`http://${process.env.WEB_SERVICE_HOST}:${process.env.WEB_SERVICE_PORT}/healthz`).then((answer) => console.log(answer.status))');
      expect(status.trim()).toBe('200');
    }
  }, 60_000);

  it('moves traffic off a killed backend within a second', async () => {
    const [victim] = await webPods();
    if (victim === undefined) throw new Error('no pod');
    const listing = execFileSync('ss', ['-ltnpH', `sport = :${victim.hostPort}`], { encoding: 'utf8' });
    const pid = Number(/pid=(\d+)/.exec(listing)?.[1] ?? 0);
    expect(pid).toBeGreaterThan(0);
    const loop = new TrafficLoop(nodeAddresses['node-a'], proxyPort, 2, 5);
    await sleep(500);
    const killedMs = Date.now();
    process.kill(pid, 'SIGKILL');
    await sleep(2_500);
    const samples = await loop.stop();
    const afterKill = samples.filter((sample) => sample.startedMs >= killedMs);
    const firstMoved = afterKill.find((sample) => sample.ok && sample.backend !== victim.name);
    const late = afterKill.filter((sample) => sample.startedMs >= killedMs + 1_000);
    const failedInFirstSecond = afterKill.filter((sample: TrafficSample) => !sample.ok && sample.startedMs < killedMs + 1_000);
    console.info(`kill: first request on another pod ${firstMoved === undefined ? 'never' : `${firstMoved.startedMs - killedMs} ms`} after the kill; ${failedInFirstSecond.length} failed in the first second, ${late.filter((sample) => !sample.ok).length} after`);
    expect(firstMoved).toBeDefined();
    expect((firstMoved?.startedMs ?? Infinity) - killedMs).toBeLessThan(1_000);
    // Only requests in flight on the killed process may fail (one per client at most).
    expect(failedInFirstSecond.length).toBeLessThanOrEqual(2);
    // After that nothing fails (the restarted container may serve again once it is ready).
    expect(late.length).toBeGreaterThan(20);
    expect(late.filter((sample) => !sample.ok)).toEqual([]);
    // The container is restarted and serves again.
    await readyPodViews(harness, 'app=web', 2, (pod) => pod.name !== victim.name || pod.restarts > victim.restarts);
  }, 120_000);

  it('routes an Ingress by host and path on every node, and leaves Service variables out of a pod with enableServiceLinks: false', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: otherManifest });
    await readyPodViews(harness, 'app=other', 1);
    const webNames = new Set((await webPods()).map((pod) => pod.name));
    for (const address of addresses) {
      const web = await eventually(`shop.test on ${address}`, 30_000, async () => {
        const sample = await requestBackend(address, httpPort, { host: 'shop.test' });
        return sample.ok ? sample : null;
      });
      expect(webNames.has(web.backend)).toBe(true);
      const other = await eventually(`api.test on ${address}`, 30_000, async () => {
        const sample = await requestBackend(address, httpPort, { host: 'api.test' });
        return sample.ok ? sample : null;
      });
      expect(other.backend).toBe('other');
      expect((await requestBackend(address, httpPort, { host: 'api.test' }, '/env/more')).error).toMatch(/^HTTP 404/);
      expect((await requestBackend(address, httpPort, { host: 'shop.test' }, '/healthz')).error).toMatch(/^HTTP 404/);
      expect((await requestBackend(address, httpPort, { host: 'unknown.test' })).error).toMatch(/^HTTP 404/);
    }
    const shown = await eventually('both node addresses on the Ingress', 15_000, async () => {
      const text = await kubectl('get', 'ingress', 'site', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}');
      return text.split(' ').sort().join(' ') === addresses.join(' ') ? text : null;
    });
    expect(shown).toContain('127.0.0.2');
    const environment = JSON.parse(await kubectl('exec', 'other', '--', node, '-e', 'console.log(JSON.stringify(process.env))')) as Record<string, string>;
    expect(Object.keys(environment).filter((name) => name.startsWith('WEB_') || name.startsWith('OTHER_'))).toEqual([]);
  }, 120_000);

  it('runs as its own process too: flotilla proxy --nats serves the same Service and exits 0 on SIGTERM', async () => {
    const address = '127.0.0.3';
    const nats = cluster.nats.map((server) => server.url).join(',');
    const proxy = spawn(process.execPath, [
      flotillaBin, 'proxy', '--node-name', 'edge', '--nats', nats, '--cluster-name', 'e2e', '--node-ip', address, '--listen-mode', 'ports',
      '--http-port', '0', '--https-port', '0', '--dns-port', '0',
    ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' } });
    const exited = new Promise<number | null>((resolve) => proxy.once('exit', (code) => resolve(code)));
    try {
      const names = new Set((await webPods()).map((pod) => pod.name));
      const answer = await eventually(`the Service through ${address}:${proxyPort}`, 30_000, async () => {
        const sample = await requestBackend(address, proxyPort);
        return sample.ok ? sample : null;
      });
      expect(names.has(answer.backend)).toBe(true);
    } finally {
      proxy.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
