import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../common/index.ts';
import type { MemorySource, ProxyNode } from '../../proxy/index.ts';
import { endpointSlice, service, type EndpointSpec } from './builders.ts';
import { BackendProcess, backendNameVia, eventually, httpGet, listening, loopback, proxyPortOf, sleep, startProxyNode } from './proxy-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  publishedSlices.clear();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxyWith(): Promise<{ node: ProxyNode; source: MemorySource }> {
  const started = await startProxyNode();
  cleanups.push(() => started.node.stop());
  return started;
}

async function backends(...names: string[]): Promise<BackendProcess[]> {
  const started = await Promise.all(names.map((name) => BackendProcess.start(name)));
  for (const backend of started) cleanups.push(() => backend.kill());
  return started;
}

const publishedSlices = new Map<string, Set<string>>();

/** The fixture backends all listen on 127.0.0.1, each on its own port: one slice per backend keeps ports apart. */
function publish(source: MemorySource, serviceName: string, entries: ReadonlyArray<{ backend: { name: string; port: number }; ready?: boolean; terminating?: boolean }>): void {
  const current = new Set(entries.map((entry) => entry.backend.name));
  for (const entry of entries) {
    const endpoint: EndpointSpec = { ip: loopback, ready: entry.ready ?? true, terminating: entry.terminating ?? false };
    source.put('endpointslices', endpointSlice(serviceName, [endpoint], [{ port: entry.backend.port }], { sliceName: `${serviceName}-${entry.backend.name}` }));
  }
  const previous = publishedSlices.get(serviceName) ?? new Set<string>();
  for (const name of previous) if (!current.has(name)) source.remove('endpointslices', 'default', `${serviceName}-${name}`);
  publishedSlices.set(serviceName, current);
}

