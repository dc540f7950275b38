import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { findFreePorts, projectPath, realEnv, silentLogger } from '../common/index.ts';
import { MemorySource, ProxyNode } from '../proxy/index.ts';
import { stopChild } from './etcd-cluster.ts';
import { startHaproxy, waitForPort } from './proxy-haproxy.ts';
import { runWrk, type WrkResult } from './proxy-wrk.ts';
import { fixed, formatTable, ratio } from './table.ts';

export interface ProxyBenchOptions {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly threads: number;
}

const backendScript = projectPath('bench/proxy-backend.ts');
const loopback = '127.0.0.1';

interface Scenario {
  readonly name: string;
  readonly layer: 'tcp' | 'http';
  readonly closeEachRequest: boolean;
}

const scenarios: readonly Scenario[] = [
  { name: 'service (L4) keep-alive', layer: 'tcp', closeEachRequest: false },
  { name: 'service (L4) new conn/request', layer: 'tcp', closeEachRequest: true },
  { name: 'ingress (L7) keep-alive', layer: 'http', closeEachRequest: false },
  { name: 'ingress (L7) new conn/request', layer: 'http', closeEachRequest: true },
];

function missingTools(): string[] {
  return ['wrk', 'haproxy'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

async function startBackend(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', backendScript, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, () => (child.exitCode !== null ? 'the benchmark backend exited' : null));
  return child;
}

/** The Flotilla proxy in this process, ports mode: the Service's proxy port (L4) and the ingress (L7). */
async function startFlotilla(backendPort: number, proxyPort: number, httpPort: number): Promise<ProxyNode> {
  const source = new MemorySource();
  source.put('services', {
    metadata: { name: 'bench', namespace: 'default', annotations: { 'flotilla.io/proxy-ports': JSON.stringify({ '80/TCP': proxyPort }) } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.99', ports: [{ port: 80, targetPort: backendPort, protocol: 'TCP' }] },
  });
  source.put('endpointslices', {
    metadata: { name: 'bench-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'bench' } },
    addressType: 'IPv4', endpoints: [{ addresses: [loopback], conditions: { ready: true } }], ports: [{ port: backendPort, protocol: 'TCP' }],
  });
  source.put('ingresses', { metadata: { name: 'bench', namespace: 'default' }, spec: { ingressClassName: 'flotilla', defaultBackend: { service: { name: 'bench', port: { number: 80 } } } } });
  const node = new ProxyNode({
    env: realEnv(), logger: silentLogger, source, nodeName: 'bench', nodeAddress: loopback, listenAddress: loopback, mode: 'ports',
    httpPort, httpsPort: null, dnsPort: null, proxyPortRange: { first: proxyPort, last: proxyPort },
  });
  await node.start();
  await node.whenProgrammed();
  await waitForPort(proxyPort);
  return node;
}

interface Row {
  readonly scenario: Scenario;
  readonly direct: WrkResult;
  readonly haproxy: WrkResult;
  readonly flotilla: WrkResult;
}

/**
 * `npm run bench -- proxy`: wrk against one keep-alive backend three ways in the same run —
 * directly, through HAProxy and through the Flotilla proxy — for the service proxy (L4, HAProxy
 * tcp mode) and the ingress (L7, HAProxy http mode), each with keep-alive and with a new TCP
 * connection per request. Prints figures and goals; asserts nothing.
 */
export async function runProxyBench(options: ProxyBenchOptions, print: (line: string) => void): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    print(`proxy benchmark needs ${missing.join(' and ')}: apt-get install ${missing.join(' ')} (the benchmark installs nothing)`);
    return;
  }
  const [backendPort, haproxyPort, proxyPort, ingressPort] = await findFreePorts(4, loopback);
  if (backendPort === undefined || haproxyPort === undefined || proxyPort === undefined || ingressPort === undefined) throw new Error('no free ports');
  print(`proxy benchmark: wrk -t${options.threads} -c${options.connections} -d${options.durationSeconds}s --latency; one Node keep-alive backend; HAProxy 1 thread; Flotilla proxy in this process`);
  const backend = await startBackend(backendPort);
  const flotilla = await startFlotilla(backendPort, proxyPort, ingressPort);
  const rows: Row[] = [];
  try {
    for (const scenario of scenarios) {
      const wrk = (port: number): Promise<WrkResult> => runWrk({ url: `http://${loopback}:${port}/`, durationSeconds: options.durationSeconds, connections: options.connections, threads: options.threads, closeEachRequest: scenario.closeEachRequest, host: 'bench.test' });
      const direct = await wrk(backendPort);
      const haproxy = await startHaproxy(scenario.layer, haproxyPort, backendPort);
      let throughHaproxy: WrkResult;
      try {
        throughHaproxy = await wrk(haproxyPort);
      } finally {
        await haproxy.stop();
      }
      const throughFlotilla = await wrk(scenario.layer === 'tcp' ? proxyPort : ingressPort);
      rows.push({ scenario, direct, haproxy: throughHaproxy, flotilla: throughFlotilla });
    }
  } finally {
    await flotilla.stop();
    await stopChild(backend);
  }
  printResults(rows, print);
}

function printResults(rows: readonly Row[], print: (line: string) => void): void {
  const cell = (result: WrkResult): string => `${fixed(result.requestsPerSecond, 0)} (${fixed(result.p50Ms, 2)} / ${fixed(result.p99Ms, 2)})`;
  print(formatTable(
    ['scenario', 'direct req/s (p50/p99 ms)', 'haproxy req/s (p50/p99 ms)', 'flotilla req/s (p50/p99 ms)', 'flotilla/haproxy', 'added p99 ms h / f', 'errors d/h/f'],
    rows.map((row) => [
      row.scenario.name,
      cell(row.direct),
      cell(row.haproxy),
      cell(row.flotilla),
      ratio(row.flotilla.requestsPerSecond, row.haproxy.requestsPerSecond),
      `${fixed(row.haproxy.p99Ms - row.direct.p99Ms, 2)} / ${fixed(row.flotilla.p99Ms - row.direct.p99Ms, 2)}`,
      `${row.direct.errors}/${row.haproxy.errors}/${row.flotilla.errors}`,
    ]),
  ));
  print('goals (printed, not asserted): flotilla >= 0.8x haproxy req/s; flotilla adds <= 1 ms p99 over direct');
  print('note: wrk, backend, HAProxy and the proxy share this machine\'s cores; figures taken while other work runs are depressed');
}
