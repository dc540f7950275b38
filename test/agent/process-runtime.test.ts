import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError, ProcessRuntime, type RuntimeContainer, type StartContainerRequest } from '../../agent/index.ts';
import { collect, fixtureServer, httpGet, makeTempDirectory, node, removeDirectory, testEnv, waitFor } from './helpers.ts';

let root: string;
let runtime: ProcessRuntime;
const started: RuntimeContainer[] = [];

function request(fields: Partial<StartContainerRequest> = {}): StartContainerRequest {
  return {
    podUid: 'pod-1', podName: 'web', podNamespace: 'default', containerName: 'web', instance: 0,
    argv: [node, fixtureServer], env: new Map(), ports: [{ name: 'http', containerPort: 8080 }], mounts: [], ...fields,
  };
}

async function start(fields: Partial<StartContainerRequest> = {}, on = runtime): Promise<RuntimeContainer> {
  const container = await on.start(request(fields));
  started.push(container);
  return container;
}

async function listening(container: RuntimeContainer): Promise<number> {
  const port = container.ports[0]?.hostPort ?? 0;
  await waitFor(async () => (await httpGet(port, '/healthz').catch(() => undefined))?.status === 200, 10_000, 'server up');
  return port;
}

beforeEach(async () => {
  root = await makeTempDirectory();
  runtime = new ProcessRuntime({ rootDirectory: root, env: testEnv(), logLimits: { fileBytesMax: 4000, filesMax: 3 }, logCheckIntervalMs: 50, adoptedPollMs: 50, followPollMs: 20 });
});

