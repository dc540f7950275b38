import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, realTimers } from '../../common/index.ts';
import { ProcessRuntime, resolveTargetPort, runProbe, type Container, type ProbeTarget, type RuntimeContainer } from '../../agent/index.ts';
import { fixtureServer, httpGet, makeTempDirectory, node, removeDirectory, testEnv, waitFor } from './helpers.ts';

let root: string;
let runtime: ProcessRuntime;
let container: RuntimeContainer;
let target: ProbeTarget;
let silent: Server;
const spec: Container = { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] };

beforeAll(async () => {
  root = await makeTempDirectory();
  runtime = new ProcessRuntime({ rootDirectory: root, env: testEnv() });
  container = await runtime.start({
    podUid: 'probe-pod', podName: 'probe', podNamespace: 'default', containerName: 'web', instance: 0,
    argv: [node, fixtureServer], env: new Map(), ports: [{ name: 'http', containerPort: 8080 }], mounts: [],
  });
  const port = container.ports[0]?.hostPort ?? 0;
  await waitFor(async () => (await httpGet(port, '/healthz').catch(() => undefined))?.status === 200, 10_000, 'fixture');
  target = { host: '127.0.0.1', container: spec, ports: container.ports, timers: realTimers, exec: (command, timeoutMs) => runtime.exec(container.id, command, { timeoutMs }) };
  // Accepts connections and never answers: an HTTP probe against it must time out.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await runtime.stop(container.id, 2000);
  await runtime.close();
  silent.close();
  await removeDirectory(root);
});

describe('probes against a real process', () => {
  it('resolves probe ports by name and by declared containerPort to the host port', () => {
    const hostPort = container.ports[0]?.hostPort;
    expect(resolveTargetPort('http', spec, container.ports)).toBe(hostPort);
    expect(resolveTargetPort(8080, spec, container.ports)).toBe(hostPort);
    expect(resolveTargetPort(1234, spec, container.ports)).toBe(1234);
    expect(resolveTargetPort('nope', spec, container.ports)).toBeUndefined();
  });

  it('http: 200–399 succeed (redirects are not followed), others and errors fail', async () => {
    expect(await runProbe({ httpGet: { port: 'http', path: '/healthz' } }, target, 1000)).toMatchObject({ outcome: 'success' });
    expect(await runProbe({ httpGet: { port: 8080, path: '/redirect' } }, target, 1000)).toMatchObject({ outcome: 'success', message: 'HTTP 302' });
    expect(await runProbe({ httpGet: { port: 'http', path: '/ready' } }, target, 1000)).toMatchObject({ outcome: 'failure', message: expect.stringContaining('503') });
    expect(await runProbe({ httpGet: { port: 'missing', path: '/' } }, target, 1000)).toMatchObject({ outcome: 'failure' });
    const port = (silent.address() as { port: number }).port;
    const before = Date.now();
    expect(await runProbe({ httpGet: { port, path: '/' } }, target, 200)).toMatchObject({ outcome: 'failure', message: expect.stringContaining('timeout') });
    expect(Date.now() - before).toBeLessThan(2000);
  });

  it('http: sends httpHeaders', async () => {
    const result = await runProbe({ httpGet: { port: 'http', path: '/headers', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target, 1000);
    expect(result.outcome).toBe('success');
    const headers = JSON.parse((await httpGet(container.ports[0]?.hostPort ?? 0, '/headers')).body) as Record<string, string>;
    expect(headers['user-agent']).toBeDefined();
  });

  it('tcp: a listening port succeeds, a closed one fails', async () => {
    expect(await runProbe({ tcpSocket: { port: 'http' } }, target, 1000)).toMatchObject({ outcome: 'success' });
    expect(await runProbe({ tcpSocket: { port: await findFreePort() } }, target, 1000)).toMatchObject({ outcome: 'failure' });
  });

  it('exec: exit 0 succeeds, in the container directory; a timeout fails', async () => {
    const check = { exec: { command: ['test', '-f', 'ready'] } };
    expect(await runProbe(check, target, 1000)).toMatchObject({ outcome: 'failure' });
    await writeFile(join(root, 'pods/probe-pod/containers/web/root/ready'), '');
    expect(await runProbe(check, target, 1000)).toMatchObject({ outcome: 'success' });
    expect(await runProbe({ exec: { command: ['sleep', '3'] } }, target, 100)).toMatchObject({ outcome: 'failure', message: expect.stringContaining('timed out') });
    expect(await runProbe({ exec: { command: ['no-such-command-flotilla'] } }, target, 1000)).toMatchObject({ outcome: 'failure' });
  });
});
