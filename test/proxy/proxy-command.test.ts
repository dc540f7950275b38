import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flotillaBin } from '../../chaos/cluster/index.ts';
import { findFreePorts } from '../../common/index.ts';
import { ApiClusterHarness } from '../e2e/api-cluster-harness.ts';
import { runProcess } from '../control-plane/harness.ts';
import { BackendProcess, backendNameVia, eventually, loopback } from './proxy-harness.ts';

describe('flotilla proxy: usage errors', () => {
  it.each([
    [['proxy', '--kubeconfig', 'k'], /--node-name is required/],
    [['proxy', '--node-name', 'n1'], /exactly one of --kubeconfig FILE or --nats URL/],
    [['proxy', '--node-name', 'n1', '--kubeconfig', 'k', '--http-port', '70000'], /--http-port must be a port/],
    [['proxy', '--node-name', 'N_1', '--kubeconfig', 'k'], /--node-name must be a DNS subdomain/],
    [['proxy', '--node-name', 'n1', '--kubeconfig', 'k', '--listen-mode', 'magic'], /--listen-mode must be auto, cluster-ip or ports/],
    [['proxy', '--node-name', 'n1', '--kubeconfig', '/nonexistent/kubeconfig'], /cannot read kubeconfig/],
    [['proxy', '--node-name', 'n1', '--nats', 'not-a-server'], /--nats: expected HOST:PORT/],
    [['proxy', '--node-name', 'n1', '--kubeconfig', 'k', '--nats-user', 'u'], /without --nats/],
  ])('%j exits 2 saying what to fix', async (args, message) => {
    const result = await runProcess(process.execPath, [flotillaBin, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

/**
 * The real command against 3 real replicas: it watches through the kubeconfig `flotilla kubeconfig`
 * writes, records the proxy port where kubectl shows it, serves DNS, keeps following changes when
 * the replica it watched dies, and exits 0 on SIGTERM.
 */
describe('flotilla proxy against a 3-replica control plane', () => {
  let cluster: ApiClusterHarness;
  let proxy: ChildProcess;
  let a: BackendProcess;
  let b: BackendProcess;
  let dnsPort = 0;

  beforeAll(async () => {
    cluster = await ApiClusterHarness.start();
    [a, b] = await Promise.all([BackendProcess.start('a'), BackendProcess.start('b')]);
    const [httpPort, freeDnsPort] = await findFreePorts(2, loopback);
    dnsPort = freeDnsPort ?? 0;
    proxy = spawn(process.execPath, [
      flotillaBin, 'proxy', '--node-name', 'node-1', '--kubeconfig', cluster.kubeconfig, '--node-ip', loopback, '--listen-mode', 'ports',
      '--http-port', String(httpPort), '--https-port', '0', '--dns-port', String(dnsPort),
    ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' } });
  }, 120_000);

  afterAll(async () => {
    if (proxy !== undefined && proxy.exitCode === null) proxy.kill('SIGKILL');
    await Promise.all([a?.kill(), b?.kill()]);
    await cluster?.stop();
  });

  const manifest = (port: number): string => `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default}
subsets: [{addresses: [{ip: ${loopback}}], ports: [{name: http, port: ${port}}]}]
`;

  it('serves a Service on the proxy port it records, answers DNS, survives the death of its replica, and stops on SIGTERM', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest(a.port) });
    const recorded = await eventually('the proxy-ports annotation', 30_000, async () => {
      const text = await cluster.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.metadata.annotations.flotilla\\.io/proxy-ports}']);
      return text.trim() === '' ? null : (JSON.parse(text) as Record<string, number>);
    });
    const port = recorded['80/TCP'];
    if (port === undefined) throw new Error('no port recorded');
    expect(await eventually('traffic to a', 15_000, async () => ((await backendNameVia(port)) === 'a' ? 'a' : null))).toBe('a');
    const clusterIP = (await cluster.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`${loopback}:${dnsPort}`]);
    expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual([clusterIP]);

    // The proxy watches the kubeconfig's current context (replica 1) first: kill it.
    await cluster.cluster.members[0]?.process.kill();
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest(b.port), context: 'flotilla-2', timeoutMs: 60_000 });
    expect(await eventually('traffic to b', 30_000, async () => ((await backendNameVia(port)) === 'b' ? 'b' : null))).toBe('b');

    const exited = new Promise<number | null>((resolve) => proxy.once('exit', (code) => resolve(code)));
    proxy.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