afterEach(async () => {
  for (const container of started.splice(0)) {
    try {
      process.kill(-container.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await runtime.close();
  await removeDirectory(root);
});

describe('ProcessRuntime', () => {
  it('gives each declared port a free host port (PORT, FLOTILLA_PORT_*), runs in the container directory with the spec env', async () => {
    const container = await start({
      ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin-port', containerPort: 9090 }],
      env: new Map([['GREETING', 'hello'], ['PORT', 'overridden-by-the-agent']]),
      argv: [node, fixtureServer, '--flag=$(PORT)'],
    });
    expect(container.ports.map((port) => port.containerPort)).toEqual([8080, 9090]);
    const [http, admin] = container.ports;
    expect(http?.hostPort).not.toBe(admin?.hostPort);
    const port = await listening(container);
    expect(port).toBe(http?.hostPort);
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(env).toMatchObject({
      GREETING: 'hello', PORT: String(http?.hostPort), FLOTILLA_PORT_HTTP: String(http?.hostPort),
      FLOTILLA_PORT_ADMIN_PORT: String(admin?.hostPort), FLOTILLA_PORT_8080: String(http?.hostPort), HOSTNAME: 'web',
      HOME: join(root, 'pods/pod-1/containers/web/root'),
    });
    expect(env['VITEST']).toBeUndefined();
    const exec = await runtime.exec(container.id, ['sh', '-c', 'echo "$GREETING $(pwd)"; ps -o args= -p $PPID >/dev/null; exit 3'], { timeoutMs: 5000 });
    expect(exec).toMatchObject({ exitCode: 3, stdout: `hello ${join(root, 'pods/pod-1/containers/web/root')}\n`, timedOut: false });
    const timedOut = await runtime.exec(container.id, ['sleep', '5'], { timeoutMs: 100 });
    expect(timedOut.timedOut).toBe(true);
    const argvLine = (await collect(runtime.logs('pod-1', 'web'))).join('\n');
    expect(argvLine).toContain('listening');
    const cmdline = await readFile(`/proc/${container.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain(`--flag=${http?.hostPort}`);
  });

  it('refuses a second copy of a running container', async () => {
    const container = await start();
    await expect(runtime.start(request({ instance: 1 }))).rejects.toSatisfy((error: unknown) => isAgentError(error, 'AGENT_CONTAINER_ALREADY_RUNNING'));
    expect(runtime.list('pod-1')).toHaveLength(1);
    await runtime.stop(container.id, 1000);
  });

  it('reports exit codes and keeps a restarted container on its host port', async () => {
    const first = await start();
    const port = await listening(first);
    const exits: RuntimeContainer[] = [];
    runtime.onExit((container) => exits.push(container));
    await httpGet(port, '/exit?code=3');
    await waitFor(() => exits.length === 1, 5000, 'exit event');
    expect(exits[0]?.exit).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await readFile(join(root, 'pods/pod-1/containers/web/exit-0'), 'utf8')).toBe('3\n');
    const second = await start({ instance: 1 });
    expect(second.ports[0]?.hostPort).toBe(port);
    await listening(second);
    await runtime.stop(second.id, 2000);
  });

  it('stops gracefully with SIGTERM, and SIGKILLs the whole group after the grace period', async () => {
    const polite = await start();
    await listening(polite);
    expect(await runtime.stop(polite.id, 5000)).toMatchObject({ exitCode: 0, reason: 'Completed' });

    const stubborn = await start({ containerName: 'stubborn', env: new Map([['IGNORE_SIGTERM', '1']]) });
    await listening(stubborn);
    const before = Date.now();
    const exit = await runtime.stop(stubborn.id, 600);
    expect(Date.now() - before).toBeGreaterThanOrEqual(550);
    expect(exit).toMatchObject({ exitCode: 137, reason: 'Error' });
    const log = (await collect(runtime.logs('pod-1', 'stubborn'))).join('\n');
    expect(log).toContain('got SIGTERM');
    await expect(stat(`/proc/${stubborn.pid}`)).rejects.toThrow();
  });

  it('rotates logs by size with a bounded number of files, and reads tail and previous', async () => {
    const first = await start();
    const port = await listening(first);
    await httpGet(port, '/log?lines=100&size=100');
    await waitFor(async () => (await readdir(join(root, 'pods/pod-1/logs/web'))).includes('0.log.1'), 5000, 'rotation');
    for (let round = 0; round < 4; round++) {
      await httpGet(port, '/log?lines=60&size=100');
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    const files = (await readdir(join(root, 'pods/pod-1/logs/web'))).sort();
    expect(files).toEqual(['0.log', '0.log.1', '0.log.2']);
    for (const file of files) expect((await stat(join(root, 'pods/pod-1/logs/web', file))).size).toBeLessThan(4000 + 60 * 100 + 100);
    await httpGet(port, '/log?lines=7&size=20');
    const tail = await waitFor(async () => {
      const lines = await collect(runtime.logs('pod-1', 'web', { tailLines: 3 }));
      return lines.length === 3 && lines[2]?.startsWith('00000006') ? lines : undefined;
    }, 3000, 'tail');
    expect(tail.map((line) => line.slice(0, 8))).toEqual(['00000004', '00000005', '00000006']);

    await runtime.stop(first.id, 2000);
    const second = await start({ instance: 1, env: new Map([['MARK', 'second']]) });
    await listening(second);
    const previous = await collect(runtime.logs('pod-1', 'web', { previous: true, tailLines: 2 }));
    expect(previous.at(-1)).toBe('got SIGTERM');
    const current = await collect(runtime.logs('pod-1', 'web'));
    expect(current[0]).toMatch(/^listening/);
    await runtime.stop(second.id, 2000);
    const third = await start({ instance: 2 });
    await listening(third);
    const remaining = await readdir(join(root, 'pods/pod-1/logs/web'));
    expect(remaining.some((name) => name.startsWith('0.log'))).toBe(false);
    expect(remaining).toContain('1.log');
    await runtime.stop(third.id, 2000);
  });

  it('follows a log until the container exits', async () => {
    const container = await start();
    const port = await listening(container);
    const followed = collect(runtime.logs('pod-1', 'web', { follow: true, tailLines: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await httpGet(port, '/log?lines=3&size=12');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runtime.stop(container.id, 2000);
    const lines = await followed;
    expect(lines).toEqual(['00000000 xx', '00000001 xx', '00000002 xx', 'got SIGTERM']);
  });

  it('re-adopts a container left running by an agent that died, without restarting it', async () => {
    const { stdout } = await promisify(execFile)(node, ['--import', 'tsx', join(import.meta.dirname, 'agent-once.ts'), root], { cwd: process.cwd() });
    const original = JSON.parse(stdout) as RuntimeContainer;
    started.push(original);
    const port = await listening(original);
    const recovered = await runtime.recover();
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ id: original.id, pid: original.pid, adopted: true, ports: original.ports });
    expect(recovered[0]?.exit).toBeUndefined();
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(env['ROLE']).toBe('adopted');
    expect((await runtime.exec(original.id, ['sh', '-c', 'echo $ROLE'], { timeoutMs: 5000 })).stdout).toBe('adopted\n');
    await expect(runtime.start({ ...request({ podUid: 'adopt-pod' }), instance: 1 })).rejects.toThrow(/already running/);
    const exit = await runtime.stop(original.id, 5000);
    expect(exit).toMatchObject({ exitCode: 0, reason: 'Completed' });

    // A later agent finds the exit recorded, and does not mistake anything for the dead process.
    const later = new ProcessRuntime({ rootDirectory: root, env: testEnv() });
    const again = await later.recover();
    expect(again[0]?.exit).toMatchObject({ exitCode: 0 });
    await later.close();
  });
});