describe('TCP service proxying (real backend processes on loopback)', () => {
  it('records a proxy port on the Service and round-robins new connections over the ready endpoints', async () => {
    const { node, source } = await proxyWith();
    const [a, b] = await backends('a', 'b');
    if (a === undefined || b === undefined) throw new Error('no backends');
    source.put('services', service('web', { ports: [{ port: 80, targetPort: 8080 }] }));
    publish(source, 'web', [{ backend: a }, { backend: b }, { backend: { name: 'c', port: await findFreePort() }, ready: false }]);
    const port = await proxyPortOf(source, 'web');
    await listening(node, `TCP/${loopback}:${port}`);
    await eventually('both endpoints programmed', 5_000, () => (node.table?.listeners[0]?.target.backends.length === 2 ? true : null));
    const names = [];
    for (let index = 0; index < 6; index++) names.push(await backendNameVia(port));
    expect(names.filter((name) => name === 'a')).toHaveLength(3);
    expect(names.filter((name) => name === 'b')).toHaveLength(3);
  });

  it('moves traffic off an endpoint that dies, within a second and without a failed request', async () => {
    const { node, source } = await proxyWith();
    const [a, b] = await backends('a', 'b');
    if (a === undefined || b === undefined) throw new Error('no backends');
    source.put('services', service('web'));
    publish(source, 'web', [{ backend: a }, { backend: b }]);
    const port = await proxyPortOf(source, 'web');
    await listening(node, `TCP/${loopback}:${port}`);
    await eventually('both endpoints', 5_000, () => (node.table?.listeners[0]?.target.backends.length === 2 ? true : null));
    await a.kill();
    const killedAt = Date.now();
    // The control plane has not noticed yet: the endpoint is still "ready" in the table.
    const answers: string[] = [];
    while (Date.now() - killedAt < 1_000) answers.push(await backendNameVia(port));
    expect(answers.length).toBeGreaterThan(5);
    expect(new Set(answers)).toEqual(new Set(['b']));
  });

  it('lets an in-flight request on a terminating endpoint finish while new connections go elsewhere', async () => {
    const { node, source } = await proxyWith();
    const slow = await inProcessServer('slow', 1_500);
    const fast = await inProcessServer('fast', 0);
    source.put('services', service('web'));
    source.put('endpointslices', endpointSlice('web', [{ ip: loopback }], [{ port: slow.port }], { sliceName: 'web-slow' }));
    const port = await proxyPortOf(source, 'web');
    await listening(node, `TCP/${loopback}:${port}`);
    const inFlight = httpGet(port, '/');
    await eventually('the slow request to arrive', 5_000, () => (slow.arrived() > 0 ? true : null));
    source.put('endpointslices', endpointSlice('web', [{ ip: loopback, ready: false, terminating: true }], [{ port: slow.port }], { sliceName: 'web-slow' }));
    source.put('endpointslices', endpointSlice('web', [{ ip: loopback }], [{ port: fast.port }], { sliceName: 'web-fast' }));
    await eventually('the terminating endpoint out of the table', 5_000, () => (node.table?.listeners[0]?.target.backends.map((backend) => backend.port).join() === String(fast.port) ? true : null));
    for (let index = 0; index < 3; index++) expect((await httpGet(port, '/')).body).toBe('fast');
    expect(await inFlight).toMatchObject({ status: 200, body: 'slow' });
    expect(slow.arrived()).toBe(1);
  });

  it('loses no request while endpoints are replaced one at a time with readiness (rolling update)', async () => {
    const { node, source } = await proxyWith();
    const old = await backends('v1-0', 'v1-1', 'v1-2');
    source.put('services', service('web'));
    publish(source, 'web', old.map((backend) => ({ backend })));
    const port = await proxyPortOf(source, 'web');
    await listening(node, `TCP/${loopback}:${port}`);
    await eventually('three endpoints', 5_000, () => (node.table?.listeners[0]?.target.backends.length === 3 ? true : null));
    let running = true;
    let failures = 0;
    let successes = 0;
    const seen = new Set<string>();
    const load = Array.from({ length: 3 }, async () => {
      while (running) {
        try {
          seen.add(await backendNameVia(port));
          successes += 1;
        } catch {
          failures += 1;
        }
      }
    });
    const live = [...old];
    for (let index = 0; index < 3; index++) {
      const [fresh] = await backends(`v2-${index}`);
      if (fresh === undefined) throw new Error('no backend');
      // The new pod becomes ready, then the old one is marked terminating, then it stops.
      live.push(fresh);
      publish(source, 'web', live.map((backend) => ({ backend })));
      await sleep(200);
      const retired = live.shift();
      if (retired === undefined) throw new Error('nothing to retire');
      publish(source, 'web', [{ backend: retired, ready: false, terminating: true }, ...live.map((backend) => ({ backend }))]);
      await sleep(300);
      publish(source, 'web', live.map((backend) => ({ backend })));
      await retired.kill();
      await sleep(200);
    }
    running = false;
    await Promise.all(load);
    expect(failures).toBe(0);
    expect(successes).toBeGreaterThan(20);
    expect([...seen].filter((name) => name.startsWith('v2-')).sort()).toEqual(['v2-0', 'v2-1', 'v2-2']);
    const after = new Set<string>();
    for (let index = 0; index < 6; index++) after.add(await backendNameVia(port));
    expect([...after].sort()).toEqual(['v2-0', 'v2-1', 'v2-2']);
  });

  it('serves a NodePort on the node and resets connections of a service without ready endpoints', async () => {
    const { node, source } = await proxyWith();
    const [a] = await backends('a');
    if (a === undefined) throw new Error('no backend');
    const nodePort = await findFreePort(loopback);
    source.put('services', service('np', { type: 'NodePort', ports: [{ port: 80, nodePort }] }));
    source.put('services', service('empty', { ports: [{ port: 80 }] }));
    source.put('endpointslices', endpointSlice('np', [{ ip: loopback }], [{ port: a.port }]));
    await listening(node, `TCP/${loopback}:${nodePort}`);
    await eventually('np endpoint', 5_000, () => (node.table?.listeners.find((listener) => listener.port === nodePort)?.target.backends.length === 1 ? true : null));
    expect(await backendNameVia(nodePort)).toBe('a');
    const emptyPort = await proxyPortOf(source, 'empty');
    await listening(node, `TCP/${loopback}:${emptyPort}`);
    await expect(httpGet(emptyPort, '/')).rejects.toThrow(/ECONNRESET|socket hang up/);
  });
});

async function inProcessServer(name: string, delayMs: number): Promise<{ port: number; arrived: () => number }> {
  let arrived = 0;
  const server: Server = createServer((_request, response) => {
    arrived += 1;
    setTimeout(() => response.end(name), delayMs);
  });
  const port = await findFreePort(loopback);
  await new Promise<void>((resolve) => server.listen(port, loopback, () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port, arrived: () => arrived };
}
