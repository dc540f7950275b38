/**
 * `flotilla up --demo` as a user runs it, on real processes: 3 servers, 2 agents with their proxies, the
 * stable API address, the demo app; the installed kubectl with the kubeconfig it writes; kill -9
 * of the replica the stable address was using; `flotilla down` and Ctrl-C leaving no process; a
 * second `up` on the same directory finding the demo's objects.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../chaos/local-cluster/index.ts';
import { realEnv } from '../../common/index.ts';
import { runProcess } from '../control-plane/harness.ts';
import { FlotillaCommandProcess, runFlotilla } from './flotilla-command-process.ts';
import { eventually } from './api-cluster-harness.ts';
import { processesUsing } from './leftover-processes.ts';

/** Cluster start-up on the shared 2-core machine: usually 30–60 s, more while other suites run. */
const upTimeoutMs = 150_000;
const ready = /Running in the foreground/;

describe('flotilla up --demo', () => {
  let directory: string;
  let up: FlotillaCommandProcess | null = null;

  const kubectl = async (...args: string[]): Promise<string> => {
    const result = await runProcess('kubectl', ['--kubeconfig', join(directory, 'kubeconfig'), '--cache-dir', join(directory, 'kube-cache'), '--request-timeout', '30s', ...args], { timeoutMs: 40_000 });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flotilla-up-e2e-'));
  });

  afterAll(async () => {
    // Whatever a failed test left: the same down a user runs, then the directory.
    up?.signal('SIGTERM');
    await runFlotilla(['down', '--dir', directory], 60_000).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }, 90_000);

  it('starts 3 servers and 2 agents, writes a kubeconfig kubectl uses, and the demo answers through its Ingress and Service', async () => {
    up = new FlotillaCommandProcess(['up', '--demo', '--dir', directory, '--servers', '3', '--agents', '2']);
    await up.waitFor(ready, upTimeoutMs);
    expect(up.text).toContain(`export KUBECONFIG=${join(directory, 'kubeconfig')}`);
    const nodes = await kubectl('get', 'nodes');
    expect(nodes).toMatch(/node-1\s+Ready/);
    expect(nodes).toMatch(/node-2\s+Ready/);
    const [, ingressUrl = '', serviceUrl = ''] = up.text.match(/Demo answering: (\S+) \(Ingress\) and (\S+) \(Service/) ?? [];
    for (const url of [ingressUrl, serviceUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^hello from hello-\S+ on node-[12]\n$/);
    }
  }, upTimeoutMs + 30_000);

  it('keeps answering on the stable address after kill -9 of the replica it was using', async () => {
    const cluster = await LocalCluster.attach(directory, realEnv());
    // A kubectl watch holds one connection through the stable address (the agents' proxies use
    // NATS): the replica behind it is the one in use.
    const watch = spawn('kubectl', ['--kubeconfig', join(directory, 'kubeconfig'), '--cache-dir', join(directory, 'kube-cache'), 'get', 'pods', '--watch'], { stdio: 'ignore' });
    try {
      const inUse = await eventually('the watch connection', 20_000, async () => (await cluster.balancerStatus()).backends.find((backend) => backend.openConnections > 0) ?? null);
      const victim = cluster.state.servers.find((server) => server.apiEndpoint === inUse.endpoint);
      if (victim === undefined) throw new Error(`no replica behind ${inUse.endpoint}`);
      await cluster.killComponent(victim.name);
      expect(await cluster.componentState(victim.name)).toBe('stopped');
      expect(await kubectl('get', 'nodes')).toMatch(/node-1\s+Ready/);
      expect(await kubectl('get', 'deployment', 'hello', '-o', 'jsonpath={.spec.replicas}')).toBe('2');
    } finally {
      watch.kill('SIGKILL');
    }
  }, 60_000);

  it('flotilla down stops every process it started (and the pods), and the foreground up exits 0', async () => {
    expect((await processesUsing(directory)).length).toBeGreaterThan(5);
    const down = await runFlotilla(['down', '--dir', directory], 90_000);
    expect(down.output).toMatch(/Stopped the cluster/);
    expect(down.code).toBe(0);
    expect(await up?.exited).toBe(0);
    expect(up?.text).toMatch(/Stopped\.\n/);
    expect(await processesUsing(directory)).toEqual([]);
  }, 100_000);

  it('a second up on the same directory has the demo objects still, and Ctrl-C stops everything', async () => {
    up = new FlotillaCommandProcess(['up', '--dir', directory]);
    await up.waitFor(ready, upTimeoutMs);
    const objects = await kubectl('get', 'deployment/hello', 'service/hello', 'ingress/hello', 'configmap/hello-app', '-o', 'name');
    expect(objects.trim().split('\n').sort()).toEqual(['configmap/hello-app', 'deployment.apps/hello', 'ingress.networking.k8s.io/hello', 'service/hello']);
    up.signal('SIGINT');
    expect(await up.exited).toBe(0);
    expect(up.text).toMatch(/Stopping…[\s\S]*Stopped\.\n/);
    expect(await processesUsing(directory)).toEqual([]);
  }, upTimeoutMs + 60_000);
});
